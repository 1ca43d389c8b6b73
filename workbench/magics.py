"""``%load_ext workbench``: the ``%wb`` line magic, a thin front end over the shared verbs."""

from __future__ import annotations

import shlex
import sys
from typing import TYPE_CHECKING, Any

import click
from IPython.core.magic import Magics, line_magic, magics_class

from workbench.app.api import active_definitions, edit_store
from workbench.app.commands import build_group
from workbench.app.namespace import apply_saved_edits, current_notebook, gather_definitions
from workbench.core.run import EventType, RunEvent
from workbench.core.secrets import Scrubber, scrubber_for
from workbench.errors import WorkbenchError

if TYPE_CHECKING:
    from collections.abc import Callable

    from workbench.core.definitions import Definitions

__all__ = [
    "NotebookFrontend",
    "WorkbenchMagics",
    "load_ipython_extension",
    "unload_ipython_extension",
]


class NotebookFrontend:
    """Verbs act on the notebook's namespace; results are returned and displayed by IPython."""

    needs_target = False

    def __init__(self, shell: Any) -> None:
        self.shell = shell
        self.scrub = Scrubber()

    def definitions(self, target: str | None) -> Definitions:
        """The notebook's active definitions (whose secrets are kept off the output)."""
        defs = active_definitions(self.shell.user_ns)
        self.scrub = scrubber_for(defs.resources)
        return defs

    def show(self, value: Any) -> None:
        """Print text; rich values are the magic's return value, displayed by IPython."""
        if isinstance(value, str):
            print(self.scrub(value))

    def progress(self) -> Callable[[RunEvent], None] | None:
        """A line that counts finished steps, redrawn in place."""
        from IPython.display import display

        handle = display({"text/plain": "starting run"}, raw=True, display_id=True)
        counts = {"done": 0, "failed": 0}

        def on_event(event: RunEvent) -> None:
            if event.event_type is EventType.STEP_SUCCESS:
                counts["done"] += 1
            elif event.event_type is EventType.STEP_FAILURE:
                counts["failed"] += 1
            else:
                return
            if handle is not None:
                text = f"steps done: {counts['done']}, failed: {counts['failed']}"
                handle.update({"text/plain": f"{text} (last: {event.step_key})"}, raw=True)

        return on_event

    def notebook_path(self) -> str | None:
        """The notebook's path as Jupyter tells it (None when unknown)."""
        name = current_notebook(self.shell.user_ns)
        return None if name == "<default>" else name

    def new_cell(self, text: str) -> None:
        """Put ``text`` in a new cell below."""
        self.shell.set_next_input(text, replace=False)


@magics_class
class WorkbenchMagics(Magics):
    """``%wb SUBCOMMAND ...``: see ``%wb help``."""

    @line_magic
    def wb(self, line: str) -> Any:
        """Run a workbench verb on this notebook's definitions (``%wb help`` lists them)."""
        try:
            args = shlex.split(line)
        except ValueError as exc:
            print(f"%wb: cannot parse {line!r}: {exc}", file=sys.stderr)
            return None
        frontend = NotebookFrontend(self.shell)
        group = build_group(frontend)
        try:
            return group.main(args=args or ["help"], prog_name="%wb", standalone_mode=False)
        except click.exceptions.Exit:
            return None
        except click.ClickException as exc:
            print(
                exc.format_message() if not isinstance(exc, click.UsageError) else _usage(exc),
                file=sys.stderr,
            )
            return None
        except WorkbenchError as exc:
            print(frontend.scrub(str(exc)), file=sys.stderr)
            return None


def _usage(exc: click.UsageError) -> str:
    usage = exc.ctx.get_usage() if exc.ctx is not None else ""
    return f"{usage}\nTry '%wb help'.\n\n{exc.format_message()}".strip()


def _restore_edits(shell: Any) -> Callable[..., None]:
    def restore(*_: Any) -> None:
        try:
            edits = edit_store().load(current_notebook(shell.user_ns))
            if edits:
                apply_saved_edits(gather_definitions(shell.user_ns), edits)
        except WorkbenchError as exc:  # shown, never raised into the notebook
            print(f"workbench: saved form edits were not applied: {exc}", file=sys.stderr)

    restore.__workbench_hook__ = True  # type: ignore[attr-defined]
    return restore


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
