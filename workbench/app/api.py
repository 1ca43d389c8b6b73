"""workbench's own public functions: load, export, history, and the notebook widgets."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from workbench.app.namespace import (
    apply_saved_edits,
    current_notebook,
    gather_definitions,
    load_definitions,
    with_session_edits,
)
from workbench.core.instance import default_instance
from workbench.errors import MissingExtraError

if TYPE_CHECKING:
    from collections.abc import Mapping

    import pandas

    from workbench.core.definitions import Definitions
    from workbench.core.run import RunStore

__all__ = [
    "active_definitions",
    "edit_store",
    "export_notebook",
    "launchpad",
    "load_definitions",
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


def active_definitions(namespace: Mapping[str, Any] | None = None) -> Definitions:
    """The notebook's definitions, gathered from its namespace, with saved edits bound."""
    names = dict(namespace) if namespace is not None else _user_namespace()
    defs = gather_definitions(names)
    edits = edit_store().load(current_notebook(names))
    if edits:
        apply_saved_edits(defs, edits)
    return defs


def _defs(defs: Definitions | None) -> Definitions:
    return defs if defs is not None else active_definitions()


def _persist(notebook: str) -> Any:
    def save(resource_key: str, resource: Any, literal_config: Mapping[str, Any]) -> None:
        edit_store().save(notebook, resource_key, literal_config)

    return save


def show_resources(defs: Definitions | None = None) -> Any:
    """One editable form per resource; Apply binds the edit for the next runs and saves it."""
    try:
        from workbench.widgets.forms import ResourcesPanel
    except ImportError as exc:  # pragma: no cover - ipywidgets is a required dependency
        raise MissingExtraError("the resource forms", "ipywidgets", "jupyter") from exc
    names = _user_namespace()
    defs = _defs(defs)
    return ResourcesPanel(
        defs.resources, usage=defs.usage(), on_apply=_persist(current_notebook(names))
    )


def launchpad(job: str | None = None, defs: Definitions | None = None) -> Any:
    """Pick a job or assets, edit their config, launch, and watch the run."""
    from workbench.widgets.launchpad import Launchpad

    names = _user_namespace()
    return Launchpad(
        _defs(defs),
        instance=default_instance(),
        job=job,
        on_apply=_persist(current_notebook(names)),
    )


def show_graph(defs: Definitions | None = None) -> Any:
    """The asset graph, each asset marked fresh, stale (with why), missing or failed."""
    from workbench.widgets.graph import GraphView

    return GraphView(with_session_edits(_defs(defs)), default_instance().run_store)


def runs(
    limit: int | None = None,
    *,
    job: str | None = None,
    status: str | None = None,
    store: RunStore | None = None,
) -> pandas.DataFrame:
    """Run history, newest first, as a pandas DataFrame."""
    from workbench.storage.history import runs as history

    return history(store, limit=limit, job=job, status=status)


def export_notebook(
    path: str | os.PathLike[str],
    out: str | os.PathLike[str] | None = None,
    target: str = "workbench",
) -> str:
    """Export a notebook to a definitions module (the applied form edits baked in).

    Returns the module's source; writes it to ``out`` (atomically) if given.
    """
    from workbench.export import export_notebook as export

    return export(path, out, target=target, edits=_edits_for(os.fspath(path)))  # type: ignore[arg-type]


def _edits_for(path: str) -> dict[str, Any]:
    """The saved edits of the notebook at ``path``: its own, never another's of the same name.

    Edits are saved under the notebook's name as Jupyter gives it (resolved when the file is
    found); a relative name is read from the working directory (see #11).
    """
    saved = edit_store().all()
    if path in saved:
        return dict(saved[path])
    wanted = os.path.realpath(path)
    for notebook, edits in saved.items():
        if os.path.realpath(notebook) == wanted:
            return dict(edits)
    return {}


def notebook_from_module(path: str | os.PathLike[str], out: str | os.PathLike[str]) -> Any:
    """Turn a definitions module into a notebook (one cell per definition)."""
    from workbench.export import notebook_from_module as convert

    return convert(path, out)
