"""The ``workbench`` command (and ``python -m workbench``): the ``%wb`` verbs on a target file."""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING, Any

import click

from workbench.app.commands import build_group
from workbench.app.engines import engine_for
from workbench.app.namespace import load_definitions
from workbench.core.plain import redact
from workbench.core.result import ExecuteInProcessResult
from workbench.core.run import EventType, RunEvent
from workbench.core.secrets import Scrubber, scrubber_for
from workbench.core.session import current_session
from workbench.errors import WorkbenchError

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Sequence

    from workbench.core.definitions import Definitions
    from workbench.core.run import RunStore
    from workbench.core.schedule import Schedule
    from workbench.core.sensor import TickResult

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
        self.scrub = scrubber_for(defs.resources, current_session().overrides)
        return defs

    def output(self, value: Any, text: str) -> Any:
        """Print ``text``, secrets scrubbed; return the value."""
        click.echo(self.scrub(text))
        return value

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

    def run_result(self, result: Any, defs: Any) -> Any:
        """Print the run's summary (its failures included), secrets scrubbed."""
        click.echo(self.scrub(engine_for(defs).run_text(result)))
        return result

    def launchpad(self, job: str | None, defs: Definitions) -> Any:
        """No launchpad on a terminal: the job runs right away."""
        return None

    def tick(
        self,
        result: TickResult,
        schedule: Schedule | None,
        next_count: int,
        after: dt.datetime | None,
    ) -> Any:
        """Print the tick, and a schedule's next tick times, secrets scrubbed."""
        click.echo(self.scrub(_text(result)))
        if schedule is not None:
            times = schedule.next_tick_times(next_count, after=after)
            shown = [f"  {time.isoformat()}" for time in times] or ["  none before the year 10000"]
            click.echo("\n".join(["next ticks:", *shown]))
        return result

    def run_history(self, store: RunStore, run_id: str | None, limit: int) -> Any:
        """Print the runs, newest first, or one run's steps and events, as the notebook does."""
        from workbench.widgets.runs import RunDetail, runs_text

        if run_id is not None:
            detail = RunDetail(store, run_id)
            click.echo(self.scrub(detail.text()))
            return detail
        records = store.list_runs(limit=limit)
        click.echo(self.scrub(runs_text(records)))
        return records

    def resources(self, defs: Definitions) -> Any:
        """Print each resource's config as JSON, secrets redacted."""
        shown = {
            key: redact(value) if hasattr(type(value), "model_fields") else repr(value)
            for key, value in defs.resources.items()
        }
        click.echo(self.scrub(json.dumps(shown, indent=2, default=str)))
        return shown

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
    # find modules in the working directory, as `python -m workbench` does (see #14)
    if "" not in sys.path and os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
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
