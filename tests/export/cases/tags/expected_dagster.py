"""Definitions exported from the notebook input.ipynb.

Edit the notebook and export it again rather than editing this module.
"""

import dagster as dg
import logging


# Keep this top-level setup: it runs when the module is imported.
logger = logging.getLogger("pipeline")
logger.setLevel(logging.INFO)
TABLES = []
for name in ("orders", "customers"):
    TABLES.append(name)


@dg.asset
def table_names() -> list[str]:
    logger.info("listing tables")
    return list(TABLES)


@dg.definitions
def defs() -> dg.Definitions:
    """Every asset, job, sensor, schedule and resource of the notebook."""
    return dg.Definitions(
        assets=[
            table_names,
        ],
    )
