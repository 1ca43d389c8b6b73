"""Definitions exported from the notebook input.ipynb.

Edit the notebook and export it again rather than editing this module.
"""

import workbench as wb
import math


OFFSET = 1


@wb.asset
def numbers() -> list[int]:
    return [1, 2, 3]


SCALE = 3
SCALE = SCALE * 2  # builds on the line above


@wb.asset
def doubled(numbers: list[int]) -> list[int]:
    return [n * SCALE for n in numbers]


class Settings(wb.Config):
    factor: int = OFFSET


# Uses Settings from a later cell: export moves Settings up.
@wb.asset
def total(doubled: list[int], config: Settings) -> float:
    return math.fsum(doubled) * config.factor


@wb.definitions
def defs() -> wb.Definitions:
    """Every asset, job, sensor, schedule and resource of the notebook."""
    return wb.Definitions(
        assets=[
            numbers,
            doubled,
            total,
        ],
    )
