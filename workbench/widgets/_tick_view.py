"""What a sensor or schedule tick gave: its run requests, cursor, launched runs, next ticks."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from workbench.widgets._display import SHORT_ID, bundle, esc, job_label, last_line, status_badge

if TYPE_CHECKING:
    from workbench.core.schedule import Schedule
    from workbench.core.sensor import TickResult

__all__ = ["TickView", "tick_view"]


class TickView:
    """What one evaluation of a sensor or schedule gave, and when a schedule ticks next.

    Attributes:
        tick: the tick's result.
        next_ticks: the schedule's next tick times (empty for a sensor).
        widget: an HTML widget showing it.
    """

    def __init__(
        self,
        tick: TickResult,
        schedule: Schedule | None = None,
        next_n: int = 5,
        after: dt.datetime | None = None,
    ) -> None:
        self.tick = tick
        self.next_ticks: list[dt.datetime] = []
        if schedule is not None and next_n > 0:
            self.next_ticks = schedule.next_tick_times(next_n, after=after or _scheduled(tick))
        self.widget = widgets.HTML(self._html())

    def _html(self) -> str:
        tick = self.tick
        parts = [f"<div><b>{esc(tick.name)}</b> tick</div>"]
        if tick.run_requests:
            rows = "".join(
                f"<tr><td>{esc(request.run_key or '-')}</td>"
                f"<td>{esc(request.job_name or 'default')}</td>"
                f"<td>{esc(_tags_text(request.tags))}</td></tr>"
                for request in tick.run_requests
            )
            parts.append(
                f"<div>{len(tick.run_requests)} run request(s)</div><table><tr><th>run key</th>"
                f"<th>job</th><th>tags</th></tr>{rows}</table>"
            )
        else:
            parts.append(f"<div>skipped: {esc(tick.skip_message or 'no run requests')}</div>")
        if tick.cursor is not None:
            parts.append(f"<div>cursor: <code>{esc(tick.cursor)}</code></div>")
        for run in tick.runs:
            status = "SUCCESS" if run.success else "FAILURE"
            job, failure = _run_facts(run)
            error = f" {esc(last_line(failure))}" if failure else ""
            parts.append(
                f"<div>launched run <code title='{esc(run.run_id)}'>{esc(run.run_id[:SHORT_ID])}"
                f"</code> of {esc(job)} {status_badge(status)}{error}</div>"
            )
        if self.next_ticks:
            items = "".join(f"<li>{esc(time.isoformat())}</li>" for time in self.next_ticks)
            parts.append(f"<div>next ticks:</div><ul>{items}</ul>")
        return "".join(parts)

    def text(self) -> str:
        """The tick as plain text."""
        tick = self.tick
        lines = [f"tick of {tick.name}"]
        if tick.run_requests:
            lines.append(f"{len(tick.run_requests)} run request(s):")
            lines += [
                f"  run key {request.run_key or '-'}, {_job_text(request.job_name)}, "
                f"tags: {_tags_text(request.tags)}"
                for request in tick.run_requests
            ]
        else:
            lines.append(f"skipped: {tick.skip_message or 'no run requests'}")
        if tick.cursor is not None:
            lines.append(f"cursor: {tick.cursor}")
        for run in tick.runs:
            outcome = "success" if run.success else "failure"
            job, failure = _run_facts(run)
            error = f": {last_line(failure)}" if failure else ""
            lines.append(f"launched run {run.run_id[:SHORT_ID]} of {job}: {outcome}{error}")
        if self.next_ticks:
            lines.append("next ticks:")
            lines += [f"  {time.isoformat()}" for time in self.next_ticks]
        return "\n".join(lines)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return bundle(self.widget, self.text(), self._html(), include, exclude)

    def __getattr__(self, name: str) -> Any:
        # run_requests, skip_message, cursor and runs read through to the tick itself
        if name == "tick":
            raise AttributeError(name)
        return getattr(self.tick, name)

    def __repr__(self) -> str:
        return f"TickView({self.tick!r})"


def _run_facts(result: Any) -> tuple[str, str]:
    """A launched run's job and error, from workbench's result or Dagster's."""
    record = getattr(result, "run", None)
    if record is not None:
        return job_label(record.job_name), record.error or ""
    return str(getattr(result, "job_name", "-")), ""


def _job_text(job_name: str | None) -> str:
    """The job a run request names, or that it runs its target's default job."""
    return f"job {job_name}" if job_name else "the default job"


def _tags_text(tags: Any) -> str:
    """Tags as ``key=value`` pairs (``-`` when there are none)."""
    pairs = [f"{key}={value}" for key, value in dict(tags or {}).items()]
    return ", ".join(pairs) or "-"


def _scheduled(tick: TickResult) -> dt.datetime | None:
    for request in tick.run_requests:
        stamp = dict(request.tags).get("dagster/scheduled_execution_time")
        if stamp:
            try:
                return dt.datetime.fromisoformat(stamp)
            except ValueError:
                return None
    return None


def tick_view(
    tick_result: TickResult,
    schedule: Schedule | None = None,
    next_n: int = 5,
    *,
    after: dt.datetime | None = None,
) -> TickView:
    """Show a tick: its run requests or skip reason, the cursor, and next tick times.

    Args:
        tick_result: what :func:`workbench.core.tick.tick` returned.
        schedule: the schedule ticked, to list its next tick times.
        next_n: how many next tick times to list.
        after: list tick times after this (the tick's scheduled time, else now).
    """
    return TickView(tick_result, schedule, next_n, after)
