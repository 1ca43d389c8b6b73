"""Sensors: ``@sensor``, RunRequest, SkipReason, SensorResult, cursors and test contexts."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Self

from workbench.core._arguments import check_arguments
from workbench.core._evaluation import (
    call_with_resources,
    context_or_build,
    job_targets,
    read_evaluation_params,
)
from workbench.core._params import Role
from workbench.core.asset import doc_of
from workbench.core.resource import _Resources
from workbench.errors import (
    DagsterInvalidDefinitionError,
    DagsterInvariantViolationError,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

    from workbench.core.job import Job

__all__ = [
    "DefaultSensorStatus",
    "EvaluationContextBlock",
    "RunRequest",
    "Sensor",
    "SensorEvaluationContext",
    "SensorResult",
    "SkipReason",
    "TickResult",
    "build_sensor_context",
    "sensor",
    "tag_request",
]


class DefaultSensorStatus(str, enum.Enum):  # noqa: UP042 -- str() as Dagster shows it
    """Whether a sensor starts running when deployed."""

    RUNNING = "RUNNING"
    STOPPED = "STOPPED"


@dataclass
class RunRequest:
    """A request to launch a run, returned by a sensor or schedule."""

    run_key: str | None = None
    run_config: Any = None
    tags: Mapping[str, str] = field(default_factory=dict)
    job_name: str | None = None
    asset_selection: Sequence[Any] | None = None
    stale_assets_only: bool = False
    partition_key: str | None = None

    def __post_init__(self) -> None:
        # Dagster keeps run config as a dict: a RunConfig becomes its plain form (#12)
        if hasattr(self.run_config, "to_config_dict"):
            self.run_config = self.run_config.to_config_dict()
        elif self.run_config is None:
            self.run_config = {}


@dataclass
class SkipReason:
    """Why a sensor or schedule requested no run this tick."""

    skip_message: str | None = None


@dataclass
class SensorResult:
    """A sensor's full answer: run requests, a skip reason, and the new cursor."""

    run_requests: Sequence[RunRequest] | None = None
    skip_reason: SkipReason | str | None = None
    cursor: str | None = None
    dynamic_partitions_requests: Sequence[Any] | None = None
    asset_events: Sequence[Any] | None = None


@dataclass
class TickResult:
    """What one evaluation of a sensor or schedule gave.

    Attributes:
        name: the sensor or schedule.
        run_requests: the runs it asked for (tags include ``dagster/sensor_name`` etc.).
        skip_message: why it asked for none, if it said.
        cursor: the sensor's cursor after the tick.
        runs: the results of the runs launched for it (with ``launch=True``).
    """

    name: str
    run_requests: list[RunRequest]
    skip_message: str | None = None
    cursor: str | None = None
    runs: list[Any] = field(default_factory=list)

    def __repr__(self) -> str:
        if self.skip_message is not None or not self.run_requests:
            return f"<Tick {self.name}: skipped ({self.skip_message or 'no run requests'})>"
        return (
            f"<Tick {self.name}: {len(self.run_requests)} run request(s), cursor={self.cursor!r}>"
        )

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        from html import escape

        lines = [repr(self)]
        for request in self.run_requests:
            lines.append(
                f"  run_key={request.run_key!r} job={request.job_name!r} tags={dict(request.tags)}"
            )
        for run in self.runs:
            lines.append(f"  launched {run.run_id}: {'success' if run.success else 'failure'}")
        text = "\n".join(lines)
        return {"text/plain": text, "text/html": f"<pre>{escape(text)}</pre>"}


class EvaluationContextBlock:
    """Lets an evaluation context open a ``with`` block, as Dagster's contexts do.

    Resources are set up for each call of the sensor or schedule and torn down after it, so
    ``with build_sensor_context(resources=...) as context:`` works like the bare call.
    """

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None


class SensorEvaluationContext(EvaluationContextBlock):
    """What a sensor function receives as ``context``."""

    def __init__(
        self,
        *,
        cursor: str | None = None,
        resources: Mapping[str, Any] | None = None,
        instance: Any = None,
        sensor_name: str | None = None,
        definitions: Any = None,
        last_tick_completion_time: float | None = None,
    ) -> None:
        self.cursor = cursor
        self.resources = _Resources(resources or {})
        self._resource_values = dict(resources or {})
        self.instance = instance
        self.sensor_name = sensor_name
        self.definitions = definitions
        self.last_tick_completion_time = last_tick_completion_time
        self._cursor_updated = False

    def update_cursor(self, cursor: str | None) -> None:
        """Set the cursor the next tick receives."""
        self.cursor = cursor
        self._cursor_updated = True

    def __repr__(self) -> str:
        return f"SensorEvaluationContext(sensor={self.sensor_name!r}, cursor={self.cursor!r})"


def build_sensor_context(
    instance: Any = None,
    cursor: str | None = None,
    resources: Mapping[str, Any] | None = None,
    definitions: Any = None,
    sensor_name: str | None = None,
    **dagster_options: Any,
) -> SensorEvaluationContext:
    """Build a context for evaluating a sensor in a test or a notebook."""
    check_arguments("build_sensor_context", dagster_options, build_sensor_context)
    return SensorEvaluationContext(
        cursor=cursor,
        resources=resources,
        instance=instance,
        sensor_name=sensor_name,
        definitions=definitions,
    )


class Sensor:
    """A function that decides whether to launch runs (what ``@sensor`` returns)."""

    def __init__(
        self,
        fn: Callable[..., Any],
        *,
        name: str,
        jobs: list[Job],
        job_name: str | None,
        minimum_interval_seconds: int | None,
        default_status: DefaultSensorStatus,
        description: str | None,
        required_resource_keys: Iterable[str] = (),
    ) -> None:
        self.fn = fn
        self.name = name
        self.jobs = jobs
        self.job_name = job_name or (jobs[0].name if len(jobs) == 1 else None)
        self.minimum_interval_seconds = minimum_interval_seconds or 30
        self.default_status = default_status
        self.description = description
        self.params = read_evaluation_params(fn, f"sensor {name!r}")
        self.required_resource_keys = frozenset(
            param.name for param in self.params if param.role is Role.RESOURCE
        ) | frozenset(required_resource_keys)
        self.__wrapped__ = fn

    @property
    def job(self) -> Job:
        """The sensor's only job."""
        if len(self.jobs) != 1:
            if not self.jobs:
                raise DagsterInvalidDefinitionError(
                    f"sensor {self.name!r} targets no job; pass job=, jobs= or target= to it"
                )
            names = ", ".join(repr(job.name) for job in self.jobs)
            raise DagsterInvalidDefinitionError(
                f"sensor {self.name!r} targets {len(self.jobs)} jobs ({names}); "
                "read them from .jobs"
            )
        return self.jobs[0]

    def __call__(self, context: SensorEvaluationContext | None = None, **resources: Any) -> Any:
        """Evaluate and return what the function returned (as Dagster's ``s(ctx)``).

        Raises:
            DagsterInvalidInvocationError: the function takes a context and none was given.
        """
        context = context_or_build(context, self.params, "sensor", self.name, self._default_context)
        bound = {**context._resource_values, **resources}
        return call_with_resources(
            self.fn,
            self.params,
            context,
            bound,
            f"sensor {self.name!r}",
            self.required_resource_keys,
        )

    def evaluate_tick(self, context: SensorEvaluationContext | None = None) -> TickResult:
        """Evaluate and normalise the answer: run requests (tagged), skip reason, cursor."""
        context = context or self._default_context()
        result = self(context)
        requests: list[RunRequest] = []
        skip: str | None = None
        cursor_set: str | None = None
        items: Iterable[Any] = result if isinstance(result, list | tuple) else [result]
        for item in items:
            if item is None:
                continue
            if isinstance(item, SensorResult):
                requests.extend(item.run_requests or ())
                if item.skip_reason is not None:
                    reason = item.skip_reason
                    text = reason.skip_message if isinstance(reason, SkipReason) else reason
                    skip = text or ""
                if item.cursor is not None:
                    if context._cursor_updated:
                        raise DagsterInvariantViolationError(
                            f"sensor {self.name!r}: SensorResult.cursor cannot be set if "
                            "context.update_cursor() was called; use one of them"
                        )
                    cursor_set = item.cursor
            elif isinstance(item, RunRequest):
                requests.append(item)
            elif isinstance(item, SkipReason):
                skip = item.skip_message or ""
            else:
                raise DagsterInvariantViolationError(
                    f"sensor {self.name!r} returned {type(item).__name__}; return RunRequest, "
                    "SkipReason, SensorResult, a list of them, or None"
                )
        cursor = cursor_set if cursor_set is not None else context.cursor
        tagged = [tag_request(request, "dagster/sensor_name", self.name) for request in requests]
        return TickResult(self.name, tagged, None if tagged else skip, cursor)

    def _default_context(self) -> SensorEvaluationContext:
        return build_sensor_context(sensor_name=self.name)

    def __repr__(self) -> str:
        return f"<Sensor {self.name}>"


def tag_request(request: RunRequest, tag: str, name: str) -> RunRequest:
    """``request`` tagged with its sensor's or schedule's name, as Dagster tags it."""
    return RunRequest(
        run_key=request.run_key,
        run_config=request.run_config,
        tags={**dict(request.tags), tag: name},
        job_name=request.job_name,
        asset_selection=request.asset_selection,
        stale_assets_only=request.stale_assets_only,
        partition_key=request.partition_key,
    )


def sensor(
    job_name: str | None = None,
    *,
    name: str | None = None,
    minimum_interval_seconds: int | None = None,
    description: str | None = None,
    job: Job | None = None,
    jobs: Sequence[Job] | None = None,
    default_status: DefaultSensorStatus = DefaultSensorStatus.STOPPED,
    asset_selection: Any = None,
    target: Any = None,
    required_resource_keys: Iterable[str] | None = None,
    **dagster_options: Any,
) -> Callable[[Callable[..., Any]], Sensor]:
    """Declare a sensor; resources are injected by annotation, like an asset's."""
    check_arguments("@sensor", dagster_options, sensor)

    def decorate(fn: Callable[..., Any]) -> Sensor:
        sensor_name = name or fn.__name__
        return Sensor(
            fn,
            name=sensor_name,
            jobs=job_targets(sensor_name, job, jobs, target, asset_selection),
            job_name=job_name,
            minimum_interval_seconds=minimum_interval_seconds,
            default_status=default_status,
            description=description or doc_of(fn),
            required_resource_keys=required_resource_keys or (),
        )

    return decorate
