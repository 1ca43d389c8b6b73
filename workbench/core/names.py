"""Dagster's names for workbench's definition classes, for ``isinstance`` checks.

Dagster code checks definitions with ``isinstance(x, dg.AssetsDefinition)`` and the like;
the objects workbench's decorators make are instances of these names.
"""

from __future__ import annotations

from workbench.core.asset import Asset
from workbench.core.job import Job, Op
from workbench.core.sensor import Sensor

__all__ = [
    "AssetsDefinition",
    "JobDefinition",
    "OpDefinition",
    "SensorDefinition",
]

AssetsDefinition = Asset
"""What ``@asset`` and ``@multi_asset`` make."""

JobDefinition = Job
"""What ``@job`` and ``define_asset_job`` make."""

OpDefinition = Op
"""What ``@op`` makes."""

SensorDefinition = Sensor
"""What ``@sensor`` makes."""
