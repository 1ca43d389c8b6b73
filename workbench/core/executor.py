"""The in-process executor: runs a plan's steps in order and records the run's events."""

from __future__ import annotations

import inspect
import logging
import os
import threading
import time
import traceback
import uuid
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, Any

from workbench.core._params import Role
from workbench.core._resources import PreparedResources, prepare_resources
from workbench.core.asset import Asset, AssetKey, AssetSpec, MaterializeResult, Output
from workbench.core.config import REDACTED, Config, config_hash
from workbench.core.context import RunLog, StepContext
from workbench.core.definitions import ASSET_JOB_NAME, Definitions, normalize_run_config
from workbench.core.graph import as_selection
from workbench.core.instance import Instance, default_instance
from workbench.core.plan import Plan, Source, Step, plan_assets, plan_job
from workbench.core.resource import InputContext, OutputContext
from workbench.core.result import ExecuteInProcessResult
from workbench.core.run import EventType, RunEvent, RunRecord, RunStatus
from workbench.core.session import current_session
from workbench.errors import ConfigError, ExecutionError, StorageError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

    from workbench.core.job import Job

__all__ = ["execute_job", "execute_plan", "materialize"]

logger = logging.getLogger("workbench.run")

_NO_VALUE: Any = MaterializeResult._NO_VALUE


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
        raise_on_error: raise ExecutionError when a step fails (else ``result.success``).
        tags: tags recorded with the run.
        instance: where to record the run and keep values (default: WORKBENCH_HOME).
        only_stale: run only the selected assets that are missing or stale.
        max_workers: run independent steps in a thread pool of this size.
        on_event: called with every event as it happens (progress displays).
        run_id: the run's id (a new one by default).

    Raises:
        DefinitionError: the assets cannot work together (listing every problem).
        ConfigError: the run config is invalid (nothing runs).
        ExecutionError: a step failed and ``raise_on_error`` is true.
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
    plan = plan_assets(graph, keys)
    return execute_plan(
        plan,
        job_name=ASSET_JOB_NAME,
        bindings=defs.resources,
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
    bindings = {**job.resource_defs, **dict(resources or {})}
    if job.is_asset_job:
        graph = getattr(job, "_graph", None)
        if graph is None:
            raise ConfigError(
                f"asset job {job.name!r} must be resolved by the Definitions that hold it; "
                f"use defs.resolve_job_def({job.name!r}).execute_in_process()"
            )
        plan = plan_assets(graph, job._selected)  # type: ignore[attr-defined]
    else:
        holder = Definitions(jobs=[job], resources=bindings)
        holder.validate()
        plan = plan_job(job, op_selection)
    merged = _merge_config(normalize_run_config(job.config), normalize_run_config(run_config))
    return execute_plan(
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


def _merge_config(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    return {
        section: {**base.get(section, {}), **over.get(section, {})}
        for section in ("ops", "resources")
    }


class _Scrubber:
    def __init__(self, secrets: Iterable[str]) -> None:
        self.secrets = sorted(secrets, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text


def _op_configs(plan: Plan, ops: Mapping[str, Any]) -> dict[str, Any]:
    errors: list[tuple[str, str]] = []
    steps = {step.key: step for step in plan.steps}
    configs: dict[str, Any] = {}
    for name in ops:
        if name not in steps:
            import difflib

            close = difflib.get_close_matches(name, list(steps), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            errors.append((f"ops.{name}", f"no step named {name!r} in this run{hint}"))
    for step in plan.steps:
        given = (ops.get(step.key) or {}).get("config")
        if step.config_class is None:
            if given:
                errors.append((f"ops.{step.key}", "this step takes no config; remove it"))
            continue
        try:
            if isinstance(given, Config):
                configs[step.key] = given
            else:
                configs[step.key] = step.config_class(**dict(given or {}))
        except ConfigError as exc:
            errors.extend((f"ops.{step.key}.config.{path}", text) for path, text in exc.errors)
        except TypeError as exc:
            errors.append((f"ops.{step.key}.config", f"must be a mapping of fields ({exc})"))
    if errors:
        raise ConfigError.from_errors("run config is invalid; nothing was run:", errors)
    return configs


def _validate_config(
    plan: Plan, bindings: Mapping[str, Any], needed: set[str], config: Mapping[str, Any]
) -> tuple[PreparedResources, dict[str, Any]]:
    """Check resource and op config together; raise one ConfigError listing every problem."""
    errors: list[tuple[str, str]] = []
    prepared: PreparedResources | None = None
    op_configs: dict[str, Any] = {}
    try:
        prepared = prepare_resources(bindings, needed, config["resources"], os.environ)
    except ConfigError as exc:
        errors.extend(exc.errors or [("", str(exc))])
    try:
        op_configs = _op_configs(plan, config["ops"])
    except ConfigError as exc:
        errors.extend(exc.errors or [("", str(exc))])
    if errors or prepared is None:
        raise ConfigError.from_errors("run config is invalid; nothing was run:", errors)
    return prepared, op_configs


class _Run:
    """The state of one run while it executes."""

    def __init__(
        self,
        plan: Plan,
        record: RunRecord,
        instance: Instance,
        prepared: PreparedResources,
        op_configs: Mapping[str, Any],
        on_event: Callable[[RunEvent], None] | None,
    ) -> None:
        self.plan = plan
        self.record = record
        self.run_id = record.run_id
        self.instance = instance
        self.prepared = prepared
        self.op_configs = op_configs
        self.on_event = on_event
        self.scrub = _Scrubber(prepared.secrets)
        self.events: list[RunEvent] = []
        self._pending: list[RunEvent] = []
        self._lock = threading.Lock()
        self.values: dict[tuple[str, str], Any] = {}
        self.asset_values: dict[AssetKey, Any] = {}
        self.failed: dict[str, BaseException] = {}
        self.skipped: set[str] = set()
        self.resources: dict[str, Any] = {}
        self.storage_error: StorageError | None = None
        self.data_versions: dict[AssetKey, str] = {}

    def emit(self, event: RunEvent) -> None:
        with self._lock:
            self.events.append(event)
            self._pending.append(event)
        if self.on_event is not None:
            try:
                self.on_event(event)
            except Exception:  # a display callback must never break the run
                logger.exception("on_event callback failed for %s", event.event_type.value)

    def flush(self) -> None:
        with self._lock:
            batch, self._pending = self._pending, []
        if not batch or self.storage_error is not None:
            return
        try:
            self.instance.run_store.add_events(batch)
        except StorageError as exc:
            self.storage_error = exc
            logger.warning("run %s is no longer recorded: %s", self.run_id, exc)

    def io_manager(self, key: str) -> Any:
        manager = self.resources.get(key)
        if manager is None and key == "io_manager":
            manager = self.instance.io_manager
        return manager

    def input_value(self, source: Source, step: Step, name: str) -> Any:
        if source.fan_in:
            return [self.input_value(item, step, name) for item in source.fan_in]
        if source.step is not None:
            return self.values[(source.step, source.output)]
        assert source.asset_key is not None
        key = source.asset_key
        graph = self.plan.graph
        owner = graph.assets.get(key) if graph is not None else None
        manager = self.io_manager(owner.io_manager_key if owner else "io_manager")
        if manager is None:
            raise ExecutionError(
                f"asset {key.to_user_string()!r} is not part of this run and nothing stores "
                "asset values here; add it to the selection",
                run_id=self.run_id,
                step=step.key,
            )
        upstream = OutputContext(
            asset_key=key, step_key=key.to_python_identifier(), name="result", run_id=""
        )
        return manager.load_input(InputContext(asset_key=key, name=name, upstream_output=upstream))

    def run_step(self, step: Step) -> bool:
        """Run one step; return whether it succeeded (its failure is recorded, not raised)."""
        self.emit(
            RunEvent(
                self.run_id,
                EventType.STEP_START,
                step_key=step.key,
                message=f"step {step.key!r} started",
            )
        )
        started = time.perf_counter()
        context: StepContext | None = None
        try:
            context = step.context_class(
                run_id=self.run_id,
                step_key=step.key,
                resources={
                    key: self.resources[key] for key in step.resource_keys if key in self.resources
                },
                log=RunLog(self.run_id, step.key, self.emit, self.scrub),
                op_config=self.op_configs.get(step.key),
                asset_keys=step.asset_keys,
                tags=self.record.tags,
            )
            kwargs: dict[str, Any] = {}
            for param in step.params:
                if param.role is Role.CONTEXT:
                    kwargs[param.name] = context
                elif param.role is Role.RESOURCE:
                    kwargs[param.name] = self.resources[param.name]
                elif param.role is Role.CONFIG:
                    kwargs[param.name] = self.op_configs[step.key]
                elif param.name in step.sources:
                    kwargs[param.name] = self.input_value(
                        step.sources[param.name], step, param.name
                    )
            result = step.fn(**kwargs)
            if inspect.isgenerator(result):
                result = list(result)
            self._handle_outputs(step, result, context)
        except Exception as exc:
            self._fail(step, exc, time.perf_counter() - started)
            return False
        duration = time.perf_counter() - started
        self.emit(
            RunEvent(
                self.run_id,
                EventType.STEP_SUCCESS,
                step_key=step.key,
                message=f"step {step.key!r} succeeded in {duration:.3f}s",
                data={"duration": duration},
            )
        )
        self.flush()
        return True

    def _fail(self, step: Step, exc: Exception, duration: float) -> None:
        self.failed[step.key] = exc
        scrubbed = [self.scrub(str(arg)) if isinstance(arg, str) else arg for arg in exc.args]
        if self.scrub.secrets and list(exc.args) != scrubbed:
            exc.args = tuple(scrubbed)
        text = self.scrub("".join(traceback.format_exception(exc)))
        self.emit(
            RunEvent(
                self.run_id,
                EventType.STEP_FAILURE,
                step_key=step.key,
                message=self.scrub(f"step {step.key!r} failed: {type(exc).__name__}: {exc}"),
                data={"duration": duration, "traceback": text, "error_type": type(exc).__name__},
            )
        )
        self.flush()

    def _normalize(
        self, step: Step, result: Any
    ) -> dict[str, tuple[Any, dict[str, Any], str | None]]:
        outputs: dict[str, tuple[Any, dict[str, Any], str | None]] = {}
        names = step.outputs
        items = (
            result
            if isinstance(result, list)
            and step.asset is not None
            and all(isinstance(item, MaterializeResult | Output) for item in result)
            and result
            else None
        )
        if items is None and len(names) > 1:
            if isinstance(result, tuple) and len(result) == len(names):
                items = [Output(value, name) for name, value in zip(names, result, strict=True)]
            elif isinstance(result, list) and all(isinstance(item, Output) for item in result):
                items = result
            else:
                raise ExecutionError(
                    f"step {step.key!r} declares outputs {', '.join(names)}; return a tuple of "
                    f"{len(names)} values (or yield Output/MaterializeResult for each)",
                    run_id=self.run_id,
                    step=step.key,
                )
        if items is None:
            items = [result]
        key_to_output = {key: name for name, key in step.output_keys.items() if key is not None}
        for item in items:
            if isinstance(item, MaterializeResult):
                if item.asset_key is not None:
                    if item.asset_key not in key_to_output:
                        raise ExecutionError(
                            f"step {step.key!r} returned a MaterializeResult for "
                            f"{item.asset_key.to_user_string()!r}, which it does not declare",
                            run_id=self.run_id,
                            step=step.key,
                        )
                    name = key_to_output[item.asset_key]
                else:
                    name = names[0]
                value = item.value if item.has_value else _NO_VALUE
                outputs[name] = (value, item.metadata, item.data_version)
            elif isinstance(item, Output):
                if item.output_name not in names and not (len(names) == 1):
                    raise ExecutionError(
                        f"step {step.key!r} has no output {item.output_name!r}; outputs: "
                        f"{', '.join(names)}",
                        run_id=self.run_id,
                        step=step.key,
                    )
                name = item.output_name if item.output_name in names else names[0]
                outputs[name] = (item.value, item.metadata, item.data_version)
            else:
                outputs[names[0]] = (item, {}, None)
        return outputs

    def _handle_outputs(self, step: Step, result: Any, context: StepContext) -> None:
        outputs = self._normalize(step, result)
        for name, (value, metadata, data_version) in outputs.items():
            self.values[(step.key, name)] = value
            asset_key = step.output_keys.get(name)
            if asset_key is None:
                continue
            all_metadata = {
                **metadata,
                **context.output_metadata.get(name, {}),
                **context.output_metadata.get(f"asset:{asset_key.to_user_string()}", {}),
            }
            if value is not _NO_VALUE:
                self.asset_values[asset_key] = value
                manager = self.io_manager(step.io_manager_key)
                if manager is not None:
                    out_context = OutputContext(
                        asset_key=asset_key,
                        step_key=step.key,
                        name=name,
                        run_id=self.run_id,
                        metadata=all_metadata,
                    )
                    manager.handle_output(out_context, value)
                    all_metadata.update(out_context.output_metadata)
            self._materialized(step, asset_key, all_metadata, data_version)

    def _materialized(
        self, step: Step, key: AssetKey, metadata: dict[str, Any], data_version: str | None
    ) -> None:
        assert step.asset is not None
        version = data_version or f"{self.run_id[:12]}"
        self.data_versions[key] = version
        inputs = {}
        for up in step.asset.upstream_keys:
            known = self.data_versions.get(up)
            if known is not None:
                inputs[up.to_user_string()] = known
        config = self.op_configs.get(step.key)
        hashes = sorted((k, self.prepared.hash_of(k)) for k in step.asset.required_resource_keys)
        self.emit(
            RunEvent(
                self.run_id,
                EventType.ASSET_MATERIALIZATION,
                step_key=step.key,
                message=f"materialized {key.to_user_string()!r}",
                data={
                    "asset_key": key.to_user_string(),
                    "metadata": _jsonable(metadata),
                    "code_version": step.asset.code_version_of(key),
                    "config_hash": config_hash([hashes, config]),
                    "data_version": version,
                    "input_data_versions": inputs,
                },
            )
        )


def _jsonable(metadata: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in metadata.items():
        if value is None or isinstance(value, str | int | float | bool):
            out[str(key)] = value
        elif isinstance(value, list | tuple) and all(
            isinstance(item, str | int | float | bool) for item in value
        ):
            out[str(key)] = list(value)
        else:
            out[str(key)] = str(getattr(value, "value", value))
    return out


def _known_versions(run: _Run) -> None:
    loaded = (
        {
            key
            for step in run.plan.steps
            if step.asset is not None
            for key in step.asset.upstream_keys
        }
        if any(step.asset for step in run.plan.steps)
        else set()
    )
    produced = {key for step in run.plan.steps for key in step.asset_keys}
    wanted = [key.to_user_string() for key in loaded - produced]
    if not wanted:
        return
    try:
        latest = run.instance.run_store.latest_materializations(wanted)
    except StorageError:
        return
    for text, found in latest.items():
        if found.data_version:
            run.data_versions[AssetKey.from_user_string(text)] = found.data_version


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
    overrides = current_session().overrides
    effective = {**dict(bindings), **{k: v for k, v in overrides.items() if k in bindings}}
    needed = {key for key in plan.resource_keys if key in effective}
    prepared, op_configs = _validate_config(plan, effective, needed, config)
    record = RunRecord(
        run_id=run_id or uuid.uuid4().hex,
        job_name=job_name,
        tags=dict(tags or {}),
        config_snapshot={
            "resources": prepared.snapshot,
            "ops": {key: {"config": _redacted(value)} for key, value in op_configs.items()},
        },
        steps=[step.key for step in plan.steps],
    )
    run = _Run(plan, record, instance, prepared, op_configs, on_event)
    try:
        instance.run_store.add_run(record)
    except StorageError as exc:
        run.storage_error = exc
        logger.warning("run %s is not recorded: %s", record.run_id, exc)
    run.emit(RunEvent(record.run_id, EventType.RUN_START, message=f"run of {job_name} started"))
    _known_versions(run)
    status = RunStatus.FAILURE
    error: BaseException | None = None
    try:
        with prepared.setup(
            record.run_id, sorted(needed), logging.getLogger("workbench.resource")
        ) as ready:
            run.resources = ready
            _run_steps(run, max_workers)
        status = RunStatus.FAILURE if run.failed else RunStatus.SUCCESS
    except KeyboardInterrupt:
        status = RunStatus.CANCELED
        _finish(run, status, "the run was interrupted")
        raise
    except Exception as exc:
        error = exc
    if error is not None:
        text = run.scrub("".join(traceback.format_exception(error)))
        run.emit(
            RunEvent(
                record.run_id,
                EventType.RUN_FAILURE,
                message=run.scrub(
                    f"resource setup or teardown failed: {type(error).__name__}: {error}"
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
        events=run.events,
        values=run.values,
        asset_values=run.asset_values,
        record=run.record,
        storage_error=run.storage_error,
    )
    if raise_on_error and not result.success:
        if error is not None:
            raise ExecutionError(
                run.scrub(
                    f"run {record.run_id} failed while setting up or tearing down "
                    f"resources: {type(error).__name__}: {error}"
                ),
                run_id=record.run_id,
            ) from error
        step_key, cause = next(iter(run.failed.items()))
        raise ExecutionError(
            run.scrub(
                f"step {step_key!r} failed in run {record.run_id}: {type(cause).__name__}: {cause}"
            ),
            run_id=record.run_id,
            step=step_key,
        ) from cause
    return result


def _redacted(value: Any) -> Any:
    from workbench.core.config import redact

    return redact(value)


def _finish(run: _Run, status: RunStatus, error: str | None) -> None:
    event_type = {
        RunStatus.SUCCESS: EventType.RUN_SUCCESS,
        RunStatus.CANCELED: EventType.RUN_CANCELED,
    }.get(status, EventType.RUN_FAILURE)
    if event_type is not EventType.RUN_FAILURE or not any(
        event.event_type is EventType.RUN_FAILURE for event in run.events
    ):
        run.emit(RunEvent(run.run_id, event_type, message=f"run {status.value.lower()}"))
    run.record.status = status
    run.record.end_time = time.time()
    run.record.error = error
    run.flush()
    if run.storage_error is None:
        try:
            run.instance.run_store.finish_run(
                run.run_id, status, end_time=run.record.end_time, error=error
            )
        except StorageError as exc:
            run.storage_error = exc


def _skip(run: _Run, step: Step, because: str) -> None:
    run.skipped.add(step.key)
    run.emit(
        RunEvent(
            run.run_id,
            EventType.STEP_SKIPPED,
            step_key=step.key,
            message=f"step {step.key!r} skipped: upstream {because!r} did not succeed",
        )
    )


def _blocked_by(run: _Run, step: Step) -> str | None:
    for up in step.upstream:
        if up in run.failed or up in run.skipped:
            return up
    return None


def _run_steps(run: _Run, max_workers: int) -> None:
    if max_workers <= 1 or len(run.plan.steps) < 2:
        for step in run.plan.steps:
            blocker = _blocked_by(run, step)
            if blocker is not None:
                _skip(run, step, blocker)
                continue
            run.run_step(step)
        run.flush()
        return
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
    run.flush()
