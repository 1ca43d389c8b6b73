"""One run's state while it executes: running a step, its inputs, outputs and events."""

from __future__ import annotations

import dataclasses
import inspect
import logging
import threading
import time
import traceback
from typing import TYPE_CHECKING, Any

from workbench.core._params import Role
from workbench.core.asset import AssetKey, MaterializeResult, Output
from workbench.core.config import config_hash, runtime_config
from workbench.core.context import RunLog, StepContext
from workbench.core.resource import InputContext, OutputContext
from workbench.core.run import EventType, RunEvent, RunRecord, RunStatus
from workbench.core.secrets import Scrubber, collect_secrets
from workbench.errors import ExecutionError, StorageError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from workbench.core._resources import PreparedResources
    from workbench.core.instance import Instance
    from workbench.core.plan import Plan, Source, Step

__all__ = ["RunState", "load_known_versions", "watch"]

logger = logging.getLogger("workbench.run")

_NO_VALUE: Any = MaterializeResult._NO_VALUE


class RunState:
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
        # every event passes through this one scrubber before anyone sees or stores it
        self.scrub = Scrubber(prepared.secrets | collect_secrets(op_configs))
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
        self.flushed_at = time.monotonic()
        self.recorded = False
        self.finished = False
        self._write_lock = threading.Lock()
        self._config_hashes: dict[tuple[str, ...], str] = {}

    def emit(self, event: RunEvent) -> None:
        if self.scrub:
            event = dataclasses.replace(
                event, message=self.scrub(event.message), data=self.scrub.data(event.data)
            )
        with self._lock:
            self.events.append(event)
            self._pending.append(event)
        if self.on_event is not None:
            try:
                self.on_event(event)
            except Exception:  # a display callback must never break the run
                logger.exception("on_event callback failed for %s", event.event_type.value)

    def take_pending(self) -> list[RunEvent]:
        """The events not written yet (the caller writes them)."""
        self.flushed_at = time.monotonic()
        with self._lock:
            batch, self._pending = self._pending, []
        return batch

    def flush(self) -> None:
        """Write pending events (and, the first time, the run itself)."""
        with self._write_lock:
            if self.finished or not self.plan.steps:
                return  # a run with nothing to do (say, nothing stale) stays out of history
            batch = self.take_pending()
            if self.storage_error is not None or (self.recorded and not batch):
                return
            try:
                if self.recorded:
                    self.instance.run_store.add_events(batch)
                else:
                    self.instance.run_store.add_run(self.record, batch)
                    self.recorded = True
            except StorageError as exc:
                self.storage_error = exc
                logger.warning("run %s is not recorded: %s", self.run_id, exc)

    def finish(self, status: RunStatus, error: str | None) -> None:
        """Record how the run ended, with its last events, in one write."""
        _watchdog.unwatch(self)
        with self._write_lock:
            if not self.plan.steps:
                self.record.status = status
                self.record.end_time = time.time()
                return
            self.finished = True
            self.record.status = status
            self.record.end_time = time.time()
            self.record.error = error
            events = self.take_pending()
            if self.storage_error is not None:
                return
            store = self.instance.run_store
            try:
                if self.recorded:
                    store.finish_run(
                        self.run_id,
                        status,
                        end_time=self.record.end_time,
                        error=error,
                        events=events,
                    )
                else:
                    store.add_run(self.record, events)
                    self.recorded = True
            except StorageError as exc:
                self.storage_error = exc
                logger.warning("run %s is not recorded: %s", self.run_id, exc)

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
                op_config=runtime_config(self.op_configs.get(step.key)),
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
        except KeyboardInterrupt as exc:
            self._fail(step, exc, time.perf_counter() - started)
            raise
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
        return True

    def _fail(self, step: Step, exc: BaseException, duration: float) -> None:
        self.failed[step.key] = exc
        self.scrub.exception(exc)
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
        resource_keys = tuple(sorted(step.asset.required_resource_keys))
        cache_key = (*resource_keys, f"config:{step.key}" if config is not None else "")
        if cache_key not in self._config_hashes:
            hashes = [(k, self.prepared.hash_of(k)) for k in resource_keys]
            self._config_hashes[cache_key] = config_hash([hashes, config])
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
                    "config_hash": self._config_hashes[cache_key],
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


class _Watchdog:
    """Writes runs that outlive a tenth of a second, and their events every tenth after.

    A run that ends sooner is written once, when it ends. So a process killed in the middle of
    a longer run leaves the run behind (shown as abandoned), and other processes see progress.
    """

    INTERVAL = 0.1

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._runs: set[RunState] = set()
        self._thread: threading.Thread | None = None

    def watch(self, run: RunState) -> None:
        with self._lock:
            self._runs.add(run)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._loop, name="workbench-run-writer", daemon=True
                )
                self._thread.start()

    def unwatch(self, run: RunState) -> None:
        with self._lock:
            self._runs.discard(run)

    def _loop(self) -> None:
        while True:
            time.sleep(self.INTERVAL / 2)
            with self._lock:
                runs = list(self._runs)
            now = time.monotonic()
            for run in runs:
                if now - run.flushed_at >= self.INTERVAL:
                    run.flush()


_watchdog = _Watchdog()


def watch(run: RunState) -> None:
    """Have ``run`` written if it lasts (see _Watchdog)."""
    _watchdog.watch(run)


def load_known_versions(run: RunState) -> None:
    """Read the data versions of upstream assets this run loads rather than computes."""
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
