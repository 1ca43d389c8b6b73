"""Definitions exported from the notebook input.ipynb.

Edit the notebook and export it again rather than editing this module.
"""

import dagster as dg
from typing import Any


class MyConnectionResource(dg.ConfigurableResource):
    """Talks to the service."""

    username: str  # who the service sees

    def request(self, endpoint: str) -> dict[str, Any]:
        return {"endpoint": endpoint, "user": self.username}


# Raw data from the service.
@dg.asset
def data_from_service(my_conn: MyConnectionResource) -> dict[str, Any]:
    """Fetch the data."""
    return my_conn.request("/fetch_data")


@dg.definitions
def resources() -> dg.Definitions:
    """Every asset, job, sensor, schedule and resource of the notebook."""
    return dg.Definitions(
        assets=[
            data_from_service,
        ],
        resources={
            "my_conn": MyConnectionResource(username="my_user"),
        },
    )
