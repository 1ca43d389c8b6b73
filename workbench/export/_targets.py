"""Names per export target: how the notebook spells workbench, and the module's imports."""

from __future__ import annotations

import ast
import json
from typing import TYPE_CHECKING

from workbench.export._names import alias_text, bound_name, call_name

if TYPE_CHECKING:
    from workbench.export._text import ModuleText
    from workbench.export.notebook import Unit

__all__ = ["DAGSTER_NAMES", "import_text", "is_workbench", "prepare_names", "refuse_path_deps"]

DAGSTER_NAMES = frozenset(
    {
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
        "Definitions",
        "EnvVar",
        "ExecuteInProcessResult",
        "Field",
        "FilesystemIOManager",
        "IAttachDifferentObjectToOpContext",
        "IOManager",
        "IOManagerDefinition",
        "In",
        "InitResourceContext",
        "InputContext",
        "IntSource",
        "JobDefinition",
        "MaterializeResult",
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
        "StringSource",
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
        "graph",
        "graph_asset",
        "instance_for_test",
        "io_manager",
        "job",
        "materialize",
        "materialize_to_memory",
        "multi_asset",
        "observable_source_asset",
        "op",
        "repository",
        "resource",
        "schedule",
        "sensor",
        "validate_run_config",
        "with_resources",
    }
)
"""workbench's public names that Dagster also has, with the same meaning."""


def is_workbench(module: str | None) -> bool:
    """Whether a module name is workbench or one of its submodules."""
    return module is not None and (module == "workbench" or module.startswith("workbench."))


def prepare_names(output: ModuleText) -> None:
    """Find how the notebook imports workbench; rewrite it for Dagster if asked."""
    aliases: set[str] = set()
    for unit in output.selection.units:
        if isinstance(unit.node, ast.Import):
            for alias in unit.node.names:
                bound = bound_name(alias)
                if is_workbench(alias.name) and output.selection.defined.get(bound) is unit:
                    if alias.name != "workbench":
                        output.problem(
                            f"import {alias.name} cannot be exported for Dagster; import "
                            "workbench itself (import workbench as wb)",
                            unit,
                            unit.line,
                        )
                    aliases.add(bound)
    if output.target == "workbench":
        _prepare_workbench(output, aliases)
    else:
        _prepare_dagster(output, aliases)


def _prepare_workbench(output: ModuleText, aliases: set[str]) -> None:
    if aliases:
        output.prefix = f"{sorted(aliases)[0]}."
    else:
        taken = output.selection.defined.keys() | output.selection.used_names
        name = "wb" if "wb" not in taken else "workbench"
        output.extra_imports.append("import workbench" + (" as wb" if name == "wb" else ""))
        output.prefix = f"{name}."
    from_imported = output.selection.defined.get("EnvVar")
    node = from_imported.node if from_imported is not None else None
    if isinstance(node, ast.ImportFrom) and is_workbench(node.module):
        output.env_var = "EnvVar"
        return
    output.env_var = f"{output.prefix}EnvVar"


def _prepare_dagster(output: ModuleText, aliases: set[str]) -> None:
    output.prefix = "dg."
    output.env_var = "dg.EnvVar"
    owner = output.selection.defined.get("dg")
    if owner is not None and not (
        isinstance(owner.node, ast.Import)
        and any(
            (a.asname or a.name) == "dg" and a.name in ("workbench", "dagster")
            for a in owner.node.names
        )
    ):
        output.problem(
            "the name 'dg' is taken, but the Dagster module is imported as dg; rename it",
            owner,
            owner.line,
        )
    output.extra_imports.append("import dagster as dg")
    for unit in output.selection.units:
        if not isinstance(unit.node, ast.ClassDef):
            continue
        for statement in unit.node.body:
            if isinstance(statement, ast.AnnAssign) and any(
                isinstance(n, ast.Name | ast.Attribute)
                and (getattr(n, "id", None) or getattr(n, "attr", None)) == "SecretStr"
                for n in ast.walk(statement.annotation)
            ):
                output.problem(
                    f"field {unit.node.name}.{ast.unparse(statement.target)} is a SecretStr, "
                    "which only workbench accepts in config; for Dagster make it a str marked "
                    "secret: Field(json_schema_extra={'dagster__is_secret': True})",
                    unit,
                    statement.lineno,
                )
    _refuse_date_fields(output)
    for unit in output.visible_units():
        for node in ast.walk(unit.node):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and node.attr not in DAGSTER_NAMES
            ):
                output.problem(
                    f"{node.value.id}.{node.attr} exists only in workbench, not in "
                    "Dagster; remove it from the exported code (or tag its cell wb-skip)",
                    unit,
                    node.lineno,
                )
            if isinstance(node, ast.Name) and node.id in aliases and node.id != "dg":
                start, end = unit.cell.span(node)
                output.replace(unit.cell, start, end, "dg")
        if isinstance(unit.node, ast.ImportFrom) and is_workbench(unit.node.module):
            for alias in unit.node.names:
                if alias.name not in DAGSTER_NAMES:
                    output.problem(
                        f"{alias.name!r} exists only in workbench, not in Dagster; remove "
                        "it from the exported code (or tag its cell wb-skip)",
                        unit,
                        unit.line,
                    )


_DEPENDING_CALLS = frozenset({"asset", "multi_asset", "AssetSpec"})


def refuse_path_deps(output: ModuleText) -> None:
    """Note each ``deps`` string holding a ``/``, which neither Dagster nor workbench accepts.

    A string in ``deps`` is one key part, and its name may not hold ``/``: the notebook's own
    cell fails the same way, so the export says where and how to write the path (see #13).
    """
    for unit in output.visible_units():
        for node in ast.walk(unit.node):
            if not isinstance(node, ast.Call) or call_name(node) not in _DEPENDING_CALLS:
                continue
            for keyword in node.keywords:
                if keyword.arg != "deps" or not isinstance(keyword.value, ast.List | ast.Tuple):
                    continue
                for element in keyword.value.elts:
                    if isinstance(element, ast.Call) and call_name(element) == "AssetDep":
                        element = element.args[0] if element.args else element
                    if isinstance(element, ast.Constant) and isinstance(element.value, str):
                        parts = element.value.split("/")
                        if len(parts) > 1:
                            output.problem(
                                f"deps= names {element.value!r}, a one-part key that "
                                "Dagster and workbench refuse (a string is one key part); "
                                f"write AssetKey({json.dumps(parts)}) for the path",
                                unit,
                                element.lineno,
                            )


_CONFIG_BASES = frozenset(
    {"Config", "PermissiveConfig", "ConfigurableResource", "ConfigurableIOManager"}
)
_DATE_TYPES = frozenset({"date", "datetime", "time", "timedelta"})


def _refuse_date_fields(output: ModuleText) -> None:
    """Note every date or time field of a config or resource class, for the Dagster target.

    Dagster's config has no such type and refuses the class where it is defined (see #13).
    """
    config_classes: set[str] = set()
    for unit in output.selection.units:
        node = unit.node
        if not isinstance(node, ast.ClassDef):
            continue
        if not any(call_name(base) in _CONFIG_BASES | config_classes for base in node.bases):
            continue
        config_classes.add(node.name)
        for statement in node.body:
            if isinstance(statement, ast.AnnAssign) and any(
                call_name(part) in _DATE_TYPES for part in ast.walk(statement.annotation)
            ):
                output.problem(
                    f"field {node.name}.{ast.unparse(statement.target)} is typed "
                    f"{ast.unparse(statement.annotation)}, which Dagster's config does not "
                    "accept; for Dagster make it a str holding the ISO text and parse it "
                    "where it is used (datetime.date.fromisoformat)",
                    unit,
                    statement.lineno,
                )


def import_text(output: ModuleText, unit: Unit) -> str:
    """An import statement as the module writes it: only the names it needs, for its target."""
    node = unit.node
    assert isinstance(node, ast.Import | ast.ImportFrom)
    if isinstance(node, ast.ImportFrom) and node.module == "__future__":
        return output.text(unit.cell, unit.start, unit.end)
    keep = []
    for alias in node.names:
        bound = bound_name(alias)
        if alias.name == "*":
            keep.append(alias)
            continue
        if output.selection.defined.get(bound) is not unit:
            continue
        if bound not in output.selection.used_names and f"{bound}." != output.prefix:
            continue
        if output.target == "dagster" and isinstance(node, ast.Import):
            if is_workbench(alias.name):
                continue
            if alias.name == "dagster" and bound == "dg":
                continue
        keep.append(alias)
    if not keep:
        return ""
    module = node.module if isinstance(node, ast.ImportFrom) else None
    if output.target == "dagster" and isinstance(node, ast.ImportFrom) and is_workbench(module):
        module = "dagster"
    elif len(keep) == len(node.names):
        return output.text(unit.cell, unit.start, unit.end)
    names = ", ".join(alias_text(alias) for alias in keep)
    if isinstance(node, ast.Import):
        return f"import {names}"
    return f"from {'.' * node.level}{module or ''} import {names}"
