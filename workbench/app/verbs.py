"""One function per verb of ``%wb`` and the ``workbench`` command; the front end shows results.

Each function builds one click command for a :class:`~workbench.app.commands.Frontend`. The
verbs compute; what differs between a notebook and a terminal (a widget or text, a value
returned or printed) is the front end's business.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from workbench.app import scaffold as scaffolding
from workbench.app._run_verbs import launch, materialize, schedule, sensor
from workbench.app._verb_options import SELECT_HELP, parse_selection, runnable, with_target
from workbench.app.engines import engine_for, engine_named
from workbench.app.listing import render_text
from workbench.core.instance import default_instance

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from workbench.app.commands import Frontend
    from workbench.core.definitions import Definitions

# parse_selection lives in _verb_options.py and the running verbs in _run_verbs.py (#17)
__all__ = ["VERBS", "help_", "load", "parse_selection"]


def check(frontend: Frontend) -> click.Command:
    """``check``: load and validate the definitions."""

    @click.command("check", help="Load and validate the definitions.")
    @with_target(frontend)
    def command(target: str | None = None) -> Any:
        defs = frontend.definitions(target)
        engine_for(defs).validate(defs)
        return frontend.output(None, "All definitions loaded successfully.")

    return command


def list_(frontend: Frontend) -> click.Command:
    """``list``: assets, jobs, resources (and who uses them), sensors, schedules."""

    @click.command(
        "list", help="List assets, jobs, resources (and who uses them), sensors, schedules."
    )
    @with_target(frontend)
    @click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
    def command(target: str | None = None, as_json: bool = False) -> Any:
        defs = frontend.definitions(target)
        listing = engine_for(defs).describe(defs)
        text = json.dumps(listing, indent=2) if as_json else render_text(listing)
        return frontend.output(listing, text)

    return command


def runs(frontend: Frontend) -> click.Command:
    """``runs``: run history, or one run's events."""

    @click.command("runs", help="Run history (or one run's events with RUN_ID).")
    @click.argument("run_id", required=False)
    @click.option("--limit", "-n", type=click.IntRange(1), default=20, show_default=True)
    @click.option(
        "--engine",
        type=click.Choice(["workbench", "dagster"]),
        help="Whose history: workbench's or Dagster's instance (default: the notebook's engine; "
        "workbench on a terminal).",
    )
    def command(run_id: str | None, limit: int, engine: str | None) -> Any:
        store = _history_store(frontend, engine)
        if run_id is not None and not _is_run(store, run_id):
            run_id = _run_by_prefix(store, run_id)
        if run_id is not None and not _is_run(store, run_id):
            usage = "workbench runs [RUN_ID]" if frontend.needs_target else "%wb runs [RUN_ID]"
            raise click.UsageError(
                f"no run {run_id!r} in the run store; 'runs' takes a run id or nothing "
                f"({usage}; list the run ids with '{usage.removesuffix(' [RUN_ID]')}')"
            )
        return frontend.run_history(store, run_id, limit)

    return command


def _history_store(frontend: Frontend, engine: str | None) -> Any:
    """The run store to read: the one named, the notebook's engine's, or workbench's."""
    from workbench.errors import WorkbenchError

    # a notebook reads the history of the engine its definitions run on (#15)
    if engine is not None:
        return engine_named("dagster" if engine == "dagster" else "workbench").run_store()
    if frontend.needs_target:
        return default_instance().run_store
    try:
        defs: Definitions | None = frontend.definitions(None)
    except WorkbenchError:  # history stays readable while the definitions do not load
        defs = None
    return engine_for(defs).run_store()


def _run_by_prefix(store: Any, prefix: str) -> str:
    """The one run whose id starts with ``prefix`` (tables show 8 characters), else ``prefix``."""
    if len(prefix) < 4:
        return prefix
    matches = [record.run_id for record in store.list_runs() if record.run_id.startswith(prefix)]
    if len(matches) > 1:
        shown = ", ".join(matches[:5])
        raise click.UsageError(
            f"run id {prefix!r} is the start of {len(matches)} runs ({shown}); give more of it"
        )
    return matches[0] if matches else prefix


def _is_run(store: Any, run_id: str) -> bool:
    from workbench.errors import WorkbenchError

    try:
        store.get_run(run_id)
    except (KeyError, WorkbenchError):
        return False
    return True


def graph(frontend: Frontend) -> click.Command:
    """``graph``: the asset graph with each asset's status."""

    @click.command("graph", help="The asset graph, each asset fresh, stale, missing or failed.")
    @with_target(frontend)
    @click.option("--select", "-s", multiple=True, help=SELECT_HELP)
    @click.option(
        "--open",
        "open_groups",
        multiple=True,
        metavar="GROUP",
        help="Show a large group's assets instead of one box (repeatable; 'all' for every one).",
    )
    def command(
        select: Sequence[str], open_groups: Sequence[str], target: str | None = None
    ) -> Any:
        from workbench.app.engines.views import graph_view

        # the same selection and groups on either engine; statuses from the engine's store (#15)
        view = graph_view(runnable(frontend, target), select, open_groups)
        return frontend.output(view, view.text())

    return command


def resources(frontend: Frontend) -> click.Command:
    """``resources``: forms (notebook) or config (terminal); saved edits listed or cleared."""

    @click.command("resources", help="Resource forms (notebook) or resource config (terminal).")
    @with_target(frontend)
    @click.option("--reset", "reset", is_flag=True, help="Clear saved form edits (of KEYs).")
    @click.option("--saved", "list_saved", is_flag=True, help="List the saved form edits.")
    @click.argument("keys", nargs=-1, metavar="[KEY]...")
    def command(
        reset: bool, list_saved: bool, keys: Sequence[str], target: str | None = None
    ) -> Any:
        from workbench.app.api import edit_store
        from workbench.core.session import current_session

        notebook = frontend.notebook_path() or "<default>"
        if list_saved:
            edits = {
                key: config
                for key, config in edit_store().load(notebook).items()
                if not keys or key in keys
            }
            text = json.dumps(edits, indent=2, sort_keys=True) if edits else "none"
            return frontend.output(edits, f"saved form edits of {notebook}: {text}")
        if reset:
            store = edit_store()
            saved = store.load(notebook)
            for key in keys or list(saved):
                store.clear(notebook, key)
                current_session().unbind(key)
            cleared = ", ".join(keys or sorted(saved)) or "nothing"
            return frontend.output(None, f"cleared saved edits: {cleared}")
        return frontend.resources(frontend.definitions(target))

    return command


def export(frontend: Frontend) -> click.Command:
    """``export``: a notebook to a definitions module."""

    @click.command("export", help="Export a notebook to a definitions module.")
    @click.argument("path", metavar="NOTEBOOK" if frontend.needs_target else "OUT")
    @click.option("-o", "--out", help="Where to write the module (default: print it).")
    @click.option(
        "--target",
        "export_target",
        type=click.Choice(["workbench", "dagster"]),
        default=None,
        help="The library the module imports (default: the one the notebook imports).",
    )
    @click.option("--notebook", help="The notebook to export (default: this one).")
    def command(path: str, out: str | None, export_target: str | None, notebook: str | None) -> Any:
        from workbench.app.api import export_notebook

        if frontend.needs_target:
            source = export_notebook(path, out, target=export_target)
            return frontend.output(source, source if out is None else f"wrote {out}")
        current = notebook or frontend.notebook_path()
        if current is None:
            raise click.UsageError("cannot tell which notebook this is; pass --notebook PATH.ipynb")
        source = export_notebook(current, path, target=export_target)
        lines = len(source.splitlines())
        return frontend.output(source, f"exported {current} to {path} ({lines} lines)")

    return command


def notebook(frontend: Frontend) -> click.Command:
    """``notebook``: a definitions module to a notebook."""

    @click.command("notebook", help="Turn a definitions module into a notebook.")
    @click.argument("module", metavar="MODULE")
    @click.option("-o", "--out", required=True, help="The notebook to write (.ipynb).")
    @click.option("--force", is_flag=True, help="Replace the notebook if it exists.")
    def command(module: str, out: str, force: bool) -> Any:
        from workbench.app.api import notebook_from_module

        if os.path.lexists(out) and not force:
            raise click.UsageError(
                f"{out!r} exists and would be replaced; pass --force to replace it, "
                "or give -o a new path"
            )
        notebook_from_module(module, out)
        return frontend.output(out, f"wrote {out}")

    return command


def scaffold(frontend: Frontend) -> click.Command:
    """``scaffold``: a resource cell, or a definitions file like ``dg scaffold defs``."""

    @click.command(
        "scaffold", help="Write a template: 'defs workbench.resources PATH' or 'resource NAME'."
    )
    @click.argument("kind", type=click.Choice(["defs", "resource"]))
    @click.argument("args", nargs=-1, required=True)
    def command(kind: str, args: Sequence[str]) -> Any:
        if kind == "resource":
            text = scaffolding.resource_cell(args[0])
            frontend.new_cell(text)
            return text
        if len(args) != 2:
            raise click.UsageError(
                "usage: scaffold defs workbench.resources PATH (also workbench.asset, "
                "workbench.sensor, workbench.schedule)"
            )
        written = scaffolding.write_defs(args[0], Path(args[1]))
        return frontend.output(str(written), f"Creating defs at {written}.")

    return command


def load(frontend: Frontend) -> click.Command:
    """``load`` (notebook only): another module's definitions join the notebook's."""

    @click.command("load", help="Load a module, .py file or project folder's definitions here.")
    @click.argument("load_target", metavar="TARGET", required=False)
    @click.option("--forget", is_flag=True, help="Drop what earlier loads added.")
    def command(load_target: str | None, forget: bool) -> Any:
        from workbench.app.api import forget_loaded, load_into_notebook

        if forget:
            dropped = forget_loaded()
            return frontend.output(dropped, f"forgot: {', '.join(dropped) or 'nothing'}")
        if load_target is None:
            raise click.UsageError("give what to load: a module, a .py file or a folder")
        defs = load_into_notebook(load_target)
        text = f"loaded {load_target}; its definitions are active in this notebook"
        return frontend.output(defs, text)

    return command


def help_(frontend: Frontend, group: click.Group) -> click.Command:
    """``help``: the group's help text."""

    @click.command("help", help="Show this help.")
    @click.pass_context
    def command(ctx: click.Context) -> Any:
        text = group.get_help(ctx.parent or ctx)
        return frontend.output(text, text)

    return command


VERBS: tuple[Callable[[Frontend], click.Command], ...] = (
    check,
    list_,
    materialize,
    launch,
    sensor,
    schedule,
    runs,
    graph,
    resources,
    export,
    notebook,
    scaffold,
)
"""The verbs in the order they are added (``help`` is added last, by the group)."""
