"""The Dagster engine: definitions written with ``import dagster`` run in Dagster itself.

This is the one module of workbench that imports ``dagster`` (an import-linter contract
forbids it everywhere else), and it does so inside functions, so ``import workbench`` never
loads Dagster. Runs go to a persistent DagsterInstance: the one ``DAGSTER_HOME`` names, else
one under ``WORKBENCH_HOME/dagster``.
"""

from __future__ import annotations

import os
import threading
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.app.engines._dagster_config import (
    CronTimes,
    asset_selection,
    field_values,
    nested_resource_class,
    secrets_as_env,
    to_dagster_env,
)
from workbench.app.engines._dagster_errors import forget_listeners, translated
from workbench.app.engines._dagster_gather import describe, gather, group_names, usage
from workbench.app.engines._dagster_records import DagsterRunStore, run_text, to_run_event
from workbench.app.engines._dagster_status import (
    STALE_OR_MISSING,
    asset_statuses,
    by_records,
    by_resolver,
)
from workbench.core.fields import model_field_specs, partial_parts
from workbench.core.sensor import TickResult
from workbench.core.session import current_session
from workbench.errors import DagsterInvariantViolationError, DefinitionError, MissingExtraError

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Mapping, Sequence

    from workbench.app.engines.base import Library
    from workbench.core.fields import FieldSpec
    from workbench.widgets.graph import AssetStatus

__all__ = ["CronTimes", "DagsterEngine", "dagster_instance", "stale_resolver", "to_run_event"]

EPHEMERAL_JOB_NAME = "__ephemeral_asset_job__"
"""The job name ``dagster.materialize`` gives its runs (kept, so history reads the same)."""

_instances: dict[str, Any] = {}
_lock = threading.Lock()


def _dg() -> Any:
    try:
        import dagster
    except ImportError as exc:  # pragma: no cover - only without the extra
        raise MissingExtraError("running Dagster definitions", "dagster", "dagster") from exc
    return dagster


def dagster_instance() -> Any:
    """The persistent DagsterInstance runs use: ``DAGSTER_HOME``'s, else one in WORKBENCH_HOME.

    History kept there survives kernel restarts; one instance is made per directory.
    """
    dg = _dg()
    if os.environ.get("DAGSTER_HOME"):
        folder = Path(os.environ["DAGSTER_HOME"])
    else:
        from workbench.storage.home import workbench_home

        folder = workbench_home() / "dagster"
    key = str(folder.resolve())
    with _lock:
        if key not in _instances:
            folder.mkdir(parents=True, exist_ok=True)
            settings = folder / "dagster.yaml"
            if not settings.exists():  # no telemetry and no welcome banner in a notebook
                settings.write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
            _instances[key] = dg.DagsterInstance.from_config(key)
        return _instances[key]


STALE_RESOLVER = "dagster._core.definitions.data_version.CachingStaleStatusResolver"
"""Dagster's stale-status resolver: a private API, so it is read in one place (see #15)."""


def stale_resolver(instance: Any, graph: Any) -> Any:
    """Dagster's own stale-status resolver over an asset graph and an instance.

    It answers ``get_status(key)`` (MISSING, STALE or FRESH) and ``get_stale_causes(key)``,
    as Dagster's UI and its stale-asset sensors read them.

    Raises:
        DagsterInvariantViolationError: this Dagster has no such resolver where workbench
            looks for it (a private API that may move between releases).
    """
    try:
        from dagster._core.asset_graph_view.asset_graph_view import AssetGraphView
        from dagster._core.definitions.data_version import CachingStaleStatusResolver
        from dagster._core.definitions.temporal_context import TemporalContext
        from dagster._time import get_current_datetime

        context = AssetGraphView(
            temporal_context=TemporalContext(
                effective_dt=get_current_datetime(), last_event_id=None
            ),
            instance=instance,
            asset_graph=graph,
        )
        return CachingStaleStatusResolver(
            instance=instance, asset_graph=graph, loading_context=context
        )
    except (ImportError, TypeError) as exc:
        version = getattr(_dg(), "__version__", "?")
        raise DagsterInvariantViolationError(
            f"Dagster {version} has no stale-status resolver where workbench reads it "
            f"({STALE_RESOLVER}: {exc}), so staleness is unknown; install the Dagster version "
            "workbench supports (pip install 'dagster-workbench[dagster]'), or select the "
            "assets to run instead of --stale"
        ) from exc


class DagsterEngine:
    """Runs Dagster definitions in Dagster, with the notebook's form edits bound."""

    name: Library = "dagster"

    # -- definitions -------------------------------------------------------------------------

    def gather(self, namespace: Mapping[str, Any]) -> Any:
        """Merge every Definitions and ``@definitions`` function with loose Dagster objects.

        Raises:
            DefinitionError: one resource key bound to two different resources (naming both
                places), or a ``@definitions`` function that raised.
        """
        return gather(_dg(), namespace)

    def resources(self, defs: Any) -> dict[str, Any]:
        """The resources bound in the code, by key."""
        return dict(defs.resources or {})

    def usage(self, defs: Any) -> Mapping[str, Sequence[str]]:
        """Resource key -> the assets, jobs, sensors and schedules that need it."""
        return usage(defs)

    def validate(self, defs: Any) -> Any:
        """Check the definitions load together (Dagster's own check)."""
        with translated("the Dagster definitions do not load"):
            _dg().Definitions.validate_loadable(defs)
        return defs

    def describe(self, defs: Any) -> dict[str, Any]:
        """What ``list`` shows, in the shape the native engine gives it."""
        return describe(defs, self.usage(defs))

    # -- resources and forms -----------------------------------------------------------------

    def field_specs(self, resource: Any) -> tuple[FieldSpec, ...]:
        """The fields of a Dagster resource (or ``configure_at_launch()`` partial)."""
        cls, values, partial = field_values(_dg(), resource)
        return model_field_specs(cls, values, partial=partial)

    def form_builder(self) -> Callable[[Any, dict[str, Any]], Any]:
        """Forms build Dagster resources here (workbench's EnvVars become Dagster's)."""
        return self.build_resource

    def build_resource(self, resource: Any, config: Mapping[str, Any]) -> Any:
        """A new resource of ``resource``'s class from a form's config.

        workbench EnvVars and ``{"env": NAME}`` become Dagster EnvVars; nested resources are
        built from their dicts.
        """
        parts = partial_parts(resource)
        cls = parts[0] if parts is not None else type(resource)
        return self._build(cls, config)

    def _build(self, cls: type[Any], config: Mapping[str, Any]) -> Any:
        dg = _dg()
        values: dict[str, Any] = {}
        for name, value in config.items():
            info = cls.model_fields.get(name)
            nested = nested_resource_class(info.annotation, info.metadata) if info else None
            if nested is not None and isinstance(value, dict):
                values[name] = self._build(nested, value)
            else:
                values[name] = to_dagster_env(dg, value, info)
        return cls(**values)

    # -- runs --------------------------------------------------------------------------------

    def bound(self, defs: Any) -> Any:
        """``defs`` with the notebook's form edits bound (typed secrets read from the env)."""
        code = self.resources(defs)
        overrides = {
            key: secrets_as_env(_dg(), value, key)
            for key, value in current_session().overrides.items()
            if key in code
        }
        if not overrides:
            return defs
        return _dg().Definitions(
            assets=defs.assets,
            jobs=defs.jobs,
            sensors=defs.sensors,
            schedules=defs.schedules,
            resources={**code, **overrides},
        )

    def materialize(
        self,
        defs: Any,
        *,
        selection: Sequence[str] = (),
        run_config: Mapping[str, Any] | None = None,
        only_stale: bool = False,
        tags: Mapping[str, str] | None = None,
        on_event: Callable[[Any], None] | None = None,
    ) -> Any:
        """Materialize in Dagster, as ``dagster.materialize`` does; progress from its events.

        With ``only_stale``, only the selected assets Dagster calls stale or missing run.
        """
        dg = _dg()
        bound = self.bound(defs)
        chosen = asset_selection(dg, selection)
        if only_stale:
            chosen = dg.AssetSelection.assets(*self._stale_keys(defs, chosen))
        holder = dg.Definitions(
            jobs=[dg.define_asset_job(name=EPHEMERAL_JOB_NAME, selection=chosen)],
            assets=bound.assets,
            resources=bound.resources,
        )
        with translated("cannot build the run"):
            job = holder.resolve_job_def(EPHEMERAL_JOB_NAME)
        return self._execute(job, run_config, on_event, tags=tags)

    def _stale_keys(self, defs: Any, chosen: Any) -> list[Any]:
        """The keys of ``chosen`` that Dagster's resolver calls stale or missing, upstream first."""
        graph = defs.resolve_asset_graph()
        with translated("cannot resolve the selection"):
            wanted = chosen.resolve(graph)
        resolver = stale_resolver(dagster_instance(), graph)
        return [
            key
            for key in graph.toposorted_asset_keys
            if key in wanted and resolver.get_status(key).value in STALE_OR_MISSING
        ]

    def launch(
        self,
        defs: Any,
        job_name: str,
        *,
        run_config: Mapping[str, Any] | None = None,
        tags: Mapping[str, str] | None = None,
        on_event: Callable[[Any], None] | None = None,
    ) -> Any:
        """Run a job in Dagster (``execute_in_process``) with the form edits bound."""
        bound = self.bound(defs)
        with translated(f"cannot find job {job_name!r}"):
            job = bound.resolve_job_def(job_name)
        return self._execute(job, run_config, on_event, tags=tags)

    def _execute(
        self,
        job: Any,
        run_config: Mapping[str, Any] | None,
        on_event: Callable[[Any], None] | None,
        *,
        tags: Mapping[str, str] | None,
        asset_selection: Sequence[Any] | None = None,
    ) -> Any:
        instance = dagster_instance()
        run_id = str(uuid.uuid4())
        if on_event is not None:
            callback = on_event

            def forward(entry: Any) -> None:
                callback(to_run_event(entry))

            instance.add_event_listener(run_id, forward)
        try:
            with translated(f"Dagster could not run {job.name!r}"):
                return job.execute_in_process(
                    run_config=dict(run_config) if run_config else None,
                    instance=instance,
                    raise_on_error=False,
                    run_id=run_id,
                    tags=dict(tags) if tags else None,
                    asset_selection=list(asset_selection) if asset_selection else None,
                )
        finally:
            forget_listeners(instance, run_id)

    def run_text(self, result: Any) -> str:
        """A Dagster run's outcome, read back from the instance, as workbench's result shows it."""
        return run_text(self.run_store(), result.run_id)

    def tick(
        self,
        defs: Any,
        name: str,
        *,
        cursor: str | None = None,
        at: dt.datetime | None = None,
        launch: bool = False,
    ) -> TickResult:
        """Evaluate a sensor or schedule with Dagster's contexts, resources injected."""
        dg = _dg()
        bound = self.bound(defs)
        sensors = {item.name: item for item in bound.sensors or ()}
        schedules = {item.name: item for item in bound.schedules or ()}
        instance = dagster_instance()
        with translated(f"evaluating {name!r} failed"):
            if name in sensors:
                target = sensors[name]
                context = dg.build_sensor_context(
                    instance=instance,
                    cursor=cursor,
                    sensor_name=name,
                    resources=bound.resources,
                    definitions=bound,
                )
            elif name in schedules:
                target = schedules[name]
                context = dg.build_schedule_context(
                    instance=instance, scheduled_execution_time=at, resources=bound.resources
                )
            else:
                from workbench.core._suggest import unknown_name

                raise DefinitionError(
                    unknown_name(
                        "sensor or schedule", name, [*sensors, *schedules], none="none are defined"
                    )
                )
            with context:  # resources set up for the tick and torn down after it
                data = target.evaluate_tick(context)
        requests = list(data.run_requests or [])
        result = TickResult(
            name=name,
            run_requests=requests,
            skip_message=data.skip_message,
            cursor=getattr(data, "cursor", None),
        )
        if launch:
            for request in requests:
                job = bound.resolve_job_def(request.job_name or target.job_name)
                result.runs.append(
                    self._execute(
                        job,
                        request.run_config,
                        None,
                        tags=request.tags,
                        asset_selection=request.asset_selection,
                    )
                )
        return result

    def schedule(self, defs: Any, name: str) -> CronTimes:
        """The tick times of Dagster's schedule ``name`` (its cron and timezone)."""
        from zoneinfo import ZoneInfo

        with translated(f"cannot find schedule {name!r}"):
            found = defs.resolve_schedule_def(name)
        return CronTimes(found.cron_schedule, ZoneInfo(found.execution_timezone or "UTC"))

    # -- history -----------------------------------------------------------------------------

    def run_store(self) -> DagsterRunStore:
        """Dagster's instance, read as a run store by the runs widgets."""
        dg = _dg()
        return DagsterRunStore(dagster_instance(), dg.RunsFilter, dg.DagsterRunStatus)

    def statuses(self, defs: Any) -> Mapping[str, AssetStatus]:
        """Asset key -> failed, missing, stale (Dagster's causes), fresh or external.

        Staleness is Dagster's own, read from its instance; when this Dagster lacks the
        resolver, materialized assets show ``fresh`` with a note saying so.
        """
        graph = defs.resolve_asset_graph()
        instance = dagster_instance()
        try:
            status_of = by_resolver(stale_resolver(instance, graph))
        except DagsterInvariantViolationError as exc:
            status_of = by_records(instance, graph.toposorted_asset_keys, str(exc))
        return asset_statuses(defs, graph, self.run_store(), status_of)

    def selected_keys(self, defs: Any, selection: Sequence[str]) -> set[str]:
        """The keys a ``--select`` list names, read as ``materialize`` reads it."""
        chosen = asset_selection(_dg(), selection).resolve(defs.resolve_asset_graph())
        return {key.to_user_string() for key in chosen}

    def group_names(self, defs: Any) -> Mapping[str, str]:
        """Asset key -> its group in Dagster's asset graph."""
        return group_names(defs)
