"""The in-process executor: runs a plan's steps in order and records the run's events."""

from __future__ import annotations

import logging
import os
import traceback
import uuid
from typing import TYPE_CHECKING, Any

from workbench.core._io_config import io_configs
from workbench.core._recorder import RunRecorder, watch
from workbench.core._refused import (
    ConfigValidationError,
    ResourceConfigRefusedError,
)
from workbench.core._resources import PreparedResources
from workbench.core._run_setup import check_run_config, job_plan, with_carried
from workbench.core._step import RunState, load_known_versions
from workbench.core.definitions import (
    ASSET_JOB_NAME,
    Definitions,
    asset_resources,
    normalize_run_config,
)
from workbench.core.graph import AssetSelection, as_selection
from workbench.core.instance import Instance, default_instance
from workbench.core.plain import redact
from workbench.core.plan import Plan, Step, plan_assets
from workbench.core.result import ExecuteInProcessResult
from workbench.core.run import EventType, RunEvent, RunRecord, RunStatus
from workbench.core.secrets import collect_secrets
from workbench.core.versions import BaseConfigHashes
from workbench.errors import (
    ConfigError,
    DagsterResourceFunctionError,
    ExecutionError,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from concurrent.futures import Future

    from workbench.core.asset import Asset, AssetSpec
    from workbench.core.job import Job

__all__ = ["execute_job", "execute_plan", "materialize", "validate_run_config"]


def materialize(
    assets: Sequence[Asset | AssetSpec],
    run_config: Any = None,
    *,
    resources: Mapping[str, Any] | None = None,
    selection: Any = None,
    raise_on_error: bool = True,
    tags: Mapping[str, str] | None = None,
    instance: Instance | None = None,
    only_stale: bool = False,
    max_workers: int = 1,
    on_event: Callable[[RunEvent], None] | None = None,
    run_id: str | None = None,
) -> ExecuteInProcessResult:
    """Materialize assets in this process and return the run's result.

    Args:
        assets: the assets (and AssetSpec stubs) to consider.
        run_config: launch-time config: ``{"resources": {...}, "ops": {...}}`` or RunConfig.
        resources: resources by key (what ``Definitions(resources=)`` would bind).
        selection: which assets to run (default: all given); keys, strings or AssetSelection.
        raise_on_error: raise the failed step's own exception (else see ``result.success``).
        tags: tags recorded with the run.
        instance: where to record the run and keep values (default: WORKBENCH_HOME).
        only_stale: run only the selected assets that are missing or stale.
        max_workers: run independent steps in a thread pool of this size.
        on_event: called with every event as it happens (progress displays).
        run_id: the run's id (a new one by default).

    Raises:
        DefinitionError: the assets cannot work together (listing every problem).
        DagsterInvalidConfigError: the run config is invalid (nothing runs).
        DagsterResourceFunctionError: a resource's setup raised and ``raise_on_error`` is true.
        Exception: a step raised it and ``raise_on_error`` is true (the user's own error).
    """
    defs = Definitions(assets=assets, resources=resources)
    defs.validate()
    graph = defs.asset_graph
    keys = as_selection(selection).resolve(graph)
    instance = instance or default_instance()
    if only_stale:
        from workbench.core.versions import stale_assets

        stale = stale_assets(defs, store=instance.run_store, selection=keys)
        keys = {key for key in keys if key in stale}
        # a multi_asset that cannot run in part runs whole when any of its assets is stale
        keys = AssetSelection.keys(*keys).required_multi_asset_neighbors().resolve(graph)
    plan = plan_assets(graph, keys)
    return execute_plan(
        plan,
        job_name=ASSET_JOB_NAME,
        bindings={**asset_resources(assets), **defs.resources},
        run_config=run_config,
        instance=instance,
        raise_on_error=raise_on_error,
        tags=tags,
        run_id=run_id,
        max_workers=max_workers,
        on_event=on_event,
    )


def execute_job(
    job: Job,
    *,
    run_config: Any = None,
    resources: Mapping[str, Any] | None = None,
    raise_on_error: bool = True,
    instance: Instance | None = None,
    tags: Mapping[str, str] | None = None,
    run_id: str | None = None,
    op_selection: Sequence[str] | None = None,
    max_workers: int = 1,
    on_event: Callable[[RunEvent], None] | None = None,
) -> ExecuteInProcessResult:
    """Run a job (of ops, or of assets once resolved by Definitions) in this process."""
    plan, bindings, merged = job_plan(job, run_config, resources, op_selection)
    result = execute_plan(
        plan,
        job_name=job.name,
        bindings=bindings,
        run_config=merged,
        instance=instance or default_instance(),
        raise_on_error=raise_on_error,
        tags={**job.tags, **dict(tags or {})},
        run_id=run_id,
        max_workers=max_workers,
        on_event=on_event,
    )
    result.graph_outputs = {
        name: (handle.node, handle.output) for name, handle in job.graph_outputs.items()
    }
    return result


def validate_run_config(job_def: Job, run_config: Any = None) -> dict[str, Any]:
    """Check run config for a job without running it; return it with defaults filled in.

    Secret values are redacted in what is returned.

    Raises:
        DagsterInvalidConfigError: every problem of the run config, nothing run.
    """
    plan, bindings, merged = job_plan(job_def, run_config, None, None)
    bindings = with_carried(plan, bindings)
    needed = {key for key in plan.resource_keys if key in bindings}
    prepared, written, _ = check_run_config(plan, bindings, needed, merged)
    return {
        "ops": {key: {"config": redact(value)} for key, value in written.items()},
        "resources": {key: {"config": value["config"]} for key, value in prepared.snapshot.items()},
    }


def execute_plan(
    plan: Plan,
    *,
    job_name: str,
    bindings: Mapping[str, Any],
    run_config: Any,
    instance: Instance,
    raise_on_error: bool,
    tags: Mapping[str, str] | None,
    run_id: str | None,
    max_workers: int,
    on_event: Callable[[RunEvent], None] | None,
) -> ExecuteInProcessResult:
    """Validate config, set resources up, run the plan's steps, and tear everything down."""
    config = normalize_run_config(run_config)
    # resources an asset carries itself (with_resources, @asset(resource_defs=)) fill the
    # keys the run does not bind; explicit beats implicit: the run gets exactly these
    # bindings (the notebook layer has already applied its form edits to them); see #12
    bindings = with_carried(plan, bindings)
    needed = {key for key in plan.resource_keys if key in bindings}
    refused: ConfigError | None = None
    try:
        prepared, written, op_configs = check_run_config(plan, bindings, needed, config)
    except (ConfigValidationError, ResourceConfigRefusedError) as exc:
        if raise_on_error:
            raise
        # as in Dagster, a value the classes' own checks refuse fails the run instead (#12)
        refused, prepared, written, op_configs = exc, PreparedResources(), {}, {}
    # op config EnvVars are read before the run: their values are scrubbed like resources'
    prepared.secrets |= collect_secrets(written)
    record = RunRecord(
        run_id=run_id or uuid.uuid4().hex,
        job_name=job_name,
        tags=dict(tags or {}),
        config_snapshot={
            "resources": prepared.snapshot,
            "ops": {key: {"config": redact(value)} for key, value in written.items()},
        },
        steps=[step.key for step in plan.steps],
    )
    secrets = prepared.secrets | collect_secrets(op_configs)
    recorder = RunRecorder(record, instance, secrets, on_event, bool(plan.steps))
    run = RunState(
        plan,
        recorder,
        prepared,
        op_configs,
        io_configs(plan, config["ops"], bindings),
        BaseConfigHashes(bindings, os.environ),
    )
    # a value typed in a form over an EnvVar is secret although its field is not (#11)
    record.config_snapshot = run.scrub.data(record.config_snapshot)
    # The run is written with its first events at the first flush: a run that ends within a
    # tenth of a second is written once, in one transaction, when it ends.
    run.emit(RunEvent(record.run_id, EventType.RUN_START, message=f"run of {job_name} started"))
    watch(recorder)
    load_known_versions(run)
    status = RunStatus.FAILURE
    error: BaseException | None = refused
    try:
        if refused is not None:
            raise refused
        with prepared.setup(
            recorder, sorted(needed), logging.getLogger("workbench.resource")
        ) as ready:
            run.resources = ready
            _run_steps(run, max_workers)
        status = RunStatus.FAILURE if run.failed else RunStatus.SUCCESS
    except KeyboardInterrupt as interrupt:
        where = run.scrub("".join(traceback.format_exception(interrupt)))
        _finish(run, RunStatus.CANCELED, f"the run was interrupted\n{where}")
        raise
    except Exception as exc:
        error = run.scrub.exception(exc)
    if error is not None:
        text = run.scrub("".join(traceback.format_exception(error)))
        run.emit(
            RunEvent(
                record.run_id,
                EventType.RUN_FAILURE,
                message=run.scrub(
                    str(error)
                    if isinstance(error, DagsterResourceFunctionError)
                    else f"the run failed: {type(error).__name__}: {error}"
                ),
                data={"traceback": text},
            )
        )
        _finish(run, RunStatus.FAILURE, text)
    else:
        first = next(iter(run.failed.items()), None)
        message = None
        if first is not None:
            message = run.scrub("".join(traceback.format_exception(first[1])))
        _finish(run, status, message)
    result = ExecuteInProcessResult(
        run_id=record.run_id,
        success=status is RunStatus.SUCCESS,
        events=recorder.events,
        values=run.values,
        asset_values=run.asset_values,
        record=recorder.record,
        storage_error=recorder.storage_error,
    )
    if raise_on_error and not result.success:
        if isinstance(error, DagsterResourceFunctionError):
            raise error
        if error is not None:
            raise ExecutionError(
                run.scrub(f"run {record.run_id} failed: {type(error).__name__}: {error}"),
                run_id=record.run_id,
            ) from error
        # As in Dagster, the step's own exception is raised (an op's KeyError stays a
        # KeyError); a note says where it happened. see #12
        step_key, cause = next(iter(run.failed.items()))
        cause.add_note(run.scrub(f"(step {step_key!r} failed in run {record.run_id})"))
        raise cause
    return result


def _finish(run: RunState, status: RunStatus, error: str | None) -> None:
    event_type = {
        RunStatus.SUCCESS: EventType.RUN_SUCCESS,
        RunStatus.CANCELED: EventType.RUN_CANCELED,
    }.get(status, EventType.RUN_FAILURE)
    if event_type is not EventType.RUN_FAILURE or not any(
        event.event_type is EventType.RUN_FAILURE for event in run.recorder.events
    ):
        run.emit(RunEvent(run.run_id, event_type, message=f"run {status.value.lower()}"))
    run.recorder.finish(status, error)


def _skip(run: RunState, step: Step, because: str) -> None:
    run.skipped.add(step.key)
    run.emit(
        RunEvent(
            run.run_id,
            EventType.STEP_SKIPPED,
            step_key=step.key,
            message=f"step {step.key!r} skipped: upstream {because!r} did not succeed",
        )
    )


def _blocked_by(run: RunState, step: Step) -> str | None:
    for up in step.upstream:
        if up in run.failed or up in run.skipped:
            return up
    return None


def _run_steps(run: RunState, max_workers: int) -> None:
    if max_workers <= 1 or len(run.plan.steps) < 2:
        for step in run.plan.steps:
            blocker = _blocked_by(run, step)
            if blocker is not None:
                _skip(run, step, blocker)
                continue
            run.run_step(step)
        return
    # a thread pool only when asked for: kept out of the core's import (see #16)
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    children = run.plan.children()
    by_key = {step.key: step for step in run.plan.steps}
    waiting = {step.key: set(step.upstream) for step in run.plan.steps}
    ready = [key for key, ups in waiting.items() if not ups]
    with ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="workbench") as pool:
        running: dict[Future[bool], str] = {}
        while ready or running:
            for key in ready:
                running[pool.submit(run.run_step, by_key[key])] = key
            ready = []
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                key = running.pop(future)
                future.result()
                queue = [key]
                while queue:
                    finished = queue.pop()
                    for child in children[finished]:
                        waiting[child].discard(finished)
                        if waiting[child]:
                            continue
                        blocker = _blocked_by(run, by_key[child])
                        if blocker is None:
                            ready.append(child)
                        else:
                            _skip(run, by_key[child], blocker)
                            queue.append(child)
