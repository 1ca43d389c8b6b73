"""The engine seam: what the notebook layer asks of whichever library runs the definitions.

Two engines implement :class:`Engine`: the native one (workbench's own core) and the Dagster
one (definitions written with ``import dagster``). :func:`library_of` tells which library an
object comes from without importing Dagster, so ``import workbench`` stays light.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, Literal, Protocol

from workbench.errors import DefinitionError

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Mapping, Sequence

    from workbench.core.fields import FieldSpec
    from workbench.core.run import RunStore
    from workbench.widgets.graph import AssetStatus

__all__ = ["DAGSTER_KINDS", "Engine", "Library", "check_one_library", "library_of"]

Library = Literal["workbench", "dagster"]

DAGSTER_KINDS = frozenset(
    {
        "Definitions",
        "LazyDefinitions",
        "AssetsDefinition",
        "AssetSpec",
        "SourceAsset",
        "JobDefinition",
        "UnresolvedAssetJobDefinition",
        "SensorDefinition",
        "ScheduleDefinition",
    }
)
"""Dagster classes (and their subclasses) that make up a code location's definitions."""

_WORKBENCH_KINDS = frozenset(
    {"Definitions", "LazyDefinitions", "Asset", "AssetSpec", "Job", "Sensor", "Schedule"}
)


def _kind(value: Any, package: str, kinds: frozenset[str]) -> str | None:
    for cls in type(value).__mro__:
        module = cls.__module__
        if (module == package or module.startswith(f"{package}.")) and cls.__name__ in kinds:
            return cls.__name__
    return None


def library_of(value: Any) -> Library | None:
    """Tell which library a definitions object comes from (None: not a definitions object).

    Example:
        >>> import workbench as wb
        >>> library_of(wb.Definitions()), library_of(42)
        ('workbench', None)
    """
    if _kind(value, "workbench.core", _WORKBENCH_KINDS) is not None:
        return "workbench"
    # a Dagster object can exist only once dagster is imported: never import it here
    if "dagster" in sys.modules and _kind(value, "dagster", DAGSTER_KINDS) is not None:
        return "dagster"
    return None


def check_one_library(namespace: Mapping[str, Any]) -> Library:
    """The library of every definitions object in ``namespace`` (workbench when there are none).

    Raises:
        DefinitionError: the namespace mixes workbench and Dagster definitions; the message
            names each object and its library.
    """
    found: dict[Library, list[str]] = {"workbench": [], "dagster": []}
    for name, value in namespace.items():
        if name.startswith("_"):
            continue
        library = library_of(value)
        if library is not None:
            found[library].append(f"{name} ({type(value).__name__})")
    if found["workbench"] and found["dagster"]:
        raise DefinitionError(
            "these definitions mix two libraries, which cannot run together: "
            f"workbench objects: {', '.join(found['workbench'])}; "
            f"Dagster objects: {', '.join(found['dagster'])}; "
            "write them all with 'import dagster as dg' or all with 'import workbench as dg'"
        )
    return "dagster" if found["dagster"] else "workbench"


class Engine(Protocol):
    """What the notebook layer (forms, launchpad, runs, graph, verbs) asks of an engine.

    ``defs`` is the engine's own definitions object: workbench's ``Definitions`` for the native
    engine, ``dagster.Definitions`` for the Dagster engine.
    """

    name: Library

    def gather(self, namespace: Mapping[str, Any]) -> Any:
        """Merge the definitions found in a namespace (a notebook's or a module's)."""

    def resources(self, defs: Any) -> dict[str, Any]:
        """The resources bound in the code, by key (form edits not applied)."""

    def usage(self, defs: Any) -> Mapping[str, Sequence[str]]:
        """Resource key -> the assets, ops, sensors and schedules that use it."""

    def field_specs(self, resource: Any) -> tuple[FieldSpec, ...]:
        """The fields of a resource, as forms show them."""

    def build_resource(self, resource: Any, config: Mapping[str, Any]) -> Any:
        """A new resource of ``resource``'s class from a form's config (EnvVars included)."""

    def form_builder(self) -> Callable[[Any, dict[str, Any]], Any] | None:
        """How a form builds a resource from its values (None: by calling the class)."""

    def validate(self, defs: Any) -> Any:
        """Check the definitions load together; return them."""

    def describe(self, defs: Any) -> dict[str, Any]:
        """What ``list`` shows: assets, jobs, resources with their users, sensors, schedules."""

    def materialize(
        self,
        defs: Any,
        *,
        selection: Sequence[str] = (),
        run_config: Mapping[str, Any] | None = None,
        only_stale: bool = False,
        tags: Mapping[str, str] | None = None,
        on_event: Callable[[Any], None] | None = None,
    ) -> Any:
        """Materialize the selected assets (all when none); return the run's result.

        ``tags`` go on the run (the notebook it starts from, as the runs table shows it).
        """

    def launch(
        self,
        defs: Any,
        job_name: str,
        *,
        run_config: Mapping[str, Any] | None = None,
        tags: Mapping[str, str] | None = None,
        on_event: Callable[[Any], None] | None = None,
    ) -> Any:
        """Run a job, ``tags`` on the run; return the run's result."""

    def run_text(self, result: Any) -> str:
        """A run's outcome as text: its id and status, each step's time, what failed."""

    def tick(
        self,
        defs: Any,
        name: str,
        *,
        cursor: str | None = None,
        at: dt.datetime | None = None,
        launch: bool = False,
    ) -> Any:
        """Evaluate a sensor or schedule with its resources; launch what it asks for if told."""

    def schedule(self, defs: Any, name: str) -> Any:
        """The schedule ``name``, as the tick view reads it (``next_tick_times``)."""

    def run_store(self) -> RunStore:
        """Where this engine's runs are kept, as the runs widgets read them."""

    def statuses(self, defs: Any) -> Mapping[str, AssetStatus]:
        """Asset key (user string) -> its status (fresh, stale, missing, failed, external)."""
