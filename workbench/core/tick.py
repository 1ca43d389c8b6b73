"""Ticks: evaluate a sensor or schedule with the definitions' resources, and launch its runs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workbench.core._suggest import unknown_name
from workbench.core.schedule import Schedule, build_schedule_context
from workbench.core.secrets import Scrubber, collect_secrets
from workbench.core.sensor import Sensor, TickResult, build_sensor_context
from workbench.errors import DefinitionError, ExecutionError, WorkbenchError

if TYPE_CHECKING:
    import datetime as dt

    from workbench.core.definitions import Definitions
    from workbench.core.instance import Instance

__all__ = ["tick"]


def tick(
    defs: Definitions,
    name: str,
    *,
    cursor: str | None = None,
    at: dt.datetime | None = None,
    launch: bool = False,
    instance: Instance | None = None,
) -> TickResult:
    """Evaluate the sensor or schedule ``name`` once, resources injected from ``defs``.

    Args:
        defs: the definitions that hold it and bind its resources.
        name: a sensor's or a schedule's name.
        cursor: the cursor a sensor receives.
        at: the scheduled execution time a schedule receives (now by default).
        launch: also launch every requested run (``result.runs`` holds their results).
        instance: where launched runs are recorded.

    Raises:
        ExecutionError: the sensor or schedule raised; the message and the chained exception
            have every secret of its resources scrubbed.
    """
    resources = dict(defs.resources)
    target: Sensor | Schedule
    candidates: list[Sensor | Schedule] = [*defs.sensors, *defs.schedules]
    names = {item.name: item for item in candidates}
    if name not in names:
        raise DefinitionError(
            unknown_name("sensor or schedule", name, names, none="none are defined")
        )
    target = names[name]
    try:
        if isinstance(target, Sensor):
            result = target.evaluate_tick(
                build_sensor_context(
                    cursor=cursor, resources=resources, sensor_name=name, definitions=defs
                )
            )
        else:
            context = build_schedule_context(scheduled_execution_time=at, resources=resources)
            result = target.evaluate_tick(context)
            # like Dagster's scheduler (not evaluate_tick), a launched tick records its time
            stamp = context.scheduled_execution_time.isoformat()
            for request in result.run_requests:
                request.tags = {"dagster/scheduled_execution_time": stamp, **dict(request.tags)}
    except Exception as exc:
        scrub = Scrubber(collect_secrets(resources))
        scrub.exception(exc)
        if isinstance(exc, WorkbenchError):
            raise
        kind = "sensor" if isinstance(target, Sensor) else "schedule"
        raise ExecutionError(
            scrub(
                f"{kind} {name!r} raised {type(exc).__name__}: {exc}; fix its function "
                f"(call it with build_{kind}_context(...) to debug)"
            ),
            run_id="",
            step=name,
        ) from exc
    if launch:
        for request in result.run_requests:
            result.runs.append(_launch(defs, target, request, instance))
    return result


def _launch(defs: Definitions, target: Sensor | Schedule, request: Any, instance: Any) -> Any:
    job_name = request.job_name or target.job_name
    if job_name is None:
        raise DefinitionError(
            f"{target.name!r} requested a run without a job; give the sensor or schedule job= "
            "or set RunRequest(job_name=...)"
        )
    from workbench.core.definitions import Definitions as _Definitions

    holder = _Definitions.merge(
        defs, _Definitions(jobs=[job for job in target.jobs if job not in defs.jobs])
    )
    job = holder.resolve_job_def(job_name)
    if request.asset_selection is not None and job.is_asset_job:
        from workbench.core.graph import as_selection

        graph = holder.asset_graph
        job = job.resolved(graph, as_selection(request.asset_selection).resolve(graph))
    tags = dict(request.tags)
    if request.run_key:
        tags["dagster/run_key"] = request.run_key
    return job.execute_in_process(
        run_config=request.run_config, instance=instance, tags=tags, raise_on_error=False
    )
