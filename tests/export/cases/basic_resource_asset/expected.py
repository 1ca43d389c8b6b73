"""Definitions exported from the notebook input.ipynb.

Edit the notebook and export it again rather than editing this module.
"""

import workbench as wb
from typing import Any


class MyConnectionResource(wb.ConfigurableResource):
    """Talks to the service."""

    username: str  # who the service sees

    def request(self, endpoint: str) -> dict[str, Any]:
        return {"endpoint": endpoint, "user": self.username}


# Raw data from the service.
@wb.asset
def data_from_service(my_conn: MyConnectionResource) -> dict[str, Any]:
    """Fetch the data."""
    return my_conn.request("/fetch_data")


@wb.definitions
def resources() -> wb.Definitions:
    """Every asset, job, sensor, schedule and resource of the notebook."""
    return wb.Definitions(
        assets=[
            data_from_service,
        ],
        resources={
            "my_conn": MyConnectionResource(username="my_user"),
        },
    )
