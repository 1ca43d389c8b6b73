"""workbench's own public functions: load, export, history, and the notebook widgets."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.app.engines import check_one_library, engine_for, engine_named
from workbench.app.namespace import (
    DEFAULT_NOTEBOOK,
    apply_saved_edits,
    current_notebook,
    load_definitions,
    with_session_edits,
)
from workbench.core.instance import default_instance
from workbench.errors import DefinitionError, MissingExtraError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    import pandas

    from workbench.app.engines import Engine
    from workbench.core.definitions import Definitions
    from workbench.core.run import RunStore

__all__ = [
    "active_definitions",
    "edit_store",
    "export_notebook",
    "forget_loaded",
    "launchpad",
    "load_definitions",
    "load_into_notebook",
    "notebook_from_module",
    "runs",
    "show_graph",
    "show_resources",
]


def _user_namespace() -> dict[str, Any]:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a required dependency
        return {}
    shell = get_ipython()
    return dict(shell.user_ns) if shell is not None else {}


def edit_store() -> Any:
    """The saved form edits under WORKBENCH_HOME."""
    from workbench.storage.edits import EditStore
    from workbench.storage.home import workbench_home

    return EditStore(workbench_home())


_loaded: dict[str, Definitions] = {}
"""Definitions loaded into this kernel with ``%wb load TARGET``, by target (see #15)."""


def load_into_notebook(target: str) -> Definitions:
    """Load a module, ``.py`` file or project folder; its definitions join the active ones."""
    defs = load_definitions(target)
    _loaded[f"%wb load {target}"] = defs
    return defs


def forget_loaded() -> list[str]:
    """Drop every definitions module ``%wb load`` added; return the targets dropped."""
    dropped = [place.removeprefix("%wb load ") for place in _loaded]
    _loaded.clear()
    return dropped


def active_definitions(
    namespace: Mapping[str, Any] | None = None, *, report: Callable[[str], object] | None = None
) -> Definitions:
    """The notebook's definitions, gathered from its namespace, with saved edits bound.

    Definitions written with ``import dagster`` come back as a ``dagster.Definitions``
    (the same public surface); a namespace that mixes both libraries is a DefinitionError.

    Args:
        namespace: the names to gather from (the IPython user namespace by default).
        report: called with each saved edit that could not be applied (and why, with the fix).
    """
    names = dict(namespace) if namespace is not None else _user_namespace()
    names.update(_loaded)
    engine = engine_named(check_one_library(names))
    defs: Definitions = engine.gather(names)
    store = edit_store()
    notebook = current_notebook(names)
    edits = store.load(notebook)
    if edits:
        problems = apply_saved_edits(
            defs, edits, engine.build_resource, saved_at=store.saved_at(notebook)
        )
        if report is not None:
            for problem in problems:
                report(problem)
    return defs


def _defs(defs: Definitions | None) -> Definitions:
    return defs if defs is not None else active_definitions()


def _persist(notebook: str) -> Any:
    def save(resource_key: str, resource: Any, literal_config: Mapping[str, Any]) -> None:
        from workbench.core.session import current_session

        saved_at = edit_store().save(notebook, resource_key, literal_config)
        # the form shows how old the edit in force is (#14)
        current_session().bind(resource_key, resource, saved_at=saved_at)

    return save


def show_resources(defs: Definitions | None = None) -> Any:
    """One editable form per resource; Apply binds the edit for the next runs and saves it."""
    try:
        from workbench.widgets.forms import ResourcesPanel
    except ImportError as exc:  # pragma: no cover - ipywidgets is a required dependency
        raise MissingExtraError("the resource forms", "ipywidgets") from exc
    names = _user_namespace()
    defs = _defs(defs)
    engine = engine_for(defs)
    return ResourcesPanel(
        engine.resources(defs),
        usage=engine.usage(defs),
        on_apply=_persist(current_notebook(names)),
        specs_of=engine.field_specs,
        build=engine.form_builder(),
    )


def launchpad(job: str | None = None, defs: Definitions | None = None) -> Any:
    """Pick a job or assets, edit their config, launch, and watch the run."""
    from workbench.widgets.launchpad import Launchpad
    from workbench.widgets.runs import NOTEBOOK_TAG

    notebook = current_notebook(_user_namespace())
    defs = _defs(defs)
    engine = engine_for(defs)
    if engine.name != "workbench":  # built on the engine protocol alone (#15)
        from workbench.app.engines.launchpad import EngineLaunchpad

        return EngineLaunchpad(defs, engine, job=job, on_apply=_persist(notebook))
    return Launchpad(
        defs,
        instance=default_instance(),
        job=job,
        on_apply=_persist(notebook),
        tags={NOTEBOOK_TAG: notebook} if notebook != DEFAULT_NOTEBOOK else None,
    )


def show_graph(defs: Definitions | None = None) -> Any:
    """The asset graph, each asset marked fresh, stale (with why), missing or failed."""
    from workbench.app.engines.views import graph_view

    return graph_view(with_session_edits(_defs(defs)))


def runs(
    limit: int | None = None,
    *,
    job: str | None = None,
    status: str | None = None,
    store: RunStore | None = None,
) -> pandas.DataFrame:
    """Run history, newest first, as a pandas DataFrame.

    Args:
        limit: at most this many runs.
        job: only runs of this job.
        status: only runs with this status (its name, any case).
        store: the run store to read; by default the active engine's: Dagster's instance when
            the notebook's definitions are written with ``import dagster``, else workbench's.
    """
    from workbench.storage.history import runs as history

    if store is None:
        store = _active_engine().run_store()
    return history(store, limit=limit, job=job, status=status)


def _active_engine() -> Engine:
    """The engine of the notebook's definitions (workbench's when they mix both libraries)."""
    names = _user_namespace()
    names.update(_loaded)
    try:
        return engine_named(check_one_library(names))
    except DefinitionError:  # history stays readable while the definitions do not load
        return engine_named("workbench")


def export_notebook(
    path: str | os.PathLike[str],
    out: str | os.PathLike[str] | None = None,
    target: str | None = None,
) -> str:
    """Export a notebook to a definitions module (the applied form edits baked in).

    ``target`` is ``"workbench"`` or ``"dagster"``; by default the library the notebook's code
    imports (a notebook written with ``import dagster`` keeps it). Returns the module's source;
    writes it to ``out`` (atomically) if given.
    """
    from workbench.export import export_notebook as export

    if target is None:
        target = _notebook_library(os.fspath(path))
    return export(path, out, target=target, edits=_edits_for(os.fspath(path)))  # type: ignore[arg-type]


def _notebook_library(path: str) -> str:
    """``dagster`` when a code cell imports dagster, else ``workbench`` (see #15)."""
    import json
    import re

    try:
        cells = json.loads(Path(path).read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError, AttributeError):
        return "workbench"  # the export itself reports what is wrong with the file
    imports = re.compile(r"^\s*(import dagster\b|from dagster\b)", re.MULTILINE)
    for cell in cells:
        source = cell.get("source", "") if isinstance(cell, dict) else ""
        text = "".join(source) if isinstance(source, list) else str(source)
        if cell.get("cell_type") == "code" and imports.search(text):
            return "dagster"
    return "workbench"


def _edits_for(path: str) -> dict[str, Any]:
    """The saved edits of the notebook at ``path``: its own, never another's of the same name.

    Edits are saved under the notebook's name as Jupyter gives it (resolved when the file is
    found); a relative name is read from the working directory (see #11). A kernel that is not
    told its notebook (nbclient, ``jupyter nbconvert --execute``) saves its edits under
    ``<default>``; exporting from that kernel bakes those, the edits its own runs use (#15).
    """
    saved = edit_store().all()
    if path in saved:
        return dict(saved[path])
    wanted = os.path.realpath(path)
    for notebook, edits in saved.items():
        if os.path.realpath(notebook) == wanted:
            return dict(edits)
    names = _user_namespace()
    if names and current_notebook(names) == DEFAULT_NOTEBOOK:
        return dict(saved.get(DEFAULT_NOTEBOOK, {}))
    return {}


def notebook_from_module(path: str | os.PathLike[str], out: str | os.PathLike[str]) -> Any:
    """Turn a definitions module into a notebook (one cell per definition)."""
    from workbench.export import notebook_from_module as convert

    return convert(path, out)
