"""Running one run's steps: inputs loaded, functions called, outputs stored."""

from __future__ import annotations

import inspect
import logging
import time
import traceback
from typing import TYPE_CHECKING, Any

from workbench.core._outputs import NO_VALUE, step_outputs
from workbench.core._params import Role
from workbench.core.context import RunLog, StepContext
from workbench.core.plain import metadata_json, runtime_config
from workbench.core.resource import InputContext, OutputContext
from workbench.core.run import EventType, RunEvent
from workbench.core.versions import BaseConfigHashes, materialization_config_hash
from workbench.errors import ExecutionError, StorageError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from workbench.core._io_config import IOConfigKey
    from workbench.core._recorder import RunRecorder
    from workbench.core._resources import PreparedResources
    from workbench.core.keys import AssetKey
    from workbench.core.plan import Plan, Source, Step

__all__ = ["RunState", "load_known_versions"]

logger = logging.getLogger("workbench.run")


class RunState:
    """One run's steps while it executes: inputs, calls, outputs and materializations.

    What happens is recorded through ``recorder`` (events and the run store).
    """

    def __init__(
        self,
        plan: Plan,
        recorder: RunRecorder,
        prepared: PreparedResources,
        op_configs: Mapping[str, Any],
        io_configs: Mapping[IOConfigKey, Any] | None = None,
        base_hashes: BaseConfigHashes | None = None,
    ) -> None:
        self.plan = plan
        self.recorder = recorder
        self.run_id = recorder.run_id
        self.instance = recorder.instance
        self.emit = recorder.emit
        self.scrub = recorder.scrub
        self.prepared = prepared
        self.op_configs = op_configs
        self.io_configs = dict(io_configs or {})
        self.values: dict[tuple[str, str], Any] = {}
        self.handled: dict[tuple[str, str], str] = {}
        self.asset_values: dict[AssetKey, Any] = {}
        self.failed: dict[str, BaseException] = {}
        self.skipped: set[str] = set()
        self.resources: dict[str, Any] = {}
        self.data_versions: dict[AssetKey, str] = {}
        self._config_hashes: dict[tuple[str, ...], str] = {}
        self.base_hashes = base_hashes

    def _upstream_context(self, source: Source) -> OutputContext:
        if source.step is None and source.asset_key is not None:
            return OutputContext(
                asset_key=source.asset_key,
                step_key=source.asset_key.to_python_identifier(),
                name="result",
                run_id="",
            )
        return OutputContext(
            asset_key=source.asset_key,
            step_key=source.step or "",
            name=source.output,
            run_id=self.run_id,
        )

    def io_manager(self, key: str) -> Any:
        manager = self.resources.get(key)
        if manager is None and key == "io_manager":
            manager = self.instance.io_manager
        return manager

    def input_value(self, source: Source, step: Step, name: str) -> Any:
        if source.fan_in:
            return [self.input_value(item, step, name) for item in source.fan_in]
        input_manager = step.input_manager_keys.get(name)
        if input_manager is not None:
            upstream = self._upstream_context(source)
            return self.resources[input_manager].load_input(
                InputContext(
                    asset_key=source.asset_key,
                    name=name,
                    upstream_output=upstream,
                    config=self.io_configs.get((step.key, "inputs", name)),
                    resources=self.resources,
                )
            )
        if source.step is not None:
            # As in Dagster, a value stored by a bound IO manager is loaded back through it
            # (it may transform on load); the default value store hands back what it just
            # stored, which is the same value, without reading it again. see #12
            handled_by = self.handled.get((source.step, source.output))
            if handled_by is None:
                return self.values[(source.step, source.output)]
            return self.resources[handled_by].load_input(
                InputContext(
                    asset_key=source.asset_key,
                    name=name,
                    upstream_output=self._upstream_context(source),
                    config=self.io_configs.get((step.key, "inputs", name)),
                    resources=self.resources,
                )
            )
        assert source.asset_key is not None
        key = source.asset_key
        graph = self.plan.graph
        manager = self.io_manager(graph.storage_of(key)[0] if graph is not None else "io_manager")
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
                tags=self.recorder.record.tags,
                output_names=step.outputs,
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
        self.recorder.flush()

    def _handle_outputs(self, step: Step, result: Any, context: StepContext) -> None:
        outputs = step_outputs(step, result, self.run_id)
        for name, (value, metadata, data_version) in outputs.items():
            self.values[(step.key, name)] = value
            asset_key = step.output_keys.get(name)
            if asset_key is None:
                self._handle_op_output(step, name, value, context)
                continue
            all_metadata = {
                **metadata,
                **context.output_metadata.get(name, {}),
                **context.output_metadata.get(f"asset:{asset_key.to_user_string()}", {}),
            }
            if value is not NO_VALUE:
                self.asset_values[asset_key] = value
                manager_key = step.output_io_manager_keys.get(name, step.io_manager_key)
                manager = self.io_manager(manager_key)
                if manager is not None:
                    out_context = OutputContext(
                        asset_key=asset_key,
                        step_key=step.key,
                        name=name,
                        run_id=self.run_id,
                        metadata=all_metadata,
                        config=self.io_configs.get((step.key, "outputs", name)),
                        resources=self.resources,
                    )
                    manager.handle_output(out_context, value)
                    all_metadata.update(out_context.output_metadata)
                    if manager_key in self.resources:
                        self.handled[(step.key, name)] = manager_key
            self._materialized(step, asset_key, all_metadata, data_version)

    def _handle_op_output(self, step: Step, name: str, value: Any, context: StepContext) -> None:
        """Hand an op's output to the IO manager bound to its key, if one is bound."""
        key = step.output_io_manager_keys.get(name, "io_manager")
        manager = self.resources.get(key)
        if manager is None:
            return  # the default: op outputs stay in memory for the run
        out_context = OutputContext(
            asset_key=None,
            step_key=step.key,
            name=name,
            run_id=self.run_id,
            metadata=context.output_metadata.get(name, {}),
            config=self.io_configs.get((step.key, "outputs", name)),
            resources=self.resources,
        )
        manager.handle_output(out_context, value)
        self.handled[(step.key, name)] = key

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
            self._config_hashes[cache_key] = materialization_config_hash(hashes, config)
        config_hash = self._config_hashes[cache_key]
        # what staleness compares with: the config without this run's launch config (#14)
        base_hash = config_hash if self.base_hashes is None else self.base_hashes.of(step.asset)
        self.emit(
            RunEvent(
                self.run_id,
                EventType.ASSET_MATERIALIZATION,
                step_key=step.key,
                message=f"materialized {key.to_user_string()!r}",
                data={
                    "asset_key": key.to_user_string(),
                    "metadata": metadata_json(metadata),
                    "code_version": step.asset.code_version_of(key),
                    "config_hash": config_hash,
                    "base_config_hash": base_hash,
                    "data_version": version,
                    "input_data_versions": inputs,
                },
            )
        )


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
    # the store keys assets by their user string; map back to the keys asked for
    wanted = {key.to_user_string(): key for key in loaded - produced}
    if not wanted:
        return
    try:
        latest = run.instance.run_store.latest_materializations(list(wanted))
    except StorageError:
        return
    for text, found in latest.items():
        if found.data_version and text in wanted:
            run.data_versions[wanted[text]] = found.data_version
