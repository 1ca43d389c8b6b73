"""Active definitions: gathered from a namespace (a notebook's, a module's) like a code location."""

from __future__ import annotations

import copy
import importlib
import importlib.util
import os
import sys
import types
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.core._bindings import bind_resources
from workbench.core.asset import Asset, AssetKey, AssetSpec
from workbench.core.config import build_config
from workbench.core.definitions import Definitions, LazyDefinitions
from workbench.core.job import Job
from workbench.core.plain import from_launch_config
from workbench.core.resource import ConfigurableResource, PartialResource
from workbench.core.schedule import Schedule
from workbench.core.sensor import Sensor
from workbench.core.session import current_session
from workbench.errors import ConfigError, DefinitionError, ExportError, WorkbenchError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

__all__ = [
    "DEFAULT_NOTEBOOK",
    "apply_saved_edits",
    "call_definitions",
    "current_notebook",
    "gather_definitions",
    "load_definitions",
    "resource_from_edit",
    "with_session_edits",
]

DEFAULT_NOTEBOOK = "<default>"


def call_definitions(name: str, function: Callable[[], Any]) -> Any:
    """What the ``@definitions`` function ``name`` returns (workbench's or Dagster's).

    Raises:
        DefinitionError: the function raised; the message names it and the error.
    """
    try:
        return function()
    except WorkbenchError:
        raise
    except Exception as exc:
        raise DefinitionError(
            f"@definitions function {name!r} raised {type(exc).__name__}: {exc}; "
            "fix it so it returns a Definitions"
        ) from exc


def gather_definitions(namespace: Mapping[str, Any]) -> Definitions:
    """Merge every Definitions and ``@definitions`` function in ``namespace`` with loose objects.

    Loose assets, jobs, sensors and schedules bound at top level are added; when one has the
    same key or name as an object inside a Definitions, the loose one wins (it is the newest
    cell's). One resource key bound to two different resources is an error naming both.

    Raises:
        DefinitionError: naming both places of a conflicting resource key.
    """
    found: list[tuple[str, Definitions]] = []
    loose_assets: dict[AssetKey, Asset | AssetSpec] = {}
    loose: dict[str, dict[str, Any]] = {"jobs": {}, "sensors": {}, "schedules": {}}
    for name, value in list(namespace.items()):
        if name.startswith("_"):
            continue
        if isinstance(value, Definitions):
            found.append((name, value))
        elif isinstance(value, LazyDefinitions):
            found.append((f"{name}()", call_definitions(name, value)))
        elif isinstance(value, Asset):
            for key in value.keys:
                loose_assets[key] = value
        elif isinstance(value, AssetSpec):
            loose_assets[value.key] = value
        elif isinstance(value, Job):
            loose["jobs"][value.name] = value
        elif isinstance(value, Sensor):
            loose["sensors"][value.name] = value
        elif isinstance(value, Schedule):
            loose["schedules"][value.name] = value
    merged = Definitions()
    owners: dict[str, str] = {}
    seen_assets: dict[AssetKey, Asset | AssetSpec] = {}
    for place, defs in found:
        for item in defs.assets:
            keys = item.keys if isinstance(item, Asset) else (item.key,)
            for key in keys:
                seen_assets.setdefault(key, loose_assets.get(key, item))
        for kind in ("jobs", "sensors", "schedules"):
            for named in getattr(defs, kind):
                loose[kind].setdefault(named.name, named)
        bind_resources(merged.resources, owners, defs.resources, repr(place))
    for key, item in loose_assets.items():
        seen_assets.setdefault(key, item)
    merged.assets = list({id(item): item for item in seen_assets.values()}.values())
    merged.jobs = list(loose["jobs"].values())
    merged.sensors = list(loose["sensors"].values())
    merged.schedules = list(loose["schedules"].values())
    return merged


def current_notebook(namespace: Mapping[str, Any] | None = None) -> str:
    """The notebook this kernel runs, as Jupyter tells it, or ``<default>`` when it does not.

    Jupyter Server sets ``JPY_SESSION_NAME`` (ipykernel mirrors it as ``__session__``); VS
    Code sets ``__vsc_ipynb_file__``; ``WORKBENCH_NOTEBOOK`` overrides both. A name that is a
    file here is resolved, so that edits belong to one notebook, not to every notebook of the
    same name (#11).
    """
    namespace = namespace or {}
    for value in (
        os.environ.get("WORKBENCH_NOTEBOOK"),
        namespace.get("__vsc_ipynb_file__"),
        namespace.get("__session__"),
        os.environ.get("JPY_SESSION_NAME"),
    ):
        if isinstance(value, str) and value:
            return os.path.realpath(value) if os.path.isfile(value) else value
    return DEFAULT_NOTEBOOK


def resource_from_edit(resource: Any, config: Mapping[str, Any]) -> Any:
    """Build the resource a saved form edit describes (``{"env": NAME}`` becomes an EnvVar)."""
    cls = resource.resource_class if isinstance(resource, PartialResource) else type(resource)
    if not isinstance(resource, ConfigurableResource | PartialResource):
        raise ConfigError(f"a saved edit cannot configure a {cls.__name__}; clear it")
    return build_config(cls, from_launch_config(cls, dict(config)), f"saved edit of {cls.__name__}")


def apply_saved_edits(
    defs: Definitions,
    edits: Mapping[str, Mapping[str, Any]],
    build: Callable[[Any, Mapping[str, Any]], Any] = resource_from_edit,
    saved_at: Mapping[str, float] | None = None,
) -> list[str]:
    """Bind saved form edits for keys the session has not bound yet; return problems found.

    A saved edit that no longer fits its resource (a field was renamed, say) is not applied:
    the code's config stays in force and the problem is returned to be shown. ``build``
    makes the resource from the edit (the engine's way; Dagster definitions have their own).
    ``saved_at`` (when each edit was saved, by key) is bound with it, for the forms (#14).
    """
    saved_at = saved_at or {}
    session = current_session()
    bound = session.overrides
    problems: list[str] = []
    for key, config in edits.items():
        if key in bound or key not in defs.resources:
            continue
        try:
            session.bind(key, build(defs.resources[key], config), saved_at=saved_at.get(key))
        except (ConfigError, TypeError, ValueError) as exc:
            problems.append(
                f"saved edit of resource {key!r} no longer fits its class and was not applied "
                f"({exc}); clear it with %wb resources --reset {key}"
            )
    return problems


def with_session_edits(defs: Definitions) -> Definitions:
    """``defs`` with the resources that forms applied in this session bound in place of the code's.

    The core runs with exactly the resources it is given; runs the notebook starts (``%wb``,
    the graph's staleness) get the form edits because this layer binds them here (see #12).
    ``defs`` itself is left unchanged.
    """
    from workbench.app.engines import library_of

    if library_of(defs) == "dagster":
        return defs  # the Dagster engine binds them itself, typed secrets as EnvVars (#15)
    applied = {
        key: value for key, value in current_session().overrides.items() if key in defs.resources
    }
    if not applied:
        return defs
    edited = copy.copy(defs)
    edited.resources = {**defs.resources, **applied}
    return edited


def load_definitions(target: str | os.PathLike[str]) -> Definitions:
    """Load the definitions of a ``.py`` file, a module name, or an ``.ipynb`` notebook.

    A notebook is exported in memory (never executed cell by cell) and the result imported.
    A module written with ``import dagster`` gives a ``dagster.Definitions`` (see #15).

    Raises:
        DefinitionError: the target cannot be found or imported, naming it and the fix.
        ExportError: the notebook cannot be exported.
    """
    text = os.fspath(target)
    path = Path(text)
    if text.endswith(".ipynb"):
        return gather_definitions(_notebook_namespace(path))
    if path.is_dir() and (path / "definitions.py").is_file():
        path = path / "definitions.py"  # a project folder holding its definitions module
    if text.endswith(".py") or path.exists():
        if not path.is_file():
            raise DefinitionError(
                f"no file {text!r}; give the path of a .py or .ipynb file, or of a folder "
                "holding definitions.py"
            )
        return _gather(_module_namespace(path))
    try:
        module = importlib.import_module(text)
    except ImportError as exc:
        raise DefinitionError(
            f"cannot import module {text!r} ({exc}); give a module importable from "
            "sys.path, or the path of a .py or .ipynb file"
        ) from exc
    return _gather(vars(module))


def _gather(namespace: Mapping[str, Any]) -> Definitions:
    """Merge with the engine of the library the definitions are written with.

    Dagster's Definitions has the same public surface, so one type stands for both.
    """
    from workbench.app.engines import gather

    defs: Definitions = gather(namespace)
    return defs


def _module_namespace(path: Path) -> dict[str, Any]:
    name = path.stem if path.stem.isidentifier() else "workbench_target"
    if name in sys.modules and getattr(sys.modules[name], "__file__", None) != str(path):
        name = f"{name}_{abs(hash(str(path.resolve())))}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise DefinitionError(
            f"cannot load {str(path)!r} as a Python module; give a .py file, an .ipynb "
            "notebook, a module name, or a folder holding definitions.py"
        )
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    folder = str(path.resolve().parent)
    added = folder not in sys.path
    if added:
        sys.path.insert(0, folder)
    try:
        spec.loader.exec_module(module)
    except WorkbenchError:
        raise
    except Exception as exc:
        raise DefinitionError(
            f"importing {str(path)!r} raised {type(exc).__name__}: {exc}; fix the module"
        ) from exc
    finally:
        if added:
            sys.path.remove(folder)
    return vars(module)


def _notebook_namespace(path: Path) -> dict[str, Any]:
    from workbench.export import export_source

    if not path.is_file():
        raise ExportError(
            f"no notebook {str(path)!r}; give the path of an .ipynb file", path=str(path)
        )
    source = export_source(path.read_text(encoding="utf-8"), name=path.name)
    module = types.ModuleType(f"workbench_notebook_{abs(hash(str(path.resolve())))}")
    module.__file__ = str(path)
    sys.modules[module.__name__] = module
    try:
        exec(compile(source, str(path), "exec"), vars(module))
    except WorkbenchError:
        raise
    except Exception as exc:
        raise DefinitionError(
            f"the module exported from {str(path)!r} raised {type(exc).__name__}: {exc}"
        ) from exc
    return vars(module)
