"""``%load_ext workbench``: the ``%wb`` line magic, a thin front end over the shared verbs."""

from __future__ import annotations

import shlex
import sys
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import click
from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_magic, magics_class

from workbench.app.api import active_definitions, edit_store
from workbench.app.commands import build_group
from workbench.app.engines import engine_for
from workbench.app.namespace import apply_saved_edits, current_notebook, gather_definitions
from workbench.core.definitions import Definitions, LazyDefinitions
from workbench.core.run import EventType, RunEvent
from workbench.core.secrets import Scrubber, scrubber_for
from workbench.core.session import current_session
from workbench.errors import WorkbenchError

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable

    from workbench.core.run import RunStore
    from workbench.core.schedule import Schedule
    from workbench.core.sensor import TickResult

__all__ = [
    "NotebookFrontend",
    "ShownDict",
    "ShownText",
    "WorkbenchMagics",
    "load_ipython_extension",
    "unload_ipython_extension",
]


class ShownText(str):
    """A verb's text value: a ``str`` for code, shown once and readably in a notebook.

    ``%wb export out.py`` returns the module's source; the notebook shows only what happened.
    """

    shown: str

    def __new__(cls, value: str, shown: str | None = None) -> ShownText:
        """Text ``value``, shown as ``shown`` (the value itself by default)."""
        made = super().__new__(cls, value)
        made.shown = value if shown is None else shown
        return made

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.shown)


class ShownDict(dict[str, Any]):
    """A verb's mapping value (``list``, ``resources --saved``), shown as its text."""

    shown: str

    def __init__(self, value: Mapping[str, Any], shown: str) -> None:
        super().__init__(value)
        self.shown = shown

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.shown)


class NotebookFrontend:
    """Verbs act on the notebook's namespace; their value is returned and displayed once."""

    needs_target = False

    def __init__(self, shell: Any) -> None:
        self.shell = shell
        self.scrub = Scrubber()
        self._handle: Any = None
        self._started = 0.0

    def definitions(self, target: str | None) -> Definitions:
        """The notebook's active definitions, whose secrets are kept off the output.

        A saved edit that no longer fits its resource is reported.
        """
        defs = active_definitions(self.shell.user_ns, report=_report)
        self.scrub = scrubber_for(defs.resources, current_session().overrides)
        return defs

    def output(self, value: Any, text: str) -> Any:
        """The value IPython shows: rich values as they are, text and mappings as ``text``."""
        if isinstance(value, str):
            return ShownText(value, self.scrub(text))
        if isinstance(value, Mapping):
            return ShownDict(value, self.scrub(text))
        if value is None or not _has_display(value):
            print(self.scrub(text))
            return value
        return value

    def progress(self) -> Callable[[RunEvent], None] | None:
        """A line that counts finished steps with the elapsed time, drawn once a run starts.

        Nothing is drawn when nothing runs (a bad config or a typo is reported instead).
        """
        from IPython.display import display

        counts = {"done": 0, "failed": 0, "skipped": 0}
        ends = {
            EventType.STEP_SUCCESS: "done",
            EventType.STEP_FAILURE: "failed",
            EventType.STEP_SKIPPED: "skipped",
        }

        def on_event(event: RunEvent) -> None:
            if event.event_type is EventType.RUN_START:
                self._started = time.monotonic()
                self._handle = display({"text/plain": "run started"}, raw=True, display_id=True)
                return
            kind = ends.get(event.event_type)
            if kind is None or self._handle is None:
                return
            counts[kind] += 1
            elapsed = time.monotonic() - self._started
            text = (
                f"steps done: {counts['done']}, failed: {counts['failed']}, "
                f"skipped: {counts['skipped']} ({elapsed:.1f} s; last: {event.step_key})"
            )
            self._handle.update({"text/plain": text}, raw=True)

        return on_event

    def run_result(self, result: Any, defs: Any) -> Any:
        """Turn the progress line into the outcome; a failure shows its error (scrubbed)."""
        from workbench.core.result import ExecuteInProcessResult
        from workbench.widgets._display import failure_report, format_duration

        if not isinstance(result, ExecuteInProcessResult):  # Dagster's own result (#15)
            outcome = {"text/plain": self.scrub(engine_for(defs).run_text(result))}
            if self._handle is not None:
                self._handle.update(outcome, raw=True)
            return result

        if result.success:
            steps = len(result.step_durations())
            text = (
                f"run {result.run_id} succeeded: {steps} steps in "
                f"{format_duration(result.run.duration)}"
            )
            bundle = {"text/plain": text}
        else:
            text, html = failure_report(result, self.scrub)
            bundle = {"text/plain": text, "text/html": html}
        if self._handle is not None:
            self._handle.update(bundle, raw=True)
        else:
            from IPython.display import display

            display(bundle, raw=True)
        return result

    def launchpad(self, job: str | None, defs: Definitions) -> Any:
        """The launchpad for ``job`` (or a job picker)."""
        from workbench.app.api import launchpad

        return launchpad(job, defs)

    def tick(
        self,
        result: TickResult,
        schedule: Schedule | None,
        next_count: int,
        after: dt.datetime | None,
    ) -> Any:
        """The tick's view: run requests, cursor, launched runs, next tick times."""
        from workbench.widgets.runs import tick_view

        return tick_view(result, schedule, next_count, after=after)

    def run_history(self, store: RunStore, run_id: str | None, limit: int) -> Any:
        """One run's detail, or the runs table (newest first)."""
        from workbench.storage.history import runs
        from workbench.widgets.runs import RunDetail, RunsView

        if run_id is not None:
            return RunDetail(store, run_id)
        return RunsView(store, limit=limit, frame=runs(store, limit=limit))

    def resources(self, defs: Definitions) -> Any:
        """One form per resource."""
        from workbench.app.api import show_resources

        return show_resources(defs)

    def notebook_path(self) -> str | None:
        """The notebook's path as Jupyter tells it (None when unknown)."""
        name = current_notebook(self.shell.user_ns)
        return None if name == "<default>" else name

    def new_cell(self, text: str) -> None:
        """Put ``text`` in a new cell below."""
        self.shell.set_next_input(text, replace=False)


def _report(problem: str) -> None:
    print(f"workbench: {problem}", file=sys.stderr)


def _has_display(value: Any) -> bool:
    return any(
        hasattr(value, name) for name in ("_repr_mimebundle_", "_repr_html_", "_ipython_display_")
    )


@magics_class
class WorkbenchMagics(Magics):
    """``%wb SUBCOMMAND ...``: see ``%wb help``."""

    @line_magic
    def wb(self, line: str) -> Any:
        """Run a workbench verb on this notebook's definitions (``%wb help`` lists them).

        A ``#`` comment ends the line, as in a shell. What cannot run raises (the cell stops,
        showing only the message): a magic never returns None in place of a result.
        """
        try:
            args = shlex.split(line, comments=True)
        except ValueError as exc:
            raise UsageError(f"%wb: cannot parse {line!r}: {exc}") from None
        frontend = NotebookFrontend(self.shell)
        group = build_group(frontend)
        try:
            return group.main(args=args or ["help"], prog_name="%wb", standalone_mode=False)
        except click.exceptions.Exit:
            return None
        except click.UsageError as exc:
            raise UsageError(_usage(exc)) from None
        except click.ClickException as exc:
            raise UsageError(exc.format_message()) from None
        except WorkbenchError as exc:
            _show_message_only(frontend.scrub.exception(exc))
            raise


def _show_message_only(exc: BaseException) -> None:
    """Make IPython show the exception's type and message, without the traceback of %wb."""
    name = type(exc).__name__

    def render() -> list[str]:
        return [f"{name}: {exc}"]

    exc._render_traceback_ = render  # type: ignore[attr-defined]


def _usage(exc: click.UsageError) -> str:
    usage = exc.ctx.get_usage() if exc.ctx is not None else ""
    return f"{usage}\nTry '%wb help'.\n\n{exc.format_message()}".strip()


def _restore_edits(shell: Any) -> Callable[..., None]:
    """After each cell, bind saved form edits not bound yet; show each problem once.

    The namespace's definitions (``@definitions`` functions included) are gathered only when
    an edit is waiting and something that could bind it changed since the last attempt.
    """
    reported: set[str] = set()
    last: list[Any] = [None]

    def restore(*_: Any) -> None:
        try:
            store = edit_store()
            notebook = current_notebook(shell.user_ns)
            edits = store.load(notebook)
            bound = current_session().overrides
            pending = {key: config for key, config in edits.items() if key not in bound}
            if not pending:
                return
            fingerprint = (_definitions_in(shell.user_ns), repr(sorted(edits.items())))
            if fingerprint == last[0]:
                return
            last[0] = fingerprint
            problems = apply_saved_edits(
                gather_definitions(shell.user_ns), pending, saved_at=store.saved_at(notebook)
            )
        except WorkbenchError as exc:  # shown, never raised into the notebook
            problems = [f"saved form edits were not applied: {exc}"]
        for problem in problems:
            if problem not in reported:
                reported.add(problem)
                print(f"workbench: {problem}", file=sys.stderr)

    restore.__workbench_hook__ = True  # type: ignore[attr-defined]
    return restore


def _definitions_in(namespace: Mapping[str, Any]) -> tuple[tuple[str, int], ...]:
    """Which Definitions and ``@definitions`` functions the namespace holds (names and ids)."""
    return tuple(
        (name, id(value))
        for name, value in namespace.items()
        if isinstance(value, Definitions | LazyDefinitions)
    )


def load_ipython_extension(ipython: Any) -> None:
    """Register ``%wb`` and re-apply saved form edits after each cell (idempotent)."""
    ipython.register_magics(WorkbenchMagics)
    callbacks = ipython.events.callbacks["post_run_cell"]
    if not any(getattr(cb, "__workbench_hook__", False) for cb in callbacks):
        ipython.events.register("post_run_cell", _restore_edits(ipython))


def unload_ipython_extension(ipython: Any) -> None:
    """Remove ``%wb`` and the edit hook."""
    ipython.magics_manager.magics["line"].pop("wb", None)
    for callback in list(ipython.events.callbacks["post_run_cell"]):
        if getattr(callback, "__workbench_hook__", False):
            ipython.events.unregister("post_run_cell", callback)
