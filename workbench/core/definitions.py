"""Definitions: assets, jobs, sensors, schedules and resources, validated all at once."""

from __future__ import annotations

import copy
import functools
from typing import TYPE_CHECKING, Any, TypeVar

from workbench.core._arguments import check_arguments
from workbench.core._bindings import (
    asset_resources,
    bind_resources,
    binding_problem,
    missing_resource,
)
from workbench.core._params import Role
from workbench.core._suggest import unknown_name
from workbench.core.asset import Asset, AssetKey, AssetSpec
from workbench.core.graph import AssetGraph
from workbench.core.job import Job
from workbench.core.keys import path_hint
from workbench.core.run_config import RunConfig, normalize_run_config
from workbench.errors import (
    DagsterInvalidDefinitionError,
    DagsterInvariantViolationError,
    DefinitionError,
    DefinitionNotFoundError,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

    from workbench.core.instance import Instance
    from workbench.core.loading import AssetValueLoader
    from workbench.core.schedule import Schedule
    from workbench.core.sensor import Sensor

AutomationT = TypeVar("AutomationT", "Sensor", "Schedule")

# RunConfig, the run-config check and the binding helpers live in run_config.py and
# _bindings.py; their names stay importable from here, where they were first (#17)
__all__ = [
    "ASSET_JOB_NAME",
    "Definitions",
    "LazyDefinitions",
    "RunConfig",
    "asset_resources",
    "bind_resources",
    "definitions",
    "missing_resource",
    "normalize_run_config",
]

ASSET_JOB_NAME = "__ASSET_JOB"


class Definitions:
    """Everything a code location holds: assets, jobs, sensors, schedules and resources.

    Building one is cheap; :meth:`validate` checks everything together and reports every
    problem in one :class:`DefinitionError`. Runs validate first.
    """

    def __init__(
        self,
        assets: Iterable[Asset | AssetSpec] | None = None,
        schedules: Iterable[Schedule] | None = None,
        sensors: Iterable[Sensor] | None = None,
        jobs: Iterable[Job] | None = None,
        resources: Mapping[str, Any] | None = None,
        executor: Any = None,
        loggers: Mapping[str, Any] | None = None,
        asset_checks: Iterable[Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
        component_tree: Any = None,
    ) -> None:
        check_arguments(
            "Definitions",
            {"asset_checks": list(asset_checks or ()), "component_tree": component_tree},
            Definitions,
        )
        self.assets: list[Asset | AssetSpec] = list(assets or ())
        self.schedules: list[Schedule] = list(schedules or ())
        self.sensors: list[Sensor] = list(sensors or ())
        self.jobs: list[Job] = list(jobs or ())
        self.resources: dict[str, Any] = dict(resources or {})
        self.metadata = dict(metadata or {})
        # kept as given: every workbench run is in-process and logs through `logging`
        self.executor = executor
        self.loggers = dict(loggers or {})
        self._graph: AssetGraph | None = None

    @staticmethod
    def merge(*defs: Definitions) -> Definitions:
        """Combine several Definitions; one key bound to two different resources is an error."""
        merged = Definitions()
        owners: dict[str, str] = {}
        for index, item in enumerate(defs):
            merged.assets.extend(item.assets)
            merged.schedules.extend(item.schedules)
            merged.sensors.extend(item.sensors)
            merged.jobs.extend(item.jobs)
            merged.metadata.update(item.metadata)
            merged.loggers.update(item.loggers)
            merged.executor = merged.executor if merged.executor is not None else item.executor
            bind_resources(
                merged.resources,
                owners,
                item.resources,
                f"Definitions object {index}",
                DagsterInvariantViolationError,
            )
        return merged

    @property
    def asset_graph(self) -> AssetGraph:
        """The asset graph of these definitions (built once)."""
        if self._graph is None:
            self._graph = AssetGraph(self.assets)
        return self._graph

    def resolve_asset_graph(self) -> AssetGraph:
        """The asset graph of these definitions."""
        return self.asset_graph

    def get_assets_def(self, key: AssetKey | str | Sequence[str]) -> Asset:
        """The definition that materializes ``key``."""
        asset_key = AssetKey.from_coercible(key)
        found = self.asset_graph.assets.get(asset_key)
        if found is None:
            hint = path_hint(asset_key, self.asset_graph.assets)
            if hint is not None:
                raise DefinitionNotFoundError(f"no asset with key {asset_key!r}; {hint}")
            raise DefinitionNotFoundError(
                self._unknown(
                    "asset",
                    asset_key.to_user_string(),
                    [
                        known.to_user_string()
                        for known, item in self.asset_graph.assets.items()
                        if item
                    ],
                )
            )
        return found

    def resolve_job_def(self, name: str) -> Job:
        """The job ``name``, bound to these definitions' resources (asset jobs resolved)."""
        if name == ASSET_JOB_NAME:
            return self.resolve_implicit_global_asset_job_def()
        for job in self._all_jobs():
            if job.name == name:
                return self._bind(job)
        raise DefinitionNotFoundError(
            self._unknown("job", name, [job.name for job in self._all_jobs()])
        )

    get_job_def = resolve_job_def

    def resolve_implicit_global_asset_job_def(self) -> Job:
        """A job that materializes every asset."""
        from workbench.core.graph import AssetSelection

        return self._bind(Job(ASSET_JOB_NAME, asset_selection=AssetSelection.all()))

    get_implicit_global_asset_job_def = resolve_implicit_global_asset_job_def

    def get_sensor_def(self, name: str) -> Sensor:
        """The sensor ``name``."""
        for sensor in self.sensors:
            if sensor.name == name:
                return self._with_bound_jobs(sensor)
        raise DefinitionNotFoundError(
            self._unknown("sensor", name, [item.name for item in self.sensors])
        )

    def get_schedule_def(self, name: str) -> Schedule:
        """The schedule ``name``."""
        for schedule in self.schedules:
            if schedule.name == name:
                return self._with_bound_jobs(schedule)
        raise DefinitionNotFoundError(
            self._unknown("schedule", name, [item.name for item in self.schedules])
        )

    def resolve_sensor_def(self, name: str) -> Sensor:
        """The sensor ``name`` (Dagster's newer name for :meth:`get_sensor_def`)."""
        return self.get_sensor_def(name)

    def resolve_schedule_def(self, name: str) -> Schedule:
        """The schedule ``name`` (Dagster's newer name for :meth:`get_schedule_def`)."""
        return self.get_schedule_def(name)

    def get_asset_value_loader(self, instance: Instance | None = None) -> AssetValueLoader:
        """A loader of materialized asset values outside a run; use it as a ``with`` block.

        The IO managers it needs are set up on first use and torn down when the block ends.
        """
        from workbench.core.loading import AssetValueLoader

        return AssetValueLoader(self, instance)

    def load_asset_value(
        self,
        asset_key: AssetKey | str | Sequence[str],
        *,
        instance: Instance | None = None,
        python_type: type | None = None,
        partition_key: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        resource_config: Mapping[str, Any] | None = None,
    ) -> Any:
        """Load an asset's materialized value through its IO manager, outside a run.

        In a notebook this is how to look at yesterday's result after a kernel restart: the
        default IO manager reads the value store under ``WORKBENCH_HOME``.

        Raises:
            DefinitionError: no asset has that key.
            DagsterInvariantViolationError: the IO manager has no value for it.
        """
        with self.get_asset_value_loader(instance) as loader:
            return loader.load_asset_value(
                asset_key,
                python_type=python_type,
                partition_key=partition_key,
                metadata=metadata,
                resource_config=resource_config,
            )

    def with_resources(self, resources: Mapping[str, Any]) -> Definitions:
        """A copy with ``resources`` bound on top of the current bindings."""
        clone = Definitions(
            self.assets,
            self.schedules,
            self.sensors,
            self.jobs,
            {**self.resources, **dict(resources)},
            metadata=self.metadata,
        )
        clone._graph = self._graph
        return clone

    def _all_jobs(self) -> list[Job]:
        found = {job.name: job for job in self.jobs}
        owners: list[Sensor | Schedule] = [*self.sensors, *self.schedules]
        for item in owners:
            for job in item.jobs:
                found.setdefault(job.name, job)
        return list(found.values())

    def _with_bound_jobs(self, item: AutomationT) -> AutomationT:
        """A copy of a sensor or schedule whose jobs run with these definitions' resources."""
        bound = copy.copy(item)
        bound.jobs = [self._bind(job) for job in item.jobs]
        return bound

    def _bind(self, job: Job) -> Job:
        bound = job.with_resources(self.resources)
        if job.is_asset_job:
            graph = self.asset_graph
            bound = bound.resolved(graph, job.asset_selection.resolve(graph))
            bound.resource_defs = {**asset_resources(bound.assets), **bound.resource_defs}
        return bound

    @staticmethod
    def _unknown(kind: str, name: str, known: list[str]) -> str:
        return unknown_name(kind, name, known)

    def validate(self) -> Definitions:
        """Check everything together; raise one DefinitionError listing every problem."""
        problems = list(self.asset_graph.problems)
        try:
            # unknown upstreams and duplicates do not hide a cycle: report them all at once
            self.asset_graph.toposort()
        except DefinitionError as exc:
            problems.append(str(exc))
        # two jobs given under one name clash; a sensor's or schedule's job only fills a gap
        named = {job.name for job in self.jobs}
        jobs = self.jobs + [job for job in self._all_jobs() if job.name not in named]
        for kind, items in (("job", jobs), ("sensor", self.sensors), ("schedule", self.schedules)):
            seen: set[str] = set()
            for item in items:
                if item.name in seen:
                    problems.append(f"{kind} name {item.name!r} is used twice; rename one")
                seen.add(item.name)
        for job in self.jobs:
            if job.is_asset_job:
                try:
                    job.asset_selection.resolve(self.asset_graph)
                except DefinitionError as exc:
                    problems.append(f"job {job.name!r}: {exc}")
        problems.extend(self._io_manager_problems())
        for consumer, keys, params, local in self._consumers():
            available = {**self.resources, **local}
            for key in sorted(keys):
                if key not in available:
                    problems.append(missing_resource(consumer, key, available))
            for param in params:
                bound = available.get(param.name)
                if param.name in available and param.role is Role.RESOURCE:
                    problem = binding_problem(consumer, param.name, param.resource_class, bound)
                    if problem:
                        problems.append(problem)
        if problems:
            raise DagsterInvalidDefinitionError.from_problems(
                f"definitions are invalid ({len(problems)} problem"
                f"{'s' if len(problems) != 1 else ''}):",
                problems,
            )
        return self

    def _io_manager_problems(self) -> list[str]:
        """An output's IO manager key that nothing binds (``AssetOut(io_manager_key=)``)."""
        problems = []
        for item in self.asset_graph.definitions:
            available = {**self.resources, **item.resource_defs}
            for output, key in item.io_manager_keys.items():
                if key != "io_manager" and key not in available:
                    known = ", ".join(sorted(available)) or "none"
                    problems.append(
                        f"IO manager {key!r} required by output {output!r} of asset "
                        f"{item.name!r} is not bound; bind an IO manager to it in "
                        f"Definitions(resources={{{key!r}: ...}}) (bound keys: {known})"
                    )
        return problems

    def _consumers(self) -> Iterable[tuple[str, frozenset[str], tuple[Any, ...], dict[str, Any]]]:
        for item in self.asset_graph.definitions:
            keys = item.required_resource_keys
            yield f"asset {item.keys[0].to_user_string()!r}", keys, item.params, item.resource_defs
        for job in self.jobs:
            for node in job.nodes.values():
                yield (
                    f"op {node.name!r} of job {job.name!r}",
                    node.op.required_resource_keys,
                    node.op.params,
                    job.resource_defs,
                )
        for sensor in self.sensors:
            yield f"sensor {sensor.name!r}", sensor.required_resource_keys, sensor.params, {}
        for schedule in self.schedules:
            yield (
                f"schedule {schedule.name!r}",
                schedule.required_resource_keys,
                schedule.params,
                {},
            )

    @staticmethod
    def validate_loadable(defs: Definitions) -> None:
        """Validate ``defs``; raise one DefinitionError listing every problem."""
        defs.validate()

    def usage(self) -> dict[str, list[str]]:
        """Which assets, ops, sensors and schedules use each resource key."""
        found: dict[str, list[str]] = {key: [] for key in self.resources}
        for consumer, keys, _params, _local in self._consumers():
            for key in sorted(keys):
                found.setdefault(key, []).append(consumer)
        return found

    def __repr__(self) -> str:
        return (
            f"Definitions(assets={len(self.assets)}, jobs={len(self.jobs)}, "
            f"sensors={len(self.sensors)}, schedules={len(self.schedules)}, "
            f"resources={sorted(self.resources)})"
        )

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        from html import escape

        rows = [
            ("assets", [k.to_user_string() for k, v in self.asset_graph.assets.items() if v]),
            ("jobs", [job.name for job in self.jobs]),
            ("sensors", [item.name for item in self.sensors]),
            ("schedules", [item.name for item in self.schedules]),
            ("resources", sorted(self.resources)),
        ]
        text = "\n".join(f"{name}: {', '.join(values) or '-'}" for name, values in rows)
        html = "".join(
            f"<tr><th style='text-align:left'>{name}</th><td>{escape(', '.join(values))}</td></tr>"
            for name, values in rows
        )
        return {"text/plain": f"Definitions\n{text}", "text/html": f"<table>{html}</table>"}


class LazyDefinitions:
    """What ``@definitions`` returns: call it (no arguments) to get the Definitions."""

    def __init__(self, fn: Callable[..., Definitions]) -> None:
        self.fn = fn
        self.name = getattr(fn, "__name__", "definitions")
        functools.update_wrapper(self, fn)

    def __call__(self, *args: Any) -> Definitions:
        """Call the function and check that it returned a Definitions."""
        result = self.fn(*args)
        if not isinstance(result, Definitions):
            raise DefinitionError(
                f"@definitions function {self.name!r} must return a Definitions, "
                f"got {type(result).__name__}"
            )
        return result

    def __repr__(self) -> str:
        return f"<definitions {self.name}>"


def definitions(fn: Callable[..., Definitions]) -> LazyDefinitions:
    """Mark a function that returns Definitions; loaders call it to get them."""
    return LazyDefinitions(fn)
