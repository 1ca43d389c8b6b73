"""Small stored values as run store rows, written in the run store's next transaction."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Iterable
    from pathlib import Path

__all__ = ["Staged", "ValueRows"]

_UPSERT = (
    "INSERT INTO stored_values (location, data, run_id, stored_at) VALUES (?, ?, ?, ?) "
    "ON CONFLICT(location) DO UPDATE SET data = excluded.data, run_id = excluded.run_id, "
    "stored_at = excluded.stored_at"
)
_DELETE = "DELETE FROM stored_values WHERE location = ?"


@dataclass(frozen=True)
class Staged:
    """A value waiting for the next transaction: its bytes, or None to remove the row.

    Attributes:
        data: the pickled value, or None when the value now lives in a file (or was deleted).
        run_id: the run that made it ("" outside a run).
        stored_at: when it was staged (seconds since the epoch).
        shadowed: files this row replaces, removed once it is committed if no one wrote
            them since it was staged.
    """

    data: bytes | None
    run_id: str = ""
    stored_at: float = field(default_factory=time.time)
    shadowed: tuple[Path, ...] = ()


class ValueRows:
    """Values staged by an IO manager, written by the run store in its next transaction.

    A run's small values thus reach the database in the same commit as the events that record
    them (one commit per flush, and the last flush happens before the run returns). Until then
    this process reads them from here, so a staged value is never missing to its own process.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._staged: dict[str, Staged] = {}

    def stage(self, location: str, staged: Staged) -> None:
        """Keep ``staged`` as the newest value of ``location`` until the next transaction."""
        with self._lock:
            self._staged[location] = staged

    def staged(self, location: str) -> Staged | None:
        """The value staged for ``location`` and not yet written, if any."""
        with self._lock:
            return self._staged.get(location)

    def __bool__(self) -> bool:
        with self._lock:
            return bool(self._staged)

    def take(self) -> dict[str, Staged]:
        """Everything staged, now owned by the caller's transaction."""
        with self._lock:
            taken, self._staged = self._staged, {}
        return taken

    def restore(self, taken: dict[str, Staged]) -> None:
        """Stage again what a failed transaction took (unless a newer value came meanwhile)."""
        with self._lock:
            for location, staged in taken.items():
                self._staged.setdefault(location, staged)

    @staticmethod
    def write(conn: sqlite3.Connection, taken: dict[str, Staged]) -> None:
        """Write ``taken`` inside the caller's open transaction."""
        upserts = [
            (location, staged.data, staged.run_id, staged.stored_at)
            for location, staged in taken.items()
            if staged.data is not None
        ]
        deletes = [(location,) for location, staged in taken.items() if staged.data is None]
        if upserts:
            conn.executemany(_UPSERT, upserts)
        if deletes:
            conn.executemany(_DELETE, deletes)

    @staticmethod
    def read(conn: sqlite3.Connection, location: str) -> bytes | None:
        """The committed bytes of ``location``, or None."""
        row = conn.execute(
            "SELECT data FROM stored_values WHERE location = ?", (location,)
        ).fetchone()
        return None if row is None else bytes(row[0])

    @staticmethod
    def remove_shadowed(committed: Iterable[Staged]) -> None:
        """Remove the files that committed rows replace, unless rewritten since staging."""
        for staged in committed:
            for path in staged.shadowed:
                with contextlib.suppress(OSError):
                    if path.stat().st_mtime <= staged.stored_at:
                        os.unlink(path)
