"""Shared display helpers: colours, times, value previews and mime bundles."""

from __future__ import annotations

import datetime as dt
import html
from typing import TYPE_CHECKING, Any

from workbench.core.definitions import ASSET_JOB_NAME
from workbench.core.run import EventType
from workbench.errors import WorkbenchError
from workbench.widgets._theme import colour

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from workbench.core.plan import Plan
    from workbench.core.result import ExecuteInProcessResult
    from workbench.core.run import RunEvent

__all__ = [
    "SHORT_ID",
    "STATUS_COLORS",
    "STEP_ENDS",
    "bundle",
    "error_box",
    "esc",
    "event_line",
    "failure_report",
    "format_duration",
    "format_time",
    "job_label",
    "last_line",
    "preview_html",
    "preview_text",
    "select",
    "status_badge",
    "step_outputs",
    "summary_html",
    "summary_text",
    "truncate",
]

STATUS_COLORS: dict[str, str] = {
    "SUCCESS": colour("success"),
    "FAILURE": colour("error"),
    "STARTED": colour("brand"),
    "CANCELED": colour("warn"),
    "ABANDONED": colour("muted"),
    "SKIPPED": colour("warn"),
}
"""Run and step status -> colour (the theme's, so light and dark both read well)."""

PREVIEW_ROWS = 5
REPR_LIMIT = 500


def esc(value: object) -> str:
    """Escape any value's ``str`` for HTML."""
    return html.escape(str(value))


def truncate(text: str, limit: int = REPR_LIMIT) -> str:
    """Cut ``text`` to ``limit`` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit} more characters)"


def status_badge(status: str) -> str:
    """A coloured status label."""
    color = STATUS_COLORS.get(status.upper(), colour("muted"))
    return (
        f"<span style='color:{colour('inverse')};background:{color};border-radius:3px;"
        f"padding:0 4px;font-size:90%'>{esc(status)}</span>"
    )


def format_time(timestamp: float | None) -> str:
    """Seconds since the epoch as local ``YYYY-MM-DD HH:MM:SS`` (``-`` when unknown)."""
    if timestamp is None:
        return "-"
    return dt.datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M:%S")


def format_duration(seconds: float | None) -> str:
    """A duration in ms below a second, else in seconds (``-`` when unknown)."""
    if seconds is None:
        return "-"
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms"
    if seconds < 120:
        return f"{seconds:.2f} s"
    return f"{seconds / 60:.1f} min"


def job_label(job_name: str) -> str:
    """The job name as users know it (``materialize`` for the implicit asset job)."""
    return "materialize" if job_name == ASSET_JOB_NAME else job_name


def event_line(event: RunEvent) -> str:
    """One event as a log line: time, type, step and message."""
    clock = dt.datetime.fromtimestamp(event.timestamp).strftime("%H:%M:%S.%f")[:-3]
    step = f" [{event.step_key}]" if event.step_key else ""
    return f"{clock} {event.event_type.value}{step} {event.message}"


def _is_dataframe(value: Any) -> bool:
    module = type(value).__module__ or ""
    return module.startswith("pandas") and type(value).__name__ == "DataFrame"


def preview_text(value: Any) -> str:
    """A short text preview: a DataFrame's shape, dtypes and head, else the repr."""
    if _is_dataframe(value):
        rows, columns = value.shape
        dtypes = ", ".join(f"{name}: {dtype}" for name, dtype in value.dtypes.items())
        head = value.head(PREVIEW_ROWS).to_string()
        return f"DataFrame shape ({rows}, {columns})\ndtypes: {dtypes}\n{head}"
    return truncate(_safe_repr(value))


def preview_html(value: Any) -> str:
    """An HTML preview: a DataFrame's shape, dtypes and ``head(5)``, else the repr."""
    if _is_dataframe(value):
        rows, columns = value.shape
        dtypes = "".join(
            f"<tr><td>{esc(name)}</td><td><code>{esc(dtype)}</code></td></tr>"
            for name, dtype in value.dtypes.items()
        )
        return (
            f"<div><b>DataFrame</b> shape ({rows}, {columns})</div>"
            f"<details><summary>dtypes</summary><table>{dtypes}</table></details>"
            f"{value.head(PREVIEW_ROWS).to_html(max_cols=20)}"
        )
    return f"<pre style='white-space:pre-wrap'>{esc(truncate(_safe_repr(value)))}</pre>"


def _safe_repr(value: Any) -> str:
    try:
        return repr(value)
    except Exception as exc:  # a broken __repr__ must not break the display
        return f"<{type(value).__name__} (repr failed: {type(exc).__name__})>"


def bundle(
    widget: Any,
    text: str,
    html_text: str | None = None,
    include: Any = None,
    exclude: Any = None,
) -> dict[str, Any]:
    """A mime bundle: the widget's view (if any), an HTML fallback and text/plain."""
    data: dict[str, Any] = {}
    if widget is not None:
        data.update(widget._repr_mimebundle_() or {})
    if html_text is not None:
        data["text/html"] = html_text
    data["text/plain"] = text
    return select(data, include, exclude)


def select(data: Mapping[str, Any], include: Any = None, exclude: Any = None) -> dict[str, Any]:
    """Keep the mime types ``include`` asks for and drop those ``exclude`` names."""
    return {
        mime: value
        for mime, value in data.items()
        if (not include or mime in include or mime == "text/plain")
        and not (exclude and mime in exclude and mime != "text/plain")
    }


STEP_ENDS = {
    EventType.STEP_SUCCESS: "success",
    EventType.STEP_FAILURE: "danger",
    EventType.STEP_SKIPPED: "warning",
}
"""Step-ending event -> the progress bar style it gives."""


def error_box(header: str, lines: Sequence[str]) -> str:
    """A red box: a header line (if any) and preformatted details."""
    body = "".join(f"<pre style='white-space:pre-wrap'>{esc(line)}</pre>" for line in lines)
    head = f"<b>{esc(header)}</b>" if header else ""
    return f"<div style='color:{colour('error')}'>{head}{body}</div>"


def failure_report(result: ExecuteInProcessResult, scrub: Callable[[str], str]) -> tuple[str, str]:
    """Why a run failed, as (text, HTML): each failed step or setup with its error's message.

    Args:
        result: the finished run.
        scrub: removes the run's secret values from a text (applied to every line shown).
    """
    failures = [
        event
        for event in result.all_events
        if event.event_type in (EventType.STEP_FAILURE, EventType.RUN_FAILURE)
        and (event.step_key or event.data.get("traceback"))
    ]
    messages = [scrub(event.message) for event in failures] or [
        scrub(result.run.error or "no step reported an error")
    ]
    lines = [f"run {result.run_id} failed", *(f"  {message}" for message in messages)]
    html_text = (
        f"<div>{status_badge('FAILURE')} run <code>{esc(result.run_id)}</code></div>"
        + error_box("", messages)
    )
    return "\n".join(lines), html_text


def summary_html(result: ExecuteInProcessResult, plan: Plan) -> str:
    """A run's summary: status, each step's outcome and duration, failures and outputs."""
    status = result.run.status.value
    durations = result.step_durations()
    outcomes = {
        event.step_key: event.event_type.value.removeprefix("STEP_")
        for event in result.all_events
        if event.step_key and event.event_type in STEP_ENDS
    }
    rows = "".join(
        f"<tr><td>{esc(step.key)}</td><td>{status_badge(outcomes.get(step.key, 'NOT RUN'))}</td>"
        f"<td>{format_duration(durations.get(step.key))}</td></tr>"
        for step in plan.steps
    )
    parts = [
        f"<div>{status_badge(status)} run <code>{esc(result.run_id)}</code> "
        f"in {format_duration(result.run.duration)}</div>",
        f"<table><tr><th>step</th><th>status</th><th>duration</th></tr>{rows}</table>",
    ]
    for event in result.all_events:
        trace = event.data.get("traceback")
        if event.event_type in (EventType.STEP_FAILURE, EventType.RUN_FAILURE) and trace:
            where = f"step {event.step_key!r}" if event.step_key else "resource setup"
            parts.append(
                error_box(f"{where} failed in run {result.run_id}", [event.message, str(trace)])
            )
    for name, value in step_outputs(result, plan):
        parts.append(f"<details open><summary>{esc(name)}</summary>{preview_html(value)}</details>")
    return "".join(parts)


def step_outputs(result: ExecuteInProcessResult, plan: Plan) -> list[tuple[str, Any]]:
    """Each value the plan's steps produced in the run, labelled by asset key or output."""
    found: list[tuple[str, Any]] = []
    for step in plan.steps:
        for output, key in step.output_keys.items():
            try:
                if key is not None:
                    found.append((key.to_user_string(), result.asset_value(key)))
                else:
                    label = step.key if output == "result" else f"{step.key}.{output}"
                    found.append((label, result.output_for_node(step.key, output)))
            except WorkbenchError:
                continue  # not produced (failed, skipped, or a MaterializeResult without value)
    return found


def summary_text(result: ExecuteInProcessResult) -> str:
    """The result summary as plain text: status, step durations and previews."""
    lines = [f"run {result.run_id}: {result.run.status.value}"]
    for step, seconds in result.step_durations().items():
        lines.append(f"  {step}: {format_duration(seconds)}")
    for event in result.failures:
        lines.append(f"  FAILED {event.step_key}: {event.message}")
    for key in result.get_asset_materialization_events():
        try:
            value = result.asset_value(key.data["asset_key"])
        except WorkbenchError:
            continue
        lines.append(f"  {key.data['asset_key']}: {preview_text(value)}")
    return "\n".join(lines)


SHORT_ID = 8
"""How many characters of a run id the tables and tick views show."""


def last_line(text: str) -> str:
    """The last non-blank line of a message or traceback (where Python puts the error)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return truncate(lines[-1], 160) if lines else ""
