"""The ``workbench`` command (and ``python -m workbench``): the ``%wb`` verbs on a target file."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from workbench.app.commands import build_group
from workbench.app.namespace import load_definitions
from workbench.core.result import ExecuteInProcessResult
from workbench.core.run import EventType, RunEvent
from workbench.core.secrets import Scrubber, scrubber_for
from workbench.errors import WorkbenchError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from workbench.core.definitions import Definitions

__all__ = ["TerminalFrontend", "main"]


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    bundle = getattr(value, "_repr_mimebundle_", None)
    if bundle is not None:
        data = bundle()
        if isinstance(data, tuple):
            data = data[0]
        if "text/plain" in data:
            return str(data["text/plain"])
    return str(value)


class TerminalFrontend:
    """Verbs act on a target file and print their results."""

    needs_target = True

    def __init__(self) -> None:
        self.scrub = Scrubber()

    def definitions(self, target: str | None) -> Definitions:
        """Load the target's definitions (and learn their secrets, to keep them off screen)."""
        assert target is not None
        defs = load_definitions(target)
        self.scrub = scrubber_for(defs.resources)
        return defs

    def show(self, value: Any) -> None:
        """Print a result's text form, secrets scrubbed."""
        click.echo(self.scrub(_text(value)))

    def progress(self) -> Callable[[RunEvent], None] | None:
        """On a terminal, a line per finished step on stderr; elsewhere nothing."""
        if not sys.stderr.isatty():
            return None

        def on_event(event: RunEvent) -> None:
            if event.event_type is EventType.STEP_SUCCESS:
                click.echo(
                    f"  ok    {event.step_key} ({event.data.get('duration', 0):.2f}s)", err=True
                )
            elif event.event_type is EventType.STEP_FAILURE:
                click.echo(f"  FAIL  {event.step_key}", err=True)
            elif event.event_type is EventType.STEP_SKIPPED:
                click.echo(f"  skip  {event.step_key}", err=True)

        return on_event

    def notebook_path(self) -> str | None:
        """No current notebook on a terminal."""
        return None

    def new_cell(self, text: str) -> None:
        """Print the template."""
        click.echo(text)


def _demo_command() -> click.Command:
    @click.command("demo", help="Run a notebook headless (the quickstart by default) and print it.")
    @click.argument("notebook", default="notebooks/quickstart.ipynb")
    @click.option("--timeout", default=120, show_default=True, help="Seconds per cell.")
    def demo(notebook: str, timeout: int) -> bool:
        from workbench.app.notebooks import run_notebook

        ok, text = run_notebook(notebook, timeout=timeout)
        click.echo(text)
        return ok

    return demo


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ok, 1 failed run or bad input, 2 usage)."""
    frontend = TerminalFrontend()
    group = build_group(frontend)
    group.add_command(_demo_command())
    try:
        result = group.main(
            args=list(argv) if argv is not None else None,
            prog_name="workbench",
            standalone_mode=False,
        )
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.UsageError as exc:
        exc.show()
        return 2
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.Abort:
        click.echo("aborted", err=True)
        return 1
    except WorkbenchError as exc:
        click.echo(frontend.scrub(str(exc)), err=True)
        return 1
    if isinstance(result, ExecuteInProcessResult) and not result.success:
        return 1
    if type(result).__name__ == "ExecuteInProcessResult" and not result.success:
        return 1  # Dagster's result, from a module written with import dagster (#15)
    if result is False:
        return 1
    if getattr(result, "runs", None) and not all(run.success for run in result.runs):
        return 1
    return 0
