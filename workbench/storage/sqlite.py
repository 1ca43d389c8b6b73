"""SqliteRunStore: the run store kept in one SQLite file, shared safely by threads and processes."""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import socket
import sqlite3
import threading
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from workbench.core.run import EventType, Materialization, RunEvent, RunRecord, RunStatus
from workbench.errors import StorageError
from workbench.storage._advice import storage_fix
from workbench.storage._rows import (
    INSERT_EVENT,
    INSERT_RUN,
    RUN_COLUMNS,
    UPSERT_MATERIALIZATION,
    EventRows,
    event_rows,
    materialization_from,
    record_from,
    run_row,
)
from workbench.storage._schema import MIGRATIONS, SCHEMA_VERSION, migrate
from workbench.storage._sqlite_ops import (
    BUSY_TIMEOUT_MS,
    mark_abandoned,
    named,
    quarantine,
    retry,
    storage_error,
    transaction,
)
from workbench.storage._value_rows import ValueRows

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "SqliteRunStore"]

T = TypeVar("T")

_EVENT_TYPES = {member.value: member for member in EventType}
_SELECT_RUNS = f"SELECT {', '.join(RUN_COLUMNS)} FROM runs"
_PRAGMAS = ("synchronous = NORMAL", "foreign_keys = ON", "cache_size = -16000")


class SqliteRunStore:
    """A RunStore in one SQLite file (WAL mode): runs survive the process that wrote them.

    Several threads may share one store, and several processes may open the same file: every
    write is one ``BEGIN IMMEDIATE`` transaction that waits for the others (with a busy timeout
    and a bounded retry), so nothing is lost and "database is locked" never surfaces.

    Runs left ``STARTED`` by a process that no longer exists on this host are marked
    ``ABANDONED`` when the store opens and whenever runs are read.

    Args:
        path: the database file; it and its folder are made if missing.

    Raises:
        StorageError: the file cannot be opened or written (naming it and how to fix it), is
            corrupt (it is moved aside first, never reset in place), or was written by a newer
            workbench.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path).absolute()
        self._lock = threading.RLock()
        self._hostname = socket.gethostname()
        self._conn: sqlite3.Connection | None = None
        self._pid = os.getpid()
        self._closed = False
        self.values = ValueRows()
        """Values an IO manager staged for this store's next transaction."""
        with self._lock:
            self._guard(self._open)
        _open_stores.add(self)

    # -- RunStore -------------------------------------------------------------------------

    def add_run(self, record: RunRecord, events: Sequence[RunEvent] = ()) -> None:
        """Record a new run (and its first events) in one transaction; its id must be new."""
        row = run_row(record, self._hostname)
        batch = event_rows(events)

        def write(conn: sqlite3.Connection) -> None:
            try:
                conn.execute(INSERT_RUN, row)
            except sqlite3.IntegrityError:
                raise StorageError(
                    f"run {record.run_id!r} is already stored in {self.path}; use a new run id"
                ) from None
            self._insert_events(conn, batch)

        self._write(write)

    def finish_run(
        self,
        run_id: str,
        status: RunStatus,
        *,
        end_time: float,
        error: str | None = None,
        events: Sequence[RunEvent] = (),
    ) -> None:
        """Record a run's last events and how it ended, in one transaction."""
        values = (RunStatus(status).value, end_time, error, run_id)
        batch = event_rows(events)

        def write(conn: sqlite3.Connection) -> None:
            self._insert_events(conn, batch)
            cursor = conn.execute(
                "UPDATE runs SET status = ?, end_time = ?, error = ? WHERE run_id = ?", values
            )
            if cursor.rowcount == 0:
                raise self._no_run(run_id)

        self._write(write)

    def add_events(self, events: Sequence[RunEvent]) -> None:
        """Append events (in order) to their runs, in one transaction."""
        if not events:
            return
        batch = event_rows(events)
        self._write(lambda conn: self._insert_events(conn, batch))

    def _insert_events(self, conn: sqlite3.Connection, batch: EventRows) -> None:
        rows, materializations = batch
        if not rows:
            return
        try:
            conn.executemany(INSERT_EVENT, rows)
        except sqlite3.IntegrityError:
            ids = sorted({row["run_id"] for row in rows})
            marks = ", ".join("?" * len(ids))
            known = {
                found[0]
                for found in conn.execute(f"SELECT run_id FROM runs WHERE run_id IN ({marks})", ids)
            }
            missing = next((run_id for run_id in ids if run_id not in known), ids[0])
            raise self._no_run(missing) from None
        if materializations:
            conn.executemany(UPSERT_MATERIALIZATION, materializations)

    def get_run(self, run_id: str) -> RunRecord:
        """Return one run; raise StorageError naming the id if there is none."""

        def read(conn: sqlite3.Connection) -> RunRecord:
            self._mark_abandoned(conn)
            row = named(conn, f"{_SELECT_RUNS} WHERE run_id = ?", (run_id,)).fetchone()
            if row is None:
                raise self._no_run(run_id)
            return record_from(row)

        return self._read(read)

    def list_runs(
        self,
        *,
        limit: int | None = None,
        job_name: str | None = None,
        status: RunStatus | None = None,
    ) -> list[RunRecord]:
        """Return runs, newest first."""
        where = []
        params: list[Any] = []
        if job_name is not None:
            where.append("job_name = ?")
            params.append(job_name)
        if status is not None:
            where.append("status = ?")
            params.append(RunStatus(status).value)
        sql = _SELECT_RUNS
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(max(limit, 0))

        def read(conn: sqlite3.Connection) -> list[RunRecord]:
            self._mark_abandoned(conn)
            return [record_from(row) for row in named(conn, sql, params)]

        return self._read(read)

    def get_events(
        self, run_id: str, *, event_types: Iterable[EventType] | None = None
    ) -> list[RunEvent]:
        """Return a run's events in the order they were added."""
        sql = "SELECT type, timestamp, step_key, message, data FROM events WHERE run_id = ?"
        params: list[Any] = [run_id]
        if event_types is not None:
            kinds = sorted({EventType(kind).value for kind in event_types})
            sql += f" AND type IN ({', '.join('?' * len(kinds))})"
            params.extend(kinds)
        sql += " ORDER BY seq"

        def read(conn: sqlite3.Connection) -> list[RunEvent]:
            rows = conn.execute(sql, params).fetchall()
            if not rows:
                self._require_in(conn, run_id)
            types = _EVENT_TYPES
            loads = json.loads
            return [
                RunEvent(
                    run_id,
                    types.get(kind, EventType.LOG),
                    timestamp,
                    step_key,
                    message,
                    {} if data == "{}" else loads(data),
                )
                for kind, timestamp, step_key, message, data in rows
            ]

        return self._read(read)

    def event_rows(self, run_id: str) -> list[tuple[float, str, str | None, str, float | None]]:
        """Return ``(timestamp, event type, step key, message, duration)`` per event, in order.

        A fast path for tables of many events: the ``data`` JSON is not decoded in Python.
        """
        sql = (
            "SELECT timestamp, type, step_key, message, duration FROM events "
            "WHERE run_id = ? ORDER BY seq"
        )

        def read(conn: sqlite3.Connection) -> list[tuple[float, str, str | None, str, Any]]:
            rows = conn.execute(sql, (run_id,)).fetchall()
            if not rows:
                self._require_in(conn, run_id)
            return rows

        return self._read(read)

    def latest_materializations(
        self, asset_keys: Iterable[str] | None = None
    ) -> dict[str, Materialization]:
        """Return the newest materialization of each asset (by user string key)."""
        sql = "SELECT * FROM materializations"
        params: list[str] = []
        if asset_keys is not None:
            params = list(dict.fromkeys(asset_keys))
            if not params:
                return {}

        def read(conn: sqlite3.Connection) -> dict[str, Materialization]:
            if asset_keys is None:
                rows = named(conn, sql, ()).fetchall()
            else:
                rows = []
                for start in range(0, len(params), 500):  # stay under SQLite's variable limit
                    chunk = params[start : start + 500]
                    rows += named(
                        conn, f"{sql} WHERE asset_key IN ({', '.join('?' * len(chunk))})", chunk
                    ).fetchall()
            return {row["asset_key"]: materialization_from(row) for row in rows}

        return self._read(read)

    def read_value(self, location: str) -> bytes | None:
        """The stored bytes of the value at ``location`` (staged here, or committed), or None.

        A location staged for removal (its value now lives in a file) reads as None.
        """
        staged = self.values.staged(location)
        if staged is not None:
            return staged.data
        return self._read(lambda conn: ValueRows.read(conn, location))

    def write_values(self) -> None:
        """Commit the staged values now (runs commit them with their events)."""
        if self.values:
            self._write(lambda conn: None)

    def close(self) -> None:
        """Write what is staged, then close the connection; the store cannot be used again."""
        with self._lock:
            if not self._closed and self.values:
                self.write_values()
            self._closed = True
            if self._conn is not None:
                try:
                    self._conn.close()
                finally:
                    self._conn = None

    def __enter__(self) -> SqliteRunStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SqliteRunStore({str(self.path)!r})"

    # -- opening and migrating ------------------------------------------------------------

    def _open(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(
                f"cannot make the folder of the run store {self.path}: "
                f"{exc.strerror or exc}; {storage_fix(exc)}"
            ) from exc
        # autocommit mode: every write opens its own BEGIN IMMEDIATE transaction
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            retry(lambda: conn.execute("PRAGMA journal_mode = WAL").fetchone())
            for pragma in _PRAGMAS:
                conn.execute(f"PRAGMA {pragma}")
            self._conn = conn
            self._pid = os.getpid()
            self._write(self._migrate)
            self._write(self._mark_abandoned)
        except BaseException:
            self._conn = None
            conn.close()
            raise

    def _migrate(self, conn: sqlite3.Connection) -> None:
        migrate(conn, self.path)

    # -- transactions and errors ----------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        if self._closed:
            raise StorageError(f"run store {self.path} is closed; open a new SqliteRunStore")
        if self._conn is None or self._pid != os.getpid():
            # a forked child must not share its parent's connection
            self._conn = None
            self._open()
        assert self._conn is not None
        return self._conn

    def _write(self, body: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``body`` in one write transaction, with every value staged so far."""

        def attempt() -> T:
            conn = self._connection()
            staged = self.values.take()
            try:
                with transaction(conn):
                    result = body(conn)
                    ValueRows.write(conn, staged)
            except BaseException:
                self.values.restore(staged)
                raise
            ValueRows.remove_shadowed(staged.values())
            return result

        with self._lock:
            return self._guard(lambda: retry(attempt))

    def _read(self, body: Callable[[sqlite3.Connection], T]) -> T:
        with self._lock:
            return self._guard(lambda: retry(lambda: body(self._connection())))

    def _guard(self, action: Callable[[], T]) -> T:
        """Run ``action``, turning every sqlite3 error into a StorageError that says what to do."""
        try:
            return action()
        except sqlite3.Error as exc:
            raise storage_error(self.path, exc, self._quarantine) from exc

    # -- helpers ---------------------------------------------------------------------------

    def _mark_abandoned(self, conn: sqlite3.Connection) -> None:
        mark_abandoned(conn, self._hostname)

    def _quarantine(self) -> Path:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None
        return quarantine(self.path)

    def _require_in(self, conn: sqlite3.Connection, run_id: str) -> None:
        """Raise the unknown-run error if ``run_id`` is not stored."""
        if conn.execute("SELECT 1 FROM runs WHERE run_id = ?", (run_id,)).fetchone() is None:
            raise self._no_run(run_id)

    def _no_run(self, run_id: str) -> StorageError:
        return StorageError(
            f"no run {run_id!r} in the run store {self.path}; list runs with wb.runs()"
        )


_open_stores: weakref.WeakSet[SqliteRunStore] = weakref.WeakSet()


@atexit.register
def _write_staged_values() -> None:
    """At exit, write values staged outside a run (a run writes its own before it returns)."""
    for store in list(_open_stores):
        if not store._closed:
            with contextlib.suppress(StorageError):
                store.write_values()
