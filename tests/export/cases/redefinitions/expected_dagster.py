"""Definitions exported from the notebook input.ipynb.

Edit the notebook and export it again rather than editing this module.
"""

import dagster as dg
import math


OFFSET = 1


@dg.asset
def numbers() -> list[int]:
    return [1, 2, 3]


SCALE = 3
SCALE = SCALE * 2  # builds on the line above


@dg.asset
def doubled(numbers: list[int]) -> list[int]:
    return [n * SCALE for n in numbers]


class Settings(dg.Config):
    factor: int = OFFSET


# Uses Settings from a later cell: export moves Settings up.
@dg.asset
def total(doubled: list[int], config: Settings) -> float:
    return math.fsum(doubled) * config.factor


@dg.definitions
def defs() -> dg.Definitions:
    """Every asset, job, sensor, schedule and resource of the notebook."""
    return dg.Definitions(
        assets=[
            numbers,
            doubled,
            total,
        ],
    )
