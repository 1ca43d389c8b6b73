"""Schedules: ``@schedule``, ScheduleDefinition, cron tick times (croniter) and test contexts."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import CroniterBadDateError, croniter

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
from workbench.core.run_config import RunConfig
from workbench.core.sensor import (
    EvaluationContextBlock,
    RunRequest,
    SkipReason,
    TickResult,
    tag_request,
)
from workbench.errors import (
    DagsterInvalidDefinitionError,
    DagsterInvariantViolationError,
    DefinitionError,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from workbench.core.job import Job

__all__ = [
    "DefaultScheduleStatus",
    "Schedule",
    "ScheduleDefinition",
    "ScheduleEvaluationContext",
    "build_schedule_context",
    "next_cron_times",
    "schedule",
]


def next_cron_times(
    cron_schedule: str, timezone: dt.tzinfo, count: int = 5, after: dt.datetime | None = None
) -> list[dt.datetime]:
    """The next ``count`` times a cron schedule fires after ``after`` (default: now)."""
    start = after or dt.datetime.now(dt.UTC)
    if start.tzinfo is None:
        start = start.replace(tzinfo=timezone)
    iterator = croniter(cron_schedule, start.astimezone(timezone))
    times: list[dt.datetime] = []
    for _ in range(count):
        try:
            times.append(iterator.get_next(dt.datetime))
        except (OverflowError, CroniterBadDateError):
            break  # past year 9999 there is no next tick
    return times


class DefaultScheduleStatus(str, enum.Enum):  # noqa: UP042 -- str() as Dagster shows it
    """Whether a schedule starts running when deployed."""

    RUNNING = "RUNNING"
    STOPPED = "STOPPED"


class ScheduleEvaluationContext(EvaluationContextBlock):
    """What a schedule function receives as ``context``."""

    def __init__(
        self,
        *,
        scheduled_execution_time: dt.datetime | None = None,
        resources: Mapping[str, Any] | None = None,
        instance: Any = None,
    ) -> None:
        self.scheduled_execution_time = scheduled_execution_time or dt.datetime.now(dt.UTC)
        self.resources = _Resources(resources or {})
        self._resource_values = dict(resources or {})
        self.instance = instance

    def __repr__(self) -> str:
        return f"ScheduleEvaluationContext({self.scheduled_execution_time.isoformat()})"


def build_schedule_context(
    instance: Any = None,
    scheduled_execution_time: dt.datetime | None = None,
    resources: Mapping[str, Any] | None = None,
    **dagster_options: Any,
) -> ScheduleEvaluationContext:
    """Build a context for evaluating a schedule in a test or a notebook."""
    check_arguments("build_schedule_context", dagster_options, build_schedule_context)
    return ScheduleEvaluationContext(
        scheduled_execution_time=scheduled_execution_time, resources=resources, instance=instance
    )


def _fires(cron_schedule: str) -> bool:
    """Tell whether the expression names a time that exists (``0 0 30 2 *`` never does)."""
    try:
        croniter(cron_schedule, dt.datetime(2000, 1, 1, tzinfo=dt.UTC)).get_next(dt.datetime)
    except CroniterBadDateError:
        return False
    return True


def _zone(name: str | None, owner: str) -> dt.tzinfo:
    if not name:
        return dt.UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise DefinitionError(
            f"{owner}: unknown execution_timezone {name!r}; use an IANA name like "
            "'Europe/Berlin' or 'UTC'"
        ) from None


class Schedule:
    """A cron schedule for a job (what ``@schedule`` and ScheduleDefinition return)."""

    def __init__(
        self,
        *,
        name: str,
        cron_schedule: str,
        jobs: list[Job],
        fn: Callable[..., Any] | None,
        run_config: Any,
        execution_timezone: str | None,
        default_status: DefaultScheduleStatus,
        description: str | None,
        tags: Mapping[str, str] | None,
        job_name: str | None = None,
        required_resource_keys: Iterable[str] = (),
    ) -> None:
        owner = f"schedule {name!r}"
        aliases = {"@hourly", "@daily", "@weekly", "@monthly", "@yearly", "@annually", "@midnight"}
        if cron_schedule not in aliases and (
            not isinstance(cron_schedule, str)  # type: ignore[redundant-expr]
            or len(cron_schedule.split()) != 5
            or not croniter.is_valid(cron_schedule)
        ):
            raise DefinitionError(
                f"{owner}: {cron_schedule!r} is not a valid cron expression; use five fields "
                "(minute hour day month weekday) like '0 6 * * *' (06:00 every day) or '@daily'"
            )
        if not _fires(cron_schedule):
            raise DefinitionError(
                f"{owner}: {cron_schedule!r} never fires (no such date, e.g. 30 February); "
                "fix the day or the month"
            )
        self.name = name
        self.cron_schedule = cron_schedule
        self.jobs = jobs
        self.job_name = jobs[0].name if jobs else job_name
        self.fn = fn
        self.run_config = run_config
        self.execution_timezone = execution_timezone
        self.timezone = _zone(execution_timezone, owner)
        self.default_status = default_status
        self.description = description
        self.tags = dict(tags or {})
        self.params = read_evaluation_params(fn, owner) if fn is not None else ()
        self.required_resource_keys = frozenset(
            param.name for param in self.params if param.role is Role.RESOURCE
        ) | frozenset(required_resource_keys)

    @property
    def job(self) -> Job:
        """The schedule's job."""
        if not self.jobs:
            raise DagsterInvalidDefinitionError(
                f"schedule {self.name!r} names its job {self.job_name!r} but holds none; pass "
                f"job= or target= to hold it, or read it with "
                f"Definitions.resolve_job_def({self.job_name!r})"
            )
        return self.jobs[0]

    def next_tick_times(
        self, count: int = 5, after: dt.datetime | None = None
    ) -> list[dt.datetime]:
        """The next ``count`` tick times after ``after`` (default: now), in the schedule's zone."""
        return next_cron_times(self.cron_schedule, self.timezone, count, after)

    def __call__(self, context: ScheduleEvaluationContext | None = None, **resources: Any) -> Any:
        """Evaluate and return what the function returned (the run config if it has none).

        Raises:
            DagsterInvalidInvocationError: the function takes a context and none was given.
        """
        context = context_or_build(
            context, self.params, "schedule", self.name, build_schedule_context
        )
        if self.fn is None:
            return RunRequest(run_config=self.run_config, tags=self.tags)
        bound = {**context._resource_values, **resources}
        return call_with_resources(
            self.fn,
            self.params,
            context,
            bound,
            f"schedule {self.name!r}",
            self.required_resource_keys,
        )

    def evaluate_tick(self, context: ScheduleEvaluationContext | None = None) -> TickResult:
        """Evaluate and normalise the answer into tagged run requests or a skip reason."""
        context = context or build_schedule_context()
        result = self(context)
        items: Iterable[Any] = result if isinstance(result, list | tuple) else [result]
        requests: list[RunRequest] = []
        skip: str | None = None
        for item in items:
            if isinstance(item, RunRequest):
                requests.append(item)
            elif isinstance(item, SkipReason):
                skip = item.skip_message or ""
            elif isinstance(item, RunConfig | dict):
                requests.append(RunRequest(run_config=item))
            elif item is None:
                continue
            else:
                raise DagsterInvariantViolationError(
                    f"schedule {self.name!r} returned {type(item).__name__}; return RunRequest, "
                    "SkipReason, a run config dict or RunConfig, or a list of them"
                )
        tagged = [tag_request(request, "dagster/schedule_name", self.name) for request in requests]
        for request in tagged:
            request.tags = {**self.tags, **dict(request.tags)}
        return TickResult(self.name, tagged, None if tagged else skip)

    def __repr__(self) -> str:
        return f"<Schedule {self.name} {self.cron_schedule!r}>"


def schedule(
    cron_schedule: str,
    *,
    job_name: str | None = None,
    name: str | None = None,
    execution_timezone: str | None = None,
    description: str | None = None,
    job: Job | None = None,
    default_status: DefaultScheduleStatus = DefaultScheduleStatus.STOPPED,
    target: Any = None,
    tags: Mapping[str, str] | None = None,
    required_resource_keys: Iterable[str] | None = None,
    **dagster_options: Any,
) -> Callable[[Callable[..., Any]], Schedule]:
    """Declare a schedule whose function decides each tick's run requests."""
    check_arguments("@schedule", dagster_options, schedule)

    def decorate(fn: Callable[..., Any]) -> Schedule:
        schedule_name = name or fn.__name__
        jobs = job_targets(schedule_name, job, None, target, None)
        if not jobs and job_name is None:
            raise DefinitionError(f"schedule {schedule_name!r} has no job; pass job= or target=")
        return Schedule(
            name=schedule_name,
            cron_schedule=cron_schedule,
            jobs=jobs,
            fn=fn,
            run_config=None,
            execution_timezone=execution_timezone,
            default_status=default_status,
            description=description or doc_of(fn),
            tags=tags,
            job_name=job_name,
            required_resource_keys=required_resource_keys or (),
        )

    return decorate


def ScheduleDefinition(
    *,
    job: Job | None = None,
    cron_schedule: str,
    name: str | None = None,
    job_name: str | None = None,
    run_config: Any = None,
    execution_timezone: str | None = None,
    default_status: DefaultScheduleStatus = DefaultScheduleStatus.STOPPED,
    description: str | None = None,
    target: Any = None,
    tags: Mapping[str, str] | None = None,
    **dagster_options: Any,
) -> Schedule:
    """A schedule without a function: launch ``job`` with ``run_config`` on every tick."""
    check_arguments("ScheduleDefinition", dagster_options, ScheduleDefinition)
    jobs = job_targets(name or "schedule", job, None, target, None)
    if not jobs and job_name is None:
        raise DefinitionError(
            f"ScheduleDefinition {name or cron_schedule!r} has no job; give it job=, "
            "job_name= or target="
        )
    return Schedule(
        name=name or f"{jobs[0].name if jobs else job_name}_schedule",
        cron_schedule=cron_schedule,
        jobs=jobs,
        fn=None,
        run_config=run_config,
        execution_timezone=execution_timezone,
        default_status=default_status,
        description=description,
        tags=tags,
        job_name=job_name,
    )
