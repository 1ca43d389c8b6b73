"""One run's event log and step timeline."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from workbench.core.run import EventType, RunEvent
from workbench.widgets._display import (
    STATUS_COLORS,
    bundle,
    esc,
    event_line,
    format_duration,
    format_time,
    job_label,
    status_badge,
)
from workbench.widgets._theme import colour

if TYPE_CHECKING:
    from workbench.core.run import RunStore

__all__ = ["RunDetail", "StepSpan", "step_spans", "timeline_svg"]

TEXT, MUTED, BORDER = colour("text"), colour("muted"), colour("border")
_ENDS = {
    EventType.STEP_SUCCESS: "SUCCESS",
    EventType.STEP_FAILURE: "FAILURE",
    EventType.STEP_SKIPPED: "SKIPPED",
}


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
