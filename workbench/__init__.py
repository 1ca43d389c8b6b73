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
    from workbench.core._configured import configured
    from workbench.core.asset import asset
    from workbench.core.composition import (
        config_mapping,
        graph,
        graph_asset,
    )
    from workbench.core.config import (
        Config,
        EnvVar,
        PermissiveConfig,
    )
    from workbench.core.config_schema import (
        BoolSource,
        Field,
        IntSource,
        StringSource,
    )
    from workbench.core.context import (
        AssetExecutionContext,
        OpExecutionContext,
    )
    from workbench.core.definitions import (
        Definitions,
        definitions,
    )
    from workbench.core.executor import (
        materialize,
        validate_run_config,
    )
    from workbench.core.graph import (
        AssetSelection,
        define_asset_job,
    )
    from workbench.core.instance import (
        Instance,
        instance_for_test,
    )
    from workbench.core.invocation import (
        build_asset_context,
        build_op_context,
        build_resources,
    )
    from workbench.core.io_managers import (
        ConfigurableIOManagerFactory,
        ConfigurableLegacyIOManagerAdapter,
        FilesystemIOManager,
        materialize_to_memory,
    )
    from workbench.core.job import (
        In,
        Job,
        Out,
        job,
        op,
    )
    from workbench.core.keys import AssetKey
    from workbench.core.legacy import (
        IOManagerDefinition,
        ResourceDefinition,
        io_manager,
        resource,
        with_resources,
    )
    from workbench.core.multi_asset import multi_asset
    from workbench.core.names import (
        AssetsDefinition,
        JobDefinition,
        OpDefinition,
        SensorDefinition,
    )
    from workbench.core.repository import (
        BindResourcesToJobs,
        observable_source_asset,
        repository,
    )
    from workbench.core.resource import (
        ConfigurableIOManager,
        ConfigurableResource,
        IAttachDifferentObjectToOpContext,
        InitResourceContext,
        InputContext,
        IOManager,
        OutputContext,
        ResourceDependency,
        ResourceParam,
        build_init_resource_context,
    )
    from workbench.core.result import (
        ExecuteInProcessResult,
    )
    from workbench.core.run_config import (
        RunConfig,
    )
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
    from workbench.core.specs import (
        AssetDep,
        AssetIn,
        AssetOut,
        AssetSpec,
        DataVersion,
        MaterializeResult,
        Output,
    )
    from workbench.core.tick import (
        tick,
    )
    from workbench.core.versions import (
        stale_assets,
    )
    from workbench.errors import (
        ConfigArgumentWarning,
        ConfigError,
        DagsterError,
        DagsterInvalidConfigError,
        DagsterInvalidDefinitionError,
        DagsterInvalidInvocationError,
        DagsterInvariantViolationError,
        DagsterResourceFunctionError,
        DefinitionError,
        DefinitionNotFoundError,
        ExecutionError,
        ExportError,
        MissingExtraError,
        StorageError,
        UnresolvedEnvVarError,
        WorkbenchError,
    )

__version__ = "0.1.0"

_LAZY: dict[str, str] = {
    "AssetExecutionContext": "workbench.core.context",
    "AssetDep": "workbench.core.specs",
    "AssetIn": "workbench.core.specs",
    "AssetKey": "workbench.core.keys",
    "AssetOut": "workbench.core.specs",
    "AssetSelection": "workbench.core.graph",
    "AssetSpec": "workbench.core.specs",
    "AssetsDefinition": "workbench.core.names",
    "BindResourcesToJobs": "workbench.core.repository",
    "BoolSource": "workbench.core.config_schema",
    "Config": "workbench.core.config",
    "ConfigArgumentWarning": "workbench.errors",
    "ConfigError": "workbench.errors",
    "ConfigurableIOManager": "workbench.core.resource",
    "ConfigurableIOManagerFactory": "workbench.core.io_managers",
    "ConfigurableLegacyIOManagerAdapter": "workbench.core.io_managers",
    "ConfigurableResource": "workbench.core.resource",
    "DagsterError": "workbench.errors",
    "DagsterInvalidConfigError": "workbench.errors",
    "DagsterInvalidDefinitionError": "workbench.errors",
    "DagsterInvalidInvocationError": "workbench.errors",
    "DagsterInvariantViolationError": "workbench.errors",
    "DagsterResourceFunctionError": "workbench.errors",
    "DataVersion": "workbench.core.specs",
    "DefaultScheduleStatus": "workbench.core.schedule",
    "DefaultSensorStatus": "workbench.core.sensor",
    "DefinitionError": "workbench.errors",
    "DefinitionNotFoundError": "workbench.errors",
    "Definitions": "workbench.core.definitions",
    "EnvVar": "workbench.core.config",
    "ExecuteInProcessResult": "workbench.core.result",
    "ExecutionError": "workbench.errors",
    "ExportError": "workbench.errors",
    "Field": "workbench.core.config_schema",
    "FilesystemIOManager": "workbench.core.io_managers",
    "IAttachDifferentObjectToOpContext": "workbench.core.resource",
    "IOManager": "workbench.core.resource",
    "IOManagerDefinition": "workbench.core.legacy",
    "In": "workbench.core.job",
    "InitResourceContext": "workbench.core.resource",
    "InputContext": "workbench.core.resource",
    "Instance": "workbench.core.instance",
    "IntSource": "workbench.core.config_schema",
    "Job": "workbench.core.job",
    "JobDefinition": "workbench.core.names",
    "MaterializeResult": "workbench.core.specs",
    "MissingExtraError": "workbench.errors",
    "OpDefinition": "workbench.core.names",
    "OpExecutionContext": "workbench.core.context",
    "Out": "workbench.core.job",
    "Output": "workbench.core.specs",
    "OutputContext": "workbench.core.resource",
    "PermissiveConfig": "workbench.core.config",
    "ResourceDefinition": "workbench.core.legacy",
    "ResourceDependency": "workbench.core.resource",
    "ResourceParam": "workbench.core.resource",
    "RunConfig": "workbench.core.run_config",
    "RunRequest": "workbench.core.sensor",
    "ScheduleDefinition": "workbench.core.schedule",
    "ScheduleEvaluationContext": "workbench.core.schedule",
    "SensorDefinition": "workbench.core.names",
    "SensorEvaluationContext": "workbench.core.sensor",
    "SensorResult": "workbench.core.sensor",
    "SkipReason": "workbench.core.sensor",
    "StorageError": "workbench.errors",
    "StringSource": "workbench.core.config_schema",
    "UnresolvedEnvVarError": "workbench.errors",
    "WorkbenchError": "workbench.errors",
    "asset": "workbench.core.asset",
    "build_asset_context": "workbench.core.invocation",
    "build_init_resource_context": "workbench.core.resource",
    "build_op_context": "workbench.core.invocation",
    "build_resources": "workbench.core.invocation",
    "build_schedule_context": "workbench.core.schedule",
    "build_sensor_context": "workbench.core.sensor",
    "config_mapping": "workbench.core.composition",
    "configured": "workbench.core._configured",
    "define_asset_job": "workbench.core.graph",
    "definitions": "workbench.core.definitions",
    "export_notebook": "workbench.app",
    "graph": "workbench.core.composition",
    "graph_asset": "workbench.core.composition",
    "instance_for_test": "workbench.core.instance",
    "io_manager": "workbench.core.legacy",
    "job": "workbench.core.job",
    "launchpad": "workbench.app",
    "load_definitions": "workbench.app",
    "materialize": "workbench.core.executor",
    "materialize_to_memory": "workbench.core.io_managers",
    "multi_asset": "workbench.core.multi_asset",
    "notebook_from_module": "workbench.app",
    "observable_source_asset": "workbench.core.repository",
    "op": "workbench.core.job",
    "repository": "workbench.core.repository",
    "resource": "workbench.core.legacy",
    "runs": "workbench.app",
    "schedule": "workbench.core.schedule",
    "sensor": "workbench.core.sensor",
    "show_graph": "workbench.app",
    "show_resources": "workbench.app",
    "stale_assets": "workbench.core.versions",
    "tick": "workbench.core.tick",
    "validate_run_config": "workbench.core.executor",
    "with_resources": "workbench.core.legacy",
}

__all__ = [
    "AssetDep",
    "AssetExecutionContext",
    "AssetIn",
    "AssetKey",
    "AssetOut",
    "AssetSelection",
    "AssetSpec",
    "AssetsDefinition",
    "BindResourcesToJobs",
    "BoolSource",
    "Config",
    "ConfigArgumentWarning",
    "ConfigError",
    "ConfigurableIOManager",
    "ConfigurableIOManagerFactory",
    "ConfigurableLegacyIOManagerAdapter",
    "ConfigurableResource",
    "DagsterError",
    "DagsterInvalidConfigError",
    "DagsterInvalidDefinitionError",
    "DagsterInvalidInvocationError",
    "DagsterInvariantViolationError",
    "DagsterResourceFunctionError",
    "DataVersion",
    "DefaultScheduleStatus",
    "DefaultSensorStatus",
    "DefinitionError",
    "DefinitionNotFoundError",
    "Definitions",
    "EnvVar",
    "ExecuteInProcessResult",
    "ExecutionError",
    "ExportError",
    "Field",
    "FilesystemIOManager",
    "IAttachDifferentObjectToOpContext",
    "IOManager",
    "IOManagerDefinition",
    "In",
    "InitResourceContext",
    "InputContext",
    "Instance",
    "IntSource",
    "Job",
    "JobDefinition",
    "MaterializeResult",
    "MissingExtraError",
    "OpDefinition",
    "OpExecutionContext",
    "Out",
    "Output",
    "OutputContext",
    "PermissiveConfig",
    "ResourceDefinition",
    "ResourceDependency",
    "ResourceParam",
    "RunConfig",
    "RunRequest",
    "ScheduleDefinition",
    "ScheduleEvaluationContext",
    "SensorDefinition",
    "SensorEvaluationContext",
    "SensorResult",
    "SkipReason",
    "StorageError",
    "StringSource",
    "UnresolvedEnvVarError",
    "WorkbenchError",
    "asset",
    "build_asset_context",
    "build_init_resource_context",
    "build_op_context",
    "build_resources",
    "build_schedule_context",
    "build_sensor_context",
    "config_mapping",
    "configured",
    "define_asset_job",
    "definitions",
    "export_notebook",
    "graph",
    "graph_asset",
    "instance_for_test",
    "io_manager",
    "job",
    "launchpad",
    "load_definitions",
    "load_ipython_extension",
    "materialize",
    "materialize_to_memory",
    "multi_asset",
    "notebook_from_module",
    "observable_source_asset",
    "op",
    "repository",
    "resource",
    "runs",
    "schedule",
    "sensor",
    "show_graph",
    "show_resources",
    "stale_assets",
    "tick",
    "unload_ipython_extension",
    "validate_run_config",
    "with_resources",
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
