"""Run history, one run's event log and step timeline, and what a sensor or schedule tick gave."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from workbench.widgets._display import (
    SHORT_ID,
    bundle,
    esc,
    format_duration,
    format_time,
    job_label,
    last_line,
    status_badge,
)
from workbench.widgets._run_detail import RunDetail, StepSpan, step_spans, timeline_svg
from workbench.widgets._theme import colour
from workbench.widgets._tick_view import TickView, tick_view

if TYPE_CHECKING:
    from workbench.core.run import RunRecord, RunStore

# RunDetail and the timeline live in _run_detail.py, TickView in _tick_view.py, last_line in
# _display.py; their names stay importable from here (#17)
__all__ = [
    "NOTEBOOK_TAG",
    "RunDetail",
    "RunsView",
    "StepSpan",
    "TickView",
    "last_line",
    "runs_table",
    "runs_text",
    "step_spans",
    "tick_view",
    "timeline_svg",
]

DEFAULT_LIMIT = 50
NOTEBOOK_TAG = "workbench/notebook"
"""The tag naming the notebook a run was started from (set by the notebook layer)."""
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


def runs_text(records: list[RunRecord]) -> str:
    """Runs as a plain-text table, one line each, in the order given (the terminal's form)."""
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
            self.widget, runs_text(self.records), _table_html(self.records), include, exclude
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
            raise TypeError(
                "this runs view was built without the history's DataFrame; index "
                "wb.runs() (a DataFrame), or build RunsView(store, frame=...)"
            )
        return self.frame[key]

    def __len__(self) -> int:
        return len(self.frame) if self.frame is not None else len(self.records)
