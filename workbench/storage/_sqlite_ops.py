"""SQLite helpers of the run store: transactions, error kinds, recovery, abandoned runs."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from typing import TYPE_CHECKING, Any, TypeVar

from workbench.core.run import RunStatus
from workbench.errors import StorageError
from workbench.storage._advice import storage_fix
from workbench.storage._processes import is_alive
from workbench.storage.home import move_aside

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from pathlib import Path

__all__ = [
    "ATTEMPTS",
    "BUSY_TIMEOUT_MS",
    "is_busy",
    "is_corrupt",
    "mark_abandoned",
    "named",
    "quarantine",
    "retry",
    "storage_error",
    "transaction",
]

T = TypeVar("T")

BUSY_TIMEOUT_MS = 5_000
"""How long one statement waits for another connection's lock."""
ATTEMPTS = 8
"""How many times a statement is tried while another process keeps the lock."""


def is_busy(exc: sqlite3.Error) -> bool:
    """Another connection holds the lock."""
    return (exc.sqlite_errorname or "").startswith(("SQLITE_BUSY", "SQLITE_LOCKED"))


def is_corrupt(exc: sqlite3.Error) -> bool:
    """The file is not a readable SQLite database."""
    return (exc.sqlite_errorname or "").startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))


def quarantine(path: Path) -> Path:
    """Move a corrupt database (and its WAL files) aside for recovery; return where it went."""
    aside = move_aside(path)
    for suffix in ("-wal", "-shm"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            companion.replace(aside.with_name(aside.name + suffix))
    return aside


def mark_abandoned(conn: sqlite3.Connection, hostname: str) -> None:
    """Mark ``STARTED`` runs whose process on this host has ended as ``ABANDONED``."""
    started = conn.execute(
        "SELECT id, pid, hostname FROM runs WHERE status = ?", (RunStatus.STARTED.value,)
    ).fetchall()
    me = os.getpid()
    dead = [
        (pid, row_id)
        for row_id, pid, row_host in started
        if row_host in (None, hostname) and pid != me and not is_alive(pid)
    ]
    if not dead:
        return
    now = time.time()
    why = "ended before the run finished (it was killed or crashed)"
    rows = [(now, f"process {pid} on {hostname} {why}", row_id) for pid, row_id in dead]
    sql = (
        "UPDATE runs SET status = 'ABANDONED', end_time = ?, error = COALESCE(error, ?) "
        "WHERE id = ? AND status = 'STARTED'"
    )
    if conn.in_transaction:
        conn.executemany(sql, rows)
    else:
        with transaction(conn):
            conn.executemany(sql, rows)


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """One write transaction that takes the write lock up front (so it never deadlocks)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def named(conn: sqlite3.Connection, sql: str, params: Sequence[Any]) -> sqlite3.Cursor:
    """Run a query whose rows are read by column name."""
    cursor = conn.cursor()
    cursor.row_factory = sqlite3.Row
    return cursor.execute(sql, params)


def retry(attempt: Callable[[], T]) -> T:
    """Run ``attempt`` again while another process holds the lock beyond the busy timeout."""
    for number in range(ATTEMPTS):
        try:
            return attempt()
        except sqlite3.OperationalError as exc:
            if not is_busy(exc) or number == ATTEMPTS - 1:
                raise
            time.sleep(min(0.05 * 2**number, 1.0))
    raise AssertionError("unreachable")  # pragma: no cover


def storage_error(path: Path, exc: sqlite3.Error, set_aside: Callable[[], Path]) -> StorageError:
    """The StorageError for ``exc`` on the store at ``path``, saying what to do.

    A corrupt file is moved aside first (``set_aside``), never reset in place.
    """
    if is_corrupt(exc):
        aside = set_aside()
        return StorageError(
            f"run store {path} is corrupt ({exc}); it was moved to {aside} for "
            "recovery and a new empty store will be made in its place on next use"
        )
    if is_busy(exc):
        return StorageError(
            f"run store {path} stayed locked by another process for over "
            f"{ATTEMPTS * BUSY_TIMEOUT_MS // 1000} s; close the other kernel or "
            "process using it, then retry"
        )
    return StorageError(f"run store {path} cannot be used: {exc}; {storage_fix(exc)}")
