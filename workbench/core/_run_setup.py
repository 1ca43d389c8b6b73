"""Before a run: a job's plan and run config, and every config problem found at once."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from workbench.core._refused import run_config_error
from workbench.core._resources import PreparedResources, prepare_resources
from workbench.core._strict import check_scalars
from workbench.core._suggest import closest
from workbench.core.config import Config, PrimitiveConfig, build_config
from workbench.core.definitions import Definitions, asset_resources, normalize_run_config
from workbench.core.plain import from_launch_config
from workbench.core.plan import plan_assets, plan_job
from workbench.core.resolve import resolve
from workbench.errors import ConfigError, DagsterInvalidConfigError, DefinitionError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from workbench.core.job import Job
    from workbench.core.plan import Plan

__all__ = ["check_run_config", "job_plan", "with_carried"]


def job_plan(
    job: Job,
    run_config: Any,
    resources: Mapping[str, Any] | None,
    op_selection: Sequence[str] | None,
) -> tuple[Plan, dict[str, Any], dict[str, Any]]:
    """A job's plan, its bindings and its run config merged with the job's own."""
    from workbench.core.composition import ConfigMapping, flatten_op_config

    bindings = {**job.resource_defs, **dict(resources or {})}
    if job.is_asset_job:
        if job.asset_graph is None or job.selected_keys is None:
            raise DefinitionError(
                f"asset job {job.name!r} must be resolved by the Definitions that hold it; "
                f"use defs.resolve_job_def({job.name!r}).execute_in_process()"
            )
        plan = plan_assets(job.asset_graph, job.selected_keys)
    else:
        holder = Definitions(jobs=[job], resources=bindings)
        holder.validate()
        plan = plan_job(job, op_selection)
    # an asset job's graph assets are single steps: their ops' config stays nested
    flatten = _as_given if job.is_asset_job else flatten_op_config
    if isinstance(job.config, ConfigMapping):
        # the job takes the mapping's simpler config; the mapping makes the run config
        merged = normalize_run_config(flatten(job.config.resolve(run_config), job.graph_configs))
    else:
        merged = _merge_config(
            normalize_run_config(flatten(job.config, job.graph_configs)),
            normalize_run_config(flatten(run_config, job.graph_configs)),
        )
    return plan, bindings, merged


def _as_given(run_config: Any, _graph_configs: Any) -> Any:
    return run_config


def with_carried(plan: Plan, bindings: Mapping[str, Any]) -> dict[str, Any]:
    """``bindings`` plus the resources the plan's assets carry for keys it does not bind."""
    carried = asset_resources([step.asset for step in plan.steps if step.asset is not None])
    if plan.graph is not None:
        for step in plan.steps:
            for loaded in step.loaded_keys:
                carried.update(plan.graph.storage_of(loaded)[1])
    return {**carried, **dict(bindings)}


def _merge_config(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    return {
        section: {**base.get(section, {}), **over.get(section, {})}
        for section in ("ops", "resources")
    }


def _op_configs(plan: Plan, ops: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Each step's config as written (EnvVars by name, for the record) and as the step gets it."""
    errors: list[tuple[str, str]] = []
    refused: list[ConfigError] = []
    steps = {step.key: step for step in plan.steps}
    written: dict[str, Any] = {}
    configs: dict[str, Any] = {}
    for name in ops:
        if name not in steps:
            match = closest(name, steps)
            hint = f"; did you mean {match!r}?" if match else ""
            errors.append((f"ops.{name}", f"no step named {name!r} in this run{hint}"))
    for step in plan.steps:
        given = (ops.get(step.key) or {}).get("config")
        if step.config_class is None:
            if given:
                errors.append((f"ops.{step.key}", "this step takes no config; remove it"))
            continue
        try:
            primitive = issubclass(step.config_class, PrimitiveConfig)
            if primitive and not isinstance(given, Config):
                given = {} if given is None else {"value": given}
            if not isinstance(given, Config):
                check_scalars(step.config_class, given)
            config = (
                given
                if isinstance(given, Config)
                else build_config(
                    step.config_class, from_launch_config(step.config_class, dict(given or {}))
                )
            )
            # EnvVars are read before any step runs, so a missing one stops the whole run
            resolved = resolve(config, f"op {step.key!r} config")
            configs[step.key] = resolved.value if primitive else resolved
            written[step.key] = config.value if primitive else config
        except ConfigError as exc:
            errors.extend((f"ops.{step.key}.config.{path}", text) for path, text in exc.errors)
            refused.append(exc)
        except TypeError as exc:
            errors.append(
                (
                    f"ops.{step.key}.config",
                    f"must map field names to values, got {type(given).__name__} ({exc})",
                )
            )
    if errors:
        raise run_config_error("run config is invalid; nothing was run:", errors, refused)
    return written, configs


def check_run_config(
    plan: Plan, bindings: Mapping[str, Any], needed: set[str], config: Mapping[str, Any]
) -> tuple[PreparedResources, dict[str, Any], dict[str, Any]]:
    """Check resource and op config together; raise one ConfigError listing every problem."""
    errors: list[tuple[str, str]] = []
    prepared: PreparedResources | None = None
    written: dict[str, Any] = {}
    op_configs: dict[str, Any] = {}
    resource_error: ConfigError | None = None
    try:
        prepared = prepare_resources(bindings, needed, config["resources"], os.environ)
    except ConfigError as exc:
        errors.extend(exc.errors or [("", str(exc))])
        resource_error = exc
    try:
        written, op_configs = _op_configs(plan, config["ops"])
    except ConfigError as exc:
        if not errors and prepared is not None:
            raise  # the op config alone (it may be a ConfigValidationError, see #12)
        errors.extend(exc.errors or [("", str(exc))])
    if resource_error is not None and errors == resource_error.errors:
        raise resource_error  # the resources' config alone (see #12)
    if errors or prepared is None:
        raise DagsterInvalidConfigError.from_errors(
            "run config is invalid; nothing was run:", errors
        )
    return prepared, written, op_configs
