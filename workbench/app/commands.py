"""The verbs shared by ``%wb`` and the ``workbench`` command: one parser, two front ends."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import click

from workbench.app import scaffold as scaffolding
from workbench.app.engines import engine_for, engine_named
from workbench.app.listing import render_text
from workbench.app.namespace import with_session_edits
from workbench.app.run_config import read_run_config
from workbench.core._suggest import closest
from workbench.core.config import redact
from workbench.core.instance import default_instance
from workbench.errors import WorkbenchError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from workbench.core.definitions import Definitions

__all__ = ["Frontend", "build_group", "read_run_config"]


class Frontend(Protocol):
    """Where the verbs get definitions from and show results: a terminal or a notebook."""

    needs_target: bool
    """Whether verbs take a target file (the terminal) or use the notebook's namespace."""

    def definitions(self, target: str | None) -> Definitions:
        """The definitions to act on."""

    def show(self, value: Any) -> None:
        """Show a result (print it, or display it in the notebook)."""

    def progress(self) -> Callable[[Any], None] | None:
        """An ``on_event`` callback that shows a run's progress, if this front end has one."""

    def notebook_path(self) -> str | None:
        """The current notebook's path, if known (the notebook front end)."""

    def new_cell(self, text: str) -> None:
        """Offer ``text`` as a new cell (the notebook) or print it (the terminal)."""


class _Group(click.Group):
    """A group whose unknown-verb error suggests the closest verb."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            match = closest(name, self.list_commands(ctx))
            hint = f" Did you mean {match!r}?" if match else ""
            raise click.UsageError(f"No such command {name!r}.{hint}", ctx)
        return super().resolve_command(ctx, args)


def _frontend(ctx: click.Context) -> Frontend:
    return ctx.find_root().obj  # type: ignore[no-any-return]


def build_group(frontend: Frontend) -> click.Group:
    """Build the verbs for one front end (the terminal adds a TARGET argument to most verbs)."""
    target_arg = [click.argument("target", metavar="TARGET")] if frontend.needs_target else []

    def with_target(fn: Callable[..., Any]) -> Callable[..., Any]:
        for decorator in target_arg:
            fn = decorator(fn)
        return fn

    @click.group(
        cls=_Group,
        name="workbench",
        help="Dagster-style resources, assets and jobs, alive in a notebook."
        + (
            "\n\nTARGET is a .py file, a module name or an .ipynb notebook."
            if frontend.needs_target
            else ""
        ),
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    @click.version_option(package_name="workbench", message="workbench %(version)s")
    def group() -> None:
        pass

    def defs_for(target: str | None) -> Definitions:
        return frontend.definitions(target)

    def runnable(target: str | None) -> Definitions:
        # runs get the session's applied form edits from here, never from the core (#12)
        return with_session_edits(frontend.definitions(target))

    @group.command(help="Load and validate the definitions.")
    @with_target
    def check(target: str | None = None) -> Definitions:
        defs = defs_for(target)
        engine_for(defs).validate(defs)
        frontend.show("All definitions loaded successfully.")
        return defs

    @group.command(
        "list", help="List assets, jobs, resources (and who uses them), sensors, schedules."
    )
    @with_target
    @click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
    def list_(target: str | None = None, as_json: bool = False) -> dict[str, Any]:
        defs = defs_for(target)
        listing = engine_for(defs).describe(defs)
        frontend.show(json.dumps(listing, indent=2) if as_json else render_text(listing))
        return listing

    @group.command(help="Materialize assets (all, or the KEYs / --select given).")
    @with_target
    @click.argument("keys", nargs=-1, metavar="[KEY]...")
    @click.option(
        "--select",
        "-s",
        multiple=True,
        help="Asset keys or a selection ('key:a+', 'group:g'); repeatable, or a,b.",
    )
    @click.option(
        "--config",
        "-c",
        "config_file",
        metavar="FILE",
        help="Run config YAML: resources: {KEY: {config: ...}}, ops: {...}.",
    )
    @click.option("--stale", is_flag=True, help="Only what is missing or stale.")
    def materialize(
        keys: Sequence[str],
        select: Sequence[str],
        config_file: str | None,
        stale: bool,
        target: str | None = None,
    ) -> Any:
        defs = runnable(target)
        chosen = [part for item in [*keys, *select] for part in item.split(",") if part]
        result = engine_for(defs).materialize(
            defs,
            selection=chosen,
            run_config=read_run_config(config_file),
            only_stale=stale,
            on_event=frontend.progress(),
        )
        frontend.show(result)
        return result

    @group.command(help="Launch a job (in a notebook without --job: open the launchpad).")
    @with_target
    @click.argument("job_name", required=False, metavar="[JOB]")
    @click.option("--job", "-j", "job_option", help="The job to run.")
    @click.option("--config", "-c", "config_file", metavar="FILE", help="Run config YAML.")
    def launch(
        job_name: str | None,
        job_option: str | None,
        config_file: str | None,
        target: str | None = None,
    ) -> Any:
        defs = defs_for(target)
        engine = engine_for(defs)
        name = job_option or job_name
        if not frontend.needs_target and job_option is None:
            from workbench.app.api import launchpad

            pad = launchpad(name, defs)
            frontend.show(pad)
            return pad
        if name is None:
            raise click.UsageError("give the job to run: --job NAME")
        result = engine.launch(
            with_session_edits(defs),
            name,
            run_config=read_run_config(config_file),
            on_event=frontend.progress(),
        )
        frontend.show(result)
        return result

    @group.command(help="Evaluate a sensor with its resources; --launch runs what it asks for.")
    @with_target
    @click.argument("name")
    @click.option("--cursor", help="The cursor the sensor receives.")
    @click.option("--launch", "launch_runs", is_flag=True, help="Launch the requested runs.")
    def sensor(name: str, cursor: str | None, launch_runs: bool, target: str | None = None) -> Any:
        defs = runnable(target)
        result = engine_for(defs).tick(defs, name, cursor=cursor, launch=launch_runs)
        if not frontend.needs_target:
            from workbench.widgets.runs import tick_view

            return tick_view(result)
        frontend.show(result)
        return result

    @group.command(help="Evaluate a schedule at a time; show its next tick times.")
    @with_target
    @click.argument("name")
    @click.option(
        "--at", "at", metavar="ISO", help="The scheduled time (ISO 8601), now by default."
    )
    @click.option(
        "--next",
        "next_count",
        type=click.IntRange(0, 1000),
        default=5,
        show_default=True,
        help="How many next tick times to show.",
    )
    @click.option("--launch", "launch_runs", is_flag=True, help="Launch the requested run.")
    def schedule(
        name: str, at: str | None, next_count: int, launch_runs: bool, target: str | None = None
    ) -> Any:
        defs = runnable(target)
        engine = engine_for(defs)
        when = None
        if at is not None:
            try:
                when = dt.datetime.fromisoformat(at)
            except ValueError:
                raise click.BadParameter(
                    f"{at!r} is not an ISO 8601 time; e.g. 2026-01-31T06:00:00+00:00",
                    param_hint="--at",
                ) from None
        result = engine.tick(defs, name, at=when, launch=launch_runs)
        schedule_def = engine.schedule(defs, name)
        if not frontend.needs_target:
            from workbench.widgets.runs import tick_view

            return tick_view(result, schedule_def, next_count, after=when)
        times = schedule_def.next_tick_times(next_count, after=when)
        frontend.show(result)
        shown = [f"  {time.isoformat()}" for time in times] or ["  none before the year 10000"]
        frontend.show("\n".join(["next ticks:", *shown]))
        return result

    @group.command(help="Run history (or one run's events with RUN_ID).")
    @click.argument("run_id", required=False)
    @click.option("--limit", "-n", type=click.IntRange(1), default=20, show_default=True)
    @click.option(
        "--engine",
        type=click.Choice(["workbench", "dagster"]),
        help="Whose history: workbench's or Dagster's instance (default: the notebook's engine; "
        "workbench on a terminal).",
    )
    def runs(run_id: str | None, limit: int, engine: str | None) -> Any:
        # a notebook reads the history of the engine its definitions run on (#15)
        if engine is not None:
            store = engine_named("dagster" if engine == "dagster" else "workbench").run_store()
        elif frontend.needs_target:
            store = default_instance().run_store
        else:
            try:
                defs: Definitions | None = frontend.definitions(None)
            except WorkbenchError:  # history stays readable while the definitions do not load
                defs = None
            store = engine_for(defs).run_store()
        if run_id is not None:
            if not frontend.needs_target:
                from workbench.widgets.runs import RunDetail

                detail = RunDetail(store, run_id)
                frontend.show(detail)
                return detail
            from workbench.storage.history import run_events

            frame = run_events(run_id, store)
        else:
            from workbench.storage.history import runs as history

            frame = history(store, limit=limit)
        frontend.show(frame if not frontend.needs_target else frame.to_string(index=False))
        return frame

    @group.command(help="The asset graph, each asset fresh, stale, missing or failed.")
    @with_target
    def graph(target: str | None = None) -> Any:
        from workbench.app.engines.views import graph_view

        view = graph_view(runnable(target))
        frontend.show(view)
        return view

    @group.command(help="Resource forms (notebook) or resource config (terminal).")
    @with_target
    @click.option("--reset", "reset", is_flag=True, help="Clear saved form edits (of KEYs).")
    @click.option("--saved", "list_saved", is_flag=True, help="List the saved form edits.")
    @click.argument("keys", nargs=-1, metavar="[KEY]...")
    def resources(
        reset: bool, list_saved: bool, keys: Sequence[str], target: str | None = None
    ) -> Any:
        from workbench.app.api import edit_store, show_resources
        from workbench.core.session import current_session

        if list_saved:
            notebook = frontend.notebook_path() or "<default>"
            edits = {
                key: config
                for key, config in edit_store().load(notebook).items()
                if not keys or key in keys
            }
            text = json.dumps(edits, indent=2, sort_keys=True) if edits else "none"
            frontend.show(f"saved form edits of {notebook}: {text}")
            return edits
        if reset:
            notebook = frontend.notebook_path() or "<default>"
            store = edit_store()
            saved = store.load(notebook)
            for key in keys or list(saved):
                store.clear(notebook, key)
                current_session().unbind(key)
            cleared = ", ".join(keys or sorted(saved)) or "nothing"
            frontend.show(f"cleared saved edits: {cleared}")
            return None
        defs = defs_for(target)
        if frontend.needs_target:
            shown = {
                key: redact(value) if hasattr(type(value), "model_fields") else repr(value)
                for key, value in defs.resources.items()
            }
            frontend.show(json.dumps(shown, indent=2, default=str))
            return shown
        panel = show_resources(defs)
        frontend.show(panel)
        return panel

    if not frontend.needs_target:

        @group.command(help="Load a module, .py file or project folder's definitions here.")
        @click.argument("load_target", metavar="TARGET", required=False)
        @click.option("--forget", is_flag=True, help="Drop what earlier loads added.")
        def load(load_target: str | None, forget: bool) -> Any:
            from workbench.app.api import forget_loaded, load_into_notebook

            if forget:
                dropped = forget_loaded()
                frontend.show(f"forgot: {', '.join(dropped) or 'nothing'}")
                return dropped
            if load_target is None:
                raise click.UsageError("give what to load: a module, a .py file or a folder")
            defs = load_into_notebook(load_target)
            frontend.show(f"loaded {load_target}; its definitions are active in this notebook")
            return defs

    @group.command(help="Export a notebook to a definitions module.")
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
    def export(path: str, out: str | None, export_target: str | None, notebook: str | None) -> str:
        from workbench.app.api import export_notebook

        if frontend.needs_target:
            source = export_notebook(path, out, target=export_target)
            if out is None:
                frontend.show(source)
            else:
                frontend.show(f"wrote {out}")
            return source
        current = notebook or frontend.notebook_path()
        if current is None:
            raise click.UsageError("cannot tell which notebook this is; pass --notebook PATH.ipynb")
        source = export_notebook(current, path, target=export_target)
        frontend.show(f"exported {current} to {path}")
        return source

    @group.command(help="Turn a definitions module into a notebook.")
    @click.argument("module", metavar="MODULE")
    @click.option("-o", "--out", required=True, help="The notebook to write (.ipynb).")
    @click.option("--force", is_flag=True, help="Replace the notebook if it exists.")
    def notebook(module: str, out: str, force: bool) -> Any:
        from workbench.app.api import notebook_from_module

        if os.path.lexists(out) and not force:
            raise click.UsageError(
                f"{out!r} exists and would be replaced; pass --force to replace it, "
                "or give -o a new path"
            )
        made = notebook_from_module(module, out)
        frontend.show(f"wrote {out}")
        return made

    @group.command(help="Write a template: 'defs workbench.resources PATH' or 'resource NAME'.")
    @click.argument("kind", type=click.Choice(["defs", "resource"]))
    @click.argument("args", nargs=-1, required=True)
    def scaffold(kind: str, args: Sequence[str]) -> str:
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
        frontend.show(f"Creating defs at {written}.")
        return str(written)

    @group.command("help", help="Show this help.")
    @click.pass_context
    def help_(ctx: click.Context) -> str:
        text = group.get_help(ctx.parent or ctx)
        frontend.show(text)
        return text

    return group


def env_flag(name: str) -> bool:
    """Whether an environment variable is set to a true value."""
    return os.environ.get(name, "").lower() in {"1", "true", "yes"}


__all__ += ["WorkbenchError", "env_flag"]
