"""Embedded storage: the SQLite run store, the value store, saved edits and run history."""

from __future__ import annotations

from workbench.storage.edits import EditStore
from workbench.storage.history import run_events, runs
from workbench.storage.home import default_instance, workbench_home
from workbench.storage.sqlite import SqliteRunStore
from workbench.storage.values import ValueStoreIOManager

__all__ = [
    "EditStore",
    "SqliteRunStore",
    "ValueStoreIOManager",
    "default_instance",
    "run_events",
    "runs",
    "workbench_home",
]
