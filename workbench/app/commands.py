"""The verbs shared by ``%wb`` and the ``workbench`` command: one parser, two front ends."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

import click

from workbench.core._suggest import closest
from workbench.errors import DISTRIBUTION

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable

    from workbench.core.definitions import Definitions
    from workbench.core.run import RunStore
    from workbench.core.schedule import Schedule
    from workbench.core.sensor import TickResult

__all__ = ["Frontend", "build_group", "version_text"]


class Frontend(Protocol):
    """Where the verbs get definitions from and show results: a terminal or a notebook.

    Verbs compute; the front end decides how a result is shown: a terminal prints text, a
    notebook returns a value that IPython displays once (a widget, or readable text).
    """

    needs_target: bool
    """Whether verbs take a target file (the terminal) or use the notebook's namespace."""

    def definitions(self, target: str | None) -> Definitions:
        """The definitions to act on."""

    def output(self, value: Any, text: str) -> Any:
        """Show a verb's ``value`` (whose readable form is ``text``); return the verb's value."""

    def progress(self) -> Callable[[Any], None] | None:
        """An ``on_event`` callback that shows a run's progress, if this front end has one."""

    def run_result(self, result: Any, defs: Any) -> Any:
        """Show a finished run (its error, if it failed); return the verb's value."""

    def launchpad(self, job: str | None, defs: Definitions) -> Any:
        """The launchpad for ``job`` (a notebook), or None to run the job right away."""

    def tick(
        self,
        result: TickResult,
        schedule: Schedule | None,
        next_count: int,
        after: dt.datetime | None,
    ) -> Any:
        """Show a sensor or schedule tick (and a schedule's next tick times)."""

    def run_history(self, store: RunStore, run_id: str | None, limit: int) -> Any:
        """Show the run history, or one run when ``run_id`` is given."""

    def resources(self, defs: Definitions) -> Any:
        """Show the resources: forms in a notebook, their config on a terminal."""

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


def version_text() -> str:
    """``dagster-workbench X.Y.Z (import workbench)``: the distribution and the import name."""
    from importlib import metadata

    version = "unknown"
    # an install made before the rename (#14) is still registered under the import name
    for name in (DISTRIBUTION, "workbench"):
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
        break
    return f"{DISTRIBUTION} {version} (import workbench)"


def build_group(frontend: Frontend) -> click.Group:
    """Build the verbs for one front end (the terminal adds a TARGET argument to most verbs)."""
    from workbench.app.verbs import VERBS, help_, load

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
    @click.version_option(version_text(), message="%(version)s")
    def group() -> None:
        pass

    for verb in VERBS:
        group.add_command(verb(frontend))
    if not frontend.needs_target:
        group.add_command(load(frontend))
    group.add_command(help_(frontend, group))
    return group
