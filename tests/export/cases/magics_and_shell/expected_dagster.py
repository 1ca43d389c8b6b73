"""Definitions exported from the notebook input.ipynb.

Edit the notebook and export it again rather than editing this module.
"""

import dagster as dg
import json


@dg.asset
def config_text() -> str:
    return json.dumps({"a": 1})


@dg.asset
def parsed(config_text: str) -> dict:
    return json.loads(config_text)


@dg.definitions
def defs() -> dg.Definitions:
    """Every asset, job, sensor, schedule and resource of the notebook."""
    return dg.Definitions(
        assets=[
            config_text,
            parsed,
        ],
    )
