"""The verbs shared by ``%wb`` and the ``workbench`` command: one parser, two front ends."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import click

from workbench.core._suggest import closest
from workbench.errors import DISTRIBUTION, ConfigError

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable

    from workbench.core.definitions import Definitions
    from workbench.core.result import ExecuteInProcessResult
    from workbench.core.run import RunStore
    from workbench.core.schedule import Schedule
    from workbench.core.sensor import TickResult

__all__ = ["Frontend", "build_group", "read_run_config", "version_text"]


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

    def run_result(self, result: ExecuteInProcessResult, defs: Definitions) -> Any:
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


def read_run_config(path: str | None) -> dict[str, Any] | None:
    """Read a run-config YAML file in Dagster's shape; errors name the file and the line.

    Raises:
        ConfigError: the file cannot be read, is not UTF-8 YAML, repeats a key, or is not in
            the run-config shape (every problem is listed).
    """
    if path is None:
        return None
    import yaml

    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"run config {path!r} is not UTF-8 text (byte {exc.start}: {exc.reason}); "
            "save it as UTF-8 YAML"
        ) from None
    except OSError as exc:
        raise ConfigError(
            f"cannot read run config {path!r}: {exc.strerror or exc}; check the path"
        ) from exc
    try:
        data = yaml.load(text, Loader=_unique_key_loader())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(
            f"run config {path!r}{where} is not valid YAML: {problem}; "
            "write it as resources: {KEY: {config: {...}}}, ops: {NAME: {config: {...}}}"
        ) from None
    except RecursionError:
        raise ConfigError(
            f"run config {path!r} nests too deeply to read; write it as "
            "resources: {KEY: {config: {...}}}, ops: {NAME: {config: {...}}}"
        ) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"run config {path!r} must be a mapping with resources: and/or ops:, "
            f"got {type(data).__name__}"
        )
    problems = _shape_problems(data)
    if problems:
        header = f"run config {path!r} is not in the run-config shape:"
        raise ConfigError.from_errors(header, problems)
    return data


def _construct_unique_mapping(loader: Any, node: Any, deep: bool = False) -> Any:
    """Build a YAML mapping, refusing a key written twice (YAML keeps the last one silently)."""
    import yaml

    seen: set[Any] = set()
    for key_node, _value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            repeated = key in seen
            seen.add(key)
        except TypeError:  # an unhashable key: the constructor below reports it
            continue
        if repeated:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"key {key!r} is given twice; keep one",
                key_node.start_mark,
            )
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


@functools.cache
def _unique_key_loader() -> Any:
    import yaml

    class UniqueKeyLoader(yaml.SafeLoader):
        """A safe loader that refuses duplicate keys."""

    UniqueKeyLoader.add_constructor(
        yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping
    )
    return UniqueKeyLoader


def _shape_problems(data: dict[Any, Any]) -> list[tuple[str, str]]:
    """Every place the run config departs from ``{resources|ops: {NAME: {config: {...}}}}``."""
    problems: list[tuple[str, str]] = []
    for section in ("resources", "ops"):
        entries = data.get(section)
        if entries is None:
            continue
        if not isinstance(entries, dict):
            problems.append(
                (section, f"must map names to {{config: {{...}}}}, got {type(entries).__name__}")
            )
            continue
        for name, entry in entries.items():
            where = f"{section}.{name}"
            if not isinstance(name, str):
                problems.append((where, f"the name {name!r} must be text"))
            if entry is None:
                continue
            if not isinstance(entry, dict):
                problems.append((where, f"must look like {{config: {{...}}}}, got {entry!r:.60}"))
                continue
            config = entry.get("config")
            if config is not None and not isinstance(config, dict):
                problems.append(
                    (f"{where}.config", f"must map field names to values, got {config!r:.60}")
                )
            elif config is not None:
                problems.extend(_key_problems(config, f"{where}.config"))
    return problems


def _key_problems(value: Any, where: str) -> list[tuple[str, str]]:
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            if not isinstance(key, str):
                found.append((where, f"the field name {key!r} must be text; quote it"))
            else:
                found.extend(_key_problems(item, f"{where}.{key}"))
        return found
    if isinstance(value, list):
        return [
            problem
            for index, item in enumerate(value)
            for problem in _key_problems(item, f"{where}[{index}]")
        ]
    return []


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
    from workbench.app.verbs import VERBS, help_

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
    group.add_command(help_(frontend, group))
    return group
