"""Definitions exported from the notebook input.ipynb.

Edit the notebook and export it again rather than editing this module.
"""

import workbench as wb
import json


@wb.asset
def config_text() -> str:
    return json.dumps({"a": 1})


@wb.asset
def parsed(config_text: str) -> dict:
    return json.loads(config_text)


@wb.definitions
def defs() -> wb.Definitions:
    """Every asset, job, sensor, schedule and resource of the notebook."""
    return wb.Definitions(
        assets=[
            config_text,
            parsed,
        ],
    )
