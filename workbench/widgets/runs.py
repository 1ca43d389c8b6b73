"""Run history, one run's event log and step timeline, and what a sensor or schedule tick gave."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from workbench.core.run import EventType, RunEvent, RunRecord, RunStore
from workbench.widgets._display import (
    STATUS_COLORS,
    bundle,
    esc,
    event_line,
    format_duration,
    format_time,
    job_label,
    status_badge,
    truncate,
)
from workbench.widgets._theme import colour

if TYPE_CHECKING:
    from workbench.core.schedule import Schedule
    from workbench.core.sensor import TickResult

__all__ = [
    "NOTEBOOK_TAG",
    "RunDetail",
    "RunsView",
    "StepSpan",
    "TickView",
    "last_line",
    "runs_table",
    "step_spans",
    "tick_view",
    "timeline_svg",
]

DEFAULT_LIMIT = 50
TEXT, MUTED, BORDER = colour("text"), colour("muted"), colour("border")
_ENDS = {
    EventType.STEP_SUCCESS: "SUCCESS",
    EventType.STEP_FAILURE: "FAILURE",
    EventType.STEP_SKIPPED: "SKIPPED",
}


NOTEBOOK_TAG = "workbench/notebook"
"""The tag naming the notebook a run was started from (set by the notebook layer)."""
SHORT_ID = 8
_COLUMNS = ("run", "job", "status", "started", "duration", "notebook", "error")


def _row(record: RunRecord) -> dict[str, str]:
    """One run as the table shows it: short id, local time, duration, the error's last line."""
    notebook = record.tags.get(NOTEBOOK_TAG, "")
    return {
        "run": record.run_id[:SHORT_ID],
        "job": job_label(record.job_name),
        "status": record.status.value,
        "started": format_time(record.start_time),
        "duration": format_duration(record.duration),
        "notebook": notebook.replace("\\", "/").rsplit("/", 1)[-1] if notebook else "-",
        "error": last_line(record.error) if record.error else "",
    }


def last_line(text: str) -> str:
    """The last non-blank line of a message or traceback (where Python puts the error)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return truncate(lines[-1], 160) if lines else ""


def _table_html(records: list[RunRecord]) -> str:
    if not records:
        return "<small>no runs yet</small>"
    body = []
    for record in records:
        row = _row(record)
        body.append(
            f"<tr><td><code title='{esc(record.run_id)}'>{esc(row['run'])}</code></td>"
            f"<td>{esc(row['job'])}</td><td>{status_badge(row['status'])}</td>"
            f"<td>{esc(row['started'])}</td><td>{esc(row['duration'])}</td>"
            f"<td>{esc(row['notebook'])}</td>"
            f"<td class='wb-run-error' title='{esc(record.error or '')}'>{esc(row['error'])}</td>"
            "</tr>"
        )
    head = "".join(f"<th>{name}</th>" for name in _COLUMNS)
    return (
        f"<table class='wb-runs'><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _table_text(records: list[RunRecord]) -> str:
    if not records:
        return "no runs yet"
    rows = [_row(record) for record in records]
    widths = {name: max(len(name), *(len(row[name]) for row in rows)) for name in _COLUMNS}
    shown = [name for name in _COLUMNS if name != "error"]

    def line(values: dict[str, str]) -> str:
        cells = "  ".join(values[name].ljust(widths[name]) for name in shown)
        return f"{cells}  {values['error']}".rstrip()

    return "\n".join([line({name: name for name in _COLUMNS}), *(line(row) for row in rows)])


def runs_table(store: RunStore, limit: int | None = DEFAULT_LIMIT) -> Any:
    """An HTML widget listing runs, newest first, each status in its colour.

    Args:
        store: where the runs are recorded.
        limit: how many runs to list (None for all).
    """
    return widgets.HTML(_table_html(store.list_runs(limit=limit)))


class RunsView:
    """Run history with a Refresh button and a picker that opens one run's detail.

    Attributes:
        table: the HTML table of runs, newest first.
        run_picker: a Dropdown of run ids; choosing one shows its :class:`RunDetail`.
        detail: the run shown, if any.
        widget: the container to display.
    """

    def __init__(
        self, store: RunStore, *, limit: int | None = DEFAULT_LIMIT, frame: Any = None
    ) -> None:
        self.store = store
        self.limit = limit
        self.frame = frame
        self.records: list[RunRecord] = []
        self.detail: RunDetail | None = None
        self.table = widgets.HTML()
        self.refresh_button = widgets.Button(description="Refresh", icon="refresh")
        self.run_picker = widgets.Dropdown(options=[("-", "")], value="", description="run")
        self._detail_box = widgets.VBox()
        self.message = widgets.HTML()
        self.widget = widgets.VBox(
            [
                widgets.HBox([self.refresh_button, self.run_picker]),
                self.table,
                self.message,
                self._detail_box,
            ]
        )
        self.refresh_button.on_click(lambda _button: self._guard(self.refresh))
        self.run_picker.observe(lambda _change: self._guard(self._show_detail), names="value")
        self.refresh()

    def refresh(self) -> None:
        """Read the runs again."""
        self.records = self.store.list_runs(limit=self.limit)
        self.table.value = _table_html(self.records)
        current = self.run_picker.value
        options = [("-", "")] + [
            (
                f"{record.run_id[:12]} {job_label(record.job_name)} {record.status.value}",
                record.run_id,
            )
            for record in self.records
        ]
        self.run_picker.options = options
        self.run_picker.value = current if current in {value for _, value in options} else ""

    def _show_detail(self) -> None:
        run_id = self.run_picker.value
        if not run_id:
            self.detail = None
            self._detail_box.children = ()
            return
        self.detail = RunDetail(self.store, run_id)
        self._detail_box.children = (self.detail.widget,)

    def _guard(self, action: Any) -> None:
        try:
            self.message.value = ""
            action()
        except Exception as exc:  # never raise into the notebook from a widget callback
            self.message.value = (
                f"<span style='color:{colour('error')}'>"
                f"{esc(type(exc).__name__)}: {esc(exc)}</span>"
            )

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return bundle(
            self.widget, _table_text(self.records), _table_html(self.records), include, exclude
        )

    def __repr__(self) -> str:
        return f"RunsView({len(self.records)} runs)"

    # code reads the history as the DataFrame wb.runs() gives (``frame``), shown as the table
    def __getattr__(self, name: str) -> Any:
        frame = self.__dict__.get("frame")
        if frame is None or name.startswith("_"):
            raise AttributeError(name)
        return getattr(frame, name)

    def __getitem__(self, key: Any) -> Any:
        if self.frame is None:
            raise TypeError("this runs view was built without the history's DataFrame")
        return self.frame[key]

    def __len__(self) -> int:
        return len(self.frame) if self.frame is not None else len(self.records)


@dataclass(frozen=True)
class StepSpan:
    """When one step ran in a run, and how it ended.

    Attributes:
        step_key: the step.
        start: its STEP_START time (None if it never started, e.g. skipped).
        end: its STEP_SUCCESS/FAILURE/SKIPPED time (None while running).
        outcome: ``SUCCESS``, ``FAILURE``, ``SKIPPED`` or ``STARTED``.
    """

    step_key: str
    start: float | None
    end: float | None
    outcome: str

    @property
    def duration(self) -> float | None:
        """Seconds from start to end, if both are known."""
        if self.start is None or self.end is None:
            return None
        return self.end - self.start


def step_spans(events: list[RunEvent]) -> list[StepSpan]:
    """Each step's span, in the order the steps started (or were skipped)."""
    starts: dict[str, float] = {}
    ends: dict[str, tuple[float, str]] = {}
    order: dict[str, None] = {}
    for event in events:
        key = event.step_key
        if key is None:
            continue
        if event.event_type is EventType.STEP_START:
            starts[key] = event.timestamp
            order.setdefault(key, None)
        elif event.event_type in _ENDS:
            ends[key] = (event.timestamp, _ENDS[event.event_type])
            order.setdefault(key, None)
    return [
        StepSpan(
            key,
            starts.get(key),
            ends[key][0] if key in ends else None,
            ends[key][1] if key in ends else "STARTED",
        )
        for key in order
    ]


def timeline_svg(spans: list[StepSpan], *, width: int = 640, now: float | None = None) -> str:
    """Draw each step as a bar from its start to its end, on one time axis (inline SVG).

    Args:
        spans: the steps, as :func:`step_spans` gives them.
        width: the drawing's width in pixels.
        now: where a running step's bar ends (the latest known time by default).
    """
    label_width, row, bar_height, pad = 160, 22, 14, 8
    times = [t for span in spans for t in (span.start, span.end) if t is not None]
    if not spans or not times:
        return "<svg xmlns='http://www.w3.org/2000/svg' width='200' height='20'></svg>"
    origin = min(times)
    latest = max([*times, now or 0.0])
    total = max(latest - origin, 1e-6)
    area = width - label_width - 80
    height = pad * 2 + row * len(spans) + 16
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        "font-family='sans-serif' font-size='11'>"
    ]
    for index, span in enumerate(spans):
        y = pad + index * row
        color = STATUS_COLORS.get(span.outcome, colour("muted"))
        parts.append(
            f"<text x='{label_width - 6}' y='{y + bar_height - 3}' text-anchor='end' "
            f"style='fill:{TEXT}'>"
            f"{esc(span.step_key[:24])}</text>"
        )
        begin = span.start if span.start is not None else span.end
        assert begin is not None
        finish = span.end if span.end is not None else latest
        x = label_width + (begin - origin) / total * area
        bar = max(2.0, (finish - begin) / total * area)
        label = span.outcome.lower() if span.duration is None else format_duration(span.duration)
        parts.append(
            f"<rect x='{x:.1f}' y='{y}' width='{bar:.1f}' height='{bar_height}' "
            f"style='fill:{color}' rx='2'><title>{esc(span.step_key)}: {esc(label)}</title></rect>"
            f"<text x='{x + bar + 4:.1f}' y='{y + bar_height - 3}' style='fill:{MUTED}'>"
            f"{esc(label)}</text>"
        )
    axis_y = pad + row * len(spans) + 10
    parts.append(
        f"<line x1='{label_width}' y1='{axis_y - 8}' x2='{label_width + area}' "
        f"y2='{axis_y - 8}' style='stroke:{BORDER}'/>"
        f"<text x='{label_width}' y='{axis_y + 4}' style='fill:{MUTED}'>0</text>"
        f"<text x='{label_width + area}' y='{axis_y + 4}' text-anchor='end' style='fill:{MUTED}'>"
        f"{esc(format_duration(total))}</text></svg>"
    )
    return "".join(parts)


class RunDetail:
    """One run: its status, a timeline of its steps, and its event log.

    Attributes:
        record: the run's record.
        events: its events in order.
        spans: each step's span.
        svg: the timeline chart (inline SVG).
        widget: the container to display.
    """

    def __init__(self, store: RunStore, run_id: str) -> None:
        self.record = store.get_run(run_id)
        self.events = store.get_events(run_id)
        self.spans = step_spans(self.events)
        self.svg = timeline_svg(self.spans, now=self.record.end_time)
        self.widget = widgets.VBox([widgets.HTML(self._html())])

    def _html(self) -> str:
        record = self.record
        rows = "".join(
            f"<tr><td>{format_time(event.timestamp)}</td><td>{esc(event.event_type.value)}</td>"
            f"<td>{esc(event.step_key or '')}</td><td>{esc(event.message)}</td></tr>"
            for event in self.events
        )
        error = (
            f"<details><summary>error</summary><pre style='white-space:pre-wrap'>"
            f"{esc(record.error)}</pre></details>"
            if record.error
            else ""
        )
        return (
            f"<div>{status_badge(record.status.value)} run <code>{esc(record.run_id)}</code> "
            f"of <b>{esc(job_label(record.job_name))}</b>, started "
            f"{format_time(record.start_time)}, took {format_duration(record.duration)}</div>"
            f"{self.svg}{error}"
            f"<details><summary>event log ({len(self.events)} events)</summary>"
            f"<table style='font-size:90%'>{rows}</table></details>"
        )

    def text(self) -> str:
        """The run as plain text: status, each step's duration, and the event log."""
        record = self.record
        lines = [
            f"run {record.run_id} of {job_label(record.job_name)}: {record.status.value} "
            f"({format_duration(record.duration)})"
        ]
        for span in self.spans:
            lines.append(f"  {span.step_key}: {span.outcome} {format_duration(span.duration)}")
        lines.append("events:")
        lines += [f"  {event_line(event)}" for event in self.events]
        return "\n".join(lines)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return bundle(self.widget, self.text(), self._html(), include, exclude)

    def __repr__(self) -> str:
        return f"RunDetail({self.record.run_id!r}, {self.record.status.value})"


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
