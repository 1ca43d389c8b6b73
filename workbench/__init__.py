"""workbench: Dagster's resource model, alive in a Jupyter notebook.

``import workbench as wb`` offers Dagster's names (``wb.asset``, ``wb.ConfigurableResource``,
``wb.Definitions``, ...) plus workbench's own (``wb.load_definitions``, ``wb.export_notebook``,
``wb.runs``, ``wb.show_resources``). Names load on first use, so importing the package is
cheap and loads no IPython, ipywidgets, nbformat or pandas.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from workbench.core.instance import set_default_instance_factory as _set_factory

if TYPE_CHECKING:
    from workbench.app import (
        export_notebook,
        launchpad,
        load_definitions,
        notebook_from_module,
        runs,
        show_graph,
        show_resources,
    )
    from workbench.core.asset import (
        AssetIn,
        AssetKey,
        AssetOut,
        AssetSpec,
        MaterializeResult,
        Output,
        asset,
        multi_asset,
    )
    from workbench.core.config import Config, EnvVar, PermissiveConfig
    from workbench.core.context import AssetExecutionContext, OpExecutionContext
    from workbench.core.definitions import Definitions, RunConfig, definitions
    from workbench.core.executor import materialize
    from workbench.core.graph import AssetSelection, define_asset_job
    from workbench.core.instance import Instance
    from workbench.core.job import In, Job, Out, job, op
    from workbench.core.resource import (
        ConfigurableIOManager,
        ConfigurableResource,
        InitResourceContext,
        InputContext,
        OutputContext,
        ResourceParam,
        build_init_resource_context,
    )
    from workbench.core.result import ExecuteInProcessResult
    from workbench.core.schedule import (
        DefaultScheduleStatus,
        ScheduleDefinition,
        ScheduleEvaluationContext,
        build_schedule_context,
        schedule,
    )
    from workbench.core.sensor import (
        DefaultSensorStatus,
        RunRequest,
        SensorEvaluationContext,
        SensorResult,
        SkipReason,
        build_sensor_context,
        sensor,
    )
    from workbench.core.tick import tick
    from workbench.core.versions import stale_assets
    from workbench.errors import (
        ConfigError,
        DagsterError,
        DagsterInvalidConfigError,
        DagsterInvalidDefinitionError,
        DagsterInvalidInvocationError,
        DagsterInvariantViolationError,
        DagsterResourceFunctionError,
        DefinitionError,
        ExecutionError,
        ExportError,
        MissingExtraError,
        StorageError,
        WorkbenchError,
    )

__version__ = "0.1.0"

_LAZY: dict[str, str] = {
    "AssetExecutionContext": "workbench.core.context",
    "AssetIn": "workbench.core.asset",
    "AssetKey": "workbench.core.asset",
    "AssetOut": "workbench.core.asset",
    "AssetSelection": "workbench.core.graph",
    "AssetSpec": "workbench.core.asset",
    "Config": "workbench.core.config",
    "ConfigError": "workbench.errors",
    "ConfigurableIOManager": "workbench.core.resource",
    "ConfigurableResource": "workbench.core.resource",
    "DagsterError": "workbench.errors",
    "DagsterInvalidConfigError": "workbench.errors",
    "DagsterInvalidDefinitionError": "workbench.errors",
    "DagsterInvalidInvocationError": "workbench.errors",
    "DagsterInvariantViolationError": "workbench.errors",
    "DagsterResourceFunctionError": "workbench.errors",
    "DefaultScheduleStatus": "workbench.core.schedule",
    "DefaultSensorStatus": "workbench.core.sensor",
    "DefinitionError": "workbench.errors",
    "Definitions": "workbench.core.definitions",
    "EnvVar": "workbench.core.config",
    "ExecuteInProcessResult": "workbench.core.result",
    "ExecutionError": "workbench.errors",
    "ExportError": "workbench.errors",
    "In": "workbench.core.job",
    "InitResourceContext": "workbench.core.resource",
    "InputContext": "workbench.core.resource",
    "Instance": "workbench.core.instance",
    "Job": "workbench.core.job",
    "MaterializeResult": "workbench.core.asset",
    "MissingExtraError": "workbench.errors",
    "OpExecutionContext": "workbench.core.context",
    "Out": "workbench.core.job",
    "Output": "workbench.core.asset",
    "OutputContext": "workbench.core.resource",
    "PermissiveConfig": "workbench.core.config",
    "ResourceParam": "workbench.core.resource",
    "RunConfig": "workbench.core.definitions",
    "RunRequest": "workbench.core.sensor",
    "ScheduleDefinition": "workbench.core.schedule",
    "ScheduleEvaluationContext": "workbench.core.schedule",
    "SensorEvaluationContext": "workbench.core.sensor",
    "SensorResult": "workbench.core.sensor",
    "SkipReason": "workbench.core.sensor",
    "StorageError": "workbench.errors",
    "WorkbenchError": "workbench.errors",
    "asset": "workbench.core.asset",
    "build_init_resource_context": "workbench.core.resource",
    "build_schedule_context": "workbench.core.schedule",
    "build_sensor_context": "workbench.core.sensor",
    "define_asset_job": "workbench.core.graph",
    "definitions": "workbench.core.definitions",
    "export_notebook": "workbench.app",
    "job": "workbench.core.job",
    "launchpad": "workbench.app",
    "load_definitions": "workbench.app",
    "materialize": "workbench.core.executor",
    "multi_asset": "workbench.core.asset",
    "notebook_from_module": "workbench.app",
    "op": "workbench.core.job",
    "runs": "workbench.app",
    "schedule": "workbench.core.schedule",
    "sensor": "workbench.core.sensor",
    "show_graph": "workbench.app",
    "show_resources": "workbench.app",
    "stale_assets": "workbench.core.versions",
    "tick": "workbench.core.tick",
}

__all__ = [
    "AssetExecutionContext",
    "AssetIn",
    "AssetKey",
    "AssetOut",
    "AssetSelection",
    "AssetSpec",
    "Config",
    "ConfigError",
    "ConfigurableIOManager",
    "ConfigurableResource",
    "DagsterError",
    "DagsterInvalidConfigError",
    "DagsterInvalidDefinitionError",
    "DagsterInvalidInvocationError",
    "DagsterInvariantViolationError",
    "DagsterResourceFunctionError",
    "DefaultScheduleStatus",
    "DefaultSensorStatus",
    "DefinitionError",
    "Definitions",
    "EnvVar",
    "ExecuteInProcessResult",
    "ExecutionError",
    "ExportError",
    "In",
    "InitResourceContext",
    "InputContext",
    "Instance",
    "Job",
    "MaterializeResult",
    "MissingExtraError",
    "OpExecutionContext",
    "Out",
    "Output",
    "OutputContext",
    "PermissiveConfig",
    "ResourceParam",
    "RunConfig",
    "RunRequest",
    "ScheduleDefinition",
    "ScheduleEvaluationContext",
    "SensorEvaluationContext",
    "SensorResult",
    "SkipReason",
    "StorageError",
    "WorkbenchError",
    "asset",
    "build_init_resource_context",
    "build_schedule_context",
    "build_sensor_context",
    "define_asset_job",
    "definitions",
    "export_notebook",
    "job",
    "launchpad",
    "load_definitions",
    "load_ipython_extension",
    "materialize",
    "multi_asset",
    "notebook_from_module",
    "op",
    "runs",
    "schedule",
    "sensor",
    "show_graph",
    "show_resources",
    "stale_assets",
    "tick",
    "unload_ipython_extension",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'workbench' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


def load_ipython_extension(ipython: Any) -> None:
    """Register ``%wb`` (``%load_ext workbench``)."""
    from workbench.magics import load_ipython_extension as load

    load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    """Remove ``%wb`` (``%unload_ext workbench``)."""
    from workbench.magics import unload_ipython_extension as unload

    unload(ipython)


def _default_instance() -> Any:
    from workbench.storage import default_instance

    return default_instance()


_set_factory(_default_instance)
