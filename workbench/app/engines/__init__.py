"""Engines: the library that runs a notebook's definitions (workbench's core, or Dagster)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workbench.app.engines.base import Engine, Library, check_one_library, library_of
from workbench.app.engines.dagster import DagsterEngine
from workbench.app.engines.native import NativeEngine

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "DagsterEngine",
    "Engine",
    "Library",
    "NativeEngine",
    "check_one_library",
    "engine_for",
    "engine_named",
    "gather",
    "library_of",
]


def engine_named(library: Library) -> Engine:
    """The engine that runs definitions written with ``library``."""
    return DagsterEngine() if library == "dagster" else NativeEngine()


def engine_for(defs: Any) -> Engine:
    """The engine that runs ``defs`` (a workbench or a Dagster Definitions)."""
    return engine_named("dagster" if library_of(defs) == "dagster" else "workbench")


def gather(namespace: Mapping[str, Any]) -> Any:
    """The definitions of a namespace, merged by the engine of the library they are written with.

    Raises:
        DefinitionError: the namespace mixes workbench and Dagster definitions (naming which
            objects are which), or the engine's own merge fails.
    """
    return engine_named(check_one_library(namespace)).gather(namespace)
