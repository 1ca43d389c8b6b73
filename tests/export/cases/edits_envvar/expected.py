"""Definitions exported from the notebook input.ipynb.

Edit the notebook and export it again rather than editing this module.
"""

import workbench as wb
from pydantic import Field


class WarehouseResource(wb.ConfigurableResource):
    """A warehouse connection."""

    host: str = "localhost"
    port: int = 5432
    user: str
    password: str = Field(default="", json_schema_extra={"dagster__is_secret": True})

    def describe(self) -> str:
        return f"{self.user}@{self.host}:{self.port}"


@wb.asset
def warehouse_name(warehouse: WarehouseResource) -> str:
    return warehouse.describe()


@wb.definitions
def defs() -> wb.Definitions:
    """Every asset, job, sensor, schedule and resource of the notebook."""
    return wb.Definitions(
        assets=[
            warehouse_name,
        ],
        resources={
            "warehouse": WarehouseResource(
                host="db.internal",  # the shared host
                user="analyst",
                port=6543,
                password=wb.EnvVar("WAREHOUSE_PASSWORD"),
            ),
        },
    )
