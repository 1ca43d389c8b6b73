"""SqliteRunStore: the run store kept in one SQLite file, shared safely by threads and processes."""

from __future__ import annotations

import contextlib
import json
import numbers
import os
import socket
import sqlite3
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from workbench.core.run import EventType, Materialization, RunEvent, RunRecord, RunStatus
from workbench.errors import StorageError
from workbench.storage.home import move_aside

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence

__all__ = ["SCHEMA_VERSION", "SqliteRunStore"]

T = TypeVar("T")

SCHEMA_VERSION = 2
"""The schema this code writes; older files are migrated when opened, newer ones refused."""

_V1 = """
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    run_id TEXT NOT NULL UNIQUE,
    job_name TEXT NOT NULL,
    status TEXT NOT NULL,
    start_time REAL NOT NULL,
    end_time REAL,
    tags TEXT NOT NULL DEFAULT '{}',
    config_snapshot TEXT NOT NULL DEFAULT '{}',
    steps TEXT NOT NULL DEFAULT '[]',
    error TEXT,
    pid INTEGER NOT NULL
);
CREATE TABLE events (
    seq INTEGER PRIMARY KEY,
    run_id TEXT NOT NULL REFERENCES runs(run_id),
    type TEXT NOT NULL,
    timestamp REAL NOT NULL,
    step_key TEXT,
    message TEXT NOT NULL DEFAULT '',
    data TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE materializations (
    asset_key TEXT PRIMARY KEY,
    run_id TEXT NOT NULL,
    timestamp REAL NOT NULL,
    code_version TEXT,
    config_hash TEXT,
    data_version TEXT,
    input_data_versions TEXT NOT NULL DEFAULT '{}',
    metadata TEXT NOT NULL DEFAULT '{}'
)
"""

# v2: the host a run ran on (a pid means nothing on another machine sharing the folder), a step
# duration column (history tables read it without parsing JSON), and indexes so that a run's
# events and filtered run lists are not full-table scans.
_V2 = """
ALTER TABLE runs ADD COLUMN hostname TEXT;
ALTER TABLE events ADD COLUMN duration REAL;
UPDATE events SET duration = CASE WHEN json_valid(data) THEN
    CASE json_type(data, '$.duration') WHEN 'integer' THEN json_extract(data, '$.duration')
    WHEN 'real' THEN json_extract(data, '$.duration') END END
WHERE data LIKE '%"duration"%';
CREATE INDEX events_by_run ON events(run_id, seq);
CREATE INDEX runs_by_job ON runs(job_name, id);
CREATE INDEX runs_by_status ON runs(status, id)
"""

MIGRATIONS: tuple[tuple[int, str], ...] = ((1, _V1), (2, _V2))
"""``(version reached, SQL)`` in order; each runs in the transaction that sets user_version."""

_BUSY_TIMEOUT_MS = 5_000
_PRAGMAS = ("synchronous = NORMAL", "foreign_keys = ON", "cache_size = -16000")
_ATTEMPTS = 8
_FIX = "set WORKBENCH_HOME to a writable folder with free space"
# RunRecord's and Materialization's fields, in order: rows map onto them by position
_RUN_FIELDS = [
    "run_id",
    "job_name",
    "status",
    "start_time",
    "end_time",
    "tags",
    "config_snapshot",
    "steps",
    "error",
    "pid",
]
_RUN_COLUMNS = ", ".join(_RUN_FIELDS)
_MATERIALIZATION_FIELDS = [
    "asset_key",
    "run_id",
    "timestamp",
    "code_version",
    "config_hash",
    "data_version",
    "input_data_versions",
    "metadata",
]
_INSERT_EVENT = (
    "INSERT INTO events (run_id, type, timestamp, step_key, message, data, duration) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)
_UPSERT_MATERIALIZATION = (
    f"INSERT INTO materializations ({', '.join(_MATERIALIZATION_FIELDS)}) "
    f"VALUES ({', '.join('?' * len(_MATERIALIZATION_FIELDS))}) ON CONFLICT(asset_key) DO UPDATE "
    f"SET {', '.join(f'{name} = excluded.{name}' for name in _MATERIALIZATION_FIELDS[1:])}"
)
_MATERIALIZATION = EventType.ASSET_MATERIALIZATION.value
_EVENT_TYPES = {member.value: member for member in EventType}


def _json_default(value: Any) -> Any:
    """Make a JSON-able stand-in for a value json cannot write (metadata may hold anything)."""
    for kind, convert in _JSON_STAND_INS:
        if isinstance(value, kind):
            return convert(value)
    return value.isoformat() if hasattr(value, "isoformat") else repr(value)


_JSON_STAND_INS: tuple[tuple[Any, Callable[[Any], Any]], ...] = (
    (numbers.Integral, int),
    (numbers.Real, float),
    (set | frozenset, lambda value: sorted(value, key=repr)),
    (os.PathLike, os.fspath),
)


def _dumps(value: Any) -> str:
    if not value:
        return "[]" if isinstance(value, list | tuple) else "{}"
    try:
        return json.dumps(value, default=_json_default, separators=(",", ":"))
    except (ValueError, RecursionError) as exc:  # a value that contains itself
        raise StorageError(
            f"cannot store {type(value).__name__} as JSON in the run store: {exc}; "
            "keep metadata, tags and config to plain data"
        ) from exc


def _is_busy(exc: sqlite3.Error) -> bool:
    return (exc.sqlite_errorname or "").startswith(("SQLITE_BUSY", "SQLITE_LOCKED"))


def _is_corrupt(exc: sqlite3.Error) -> bool:
    return (exc.sqlite_errorname or "").startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))


def _is_alive(pid: int) -> bool:
    """Tell whether process ``pid`` on this host still runs (a zombie does not)."""
    if sys.platform == "win32":  # os.kill would terminate it there; assume it lives
        return True
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: it exists, and belongs to someone else
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as file:
            state = file.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


_EventRows = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]


def _event_rows(events: Sequence[RunEvent]) -> _EventRows:
    """Event rows, and materialization rows for the latest-per-asset table."""
    rows: list[tuple[Any, ...]] = []
    materializations: list[tuple[Any, ...]] = []
    for event in events:
        kind = EventType(event.event_type).value
        data = event.data
        duration = data.get("duration") if data else None
        if not isinstance(duration, int | float) or isinstance(duration, bool):
            duration = None
        row = (event.run_id, kind, event.timestamp, event.step_key, event.message, _dumps(data))
        rows.append((*row, duration))
        if kind == _MATERIALIZATION:
            found = Materialization.from_event(event)
            values = [getattr(found, name) for name in _MATERIALIZATION_FIELDS]
            materializations.append((*values[:6], *map(_dumps, values[6:])))
    return rows, materializations


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
        with self._lock:
            self._guard(self._open)

    # -- RunStore -------------------------------------------------------------------------

    def add_run(self, record: RunRecord, events: Sequence[RunEvent] = ()) -> None:
        """Record a new run (and its first events) in one transaction; its id must be new."""
        row = [getattr(record, name) for name in _RUN_FIELDS] + [self._hostname]
        row[2] = RunStatus(record.status).value
        row[5:8] = map(_dumps, row[5:8])  # tags, config_snapshot, steps
        batch = _event_rows(events)

        def write(conn: sqlite3.Connection) -> None:
            try:
                conn.execute(
                    f"INSERT INTO runs ({_RUN_COLUMNS}, hostname) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    row,
                )
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
        batch = _event_rows(events)

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
        batch = _event_rows(events)
        self._write(lambda conn: self._insert_events(conn, batch))

    def _insert_events(self, conn: sqlite3.Connection, batch: _EventRows) -> None:
        rows, materializations = batch
        if not rows:
            return
        try:
            conn.executemany(_INSERT_EVENT, rows)
        except sqlite3.IntegrityError:
            ids = sorted({row[0] for row in rows})
            marks = ", ".join("?" * len(ids))
            known = {
                found[0]
                for found in conn.execute(f"SELECT run_id FROM runs WHERE run_id IN ({marks})", ids)
            }
            missing = next((run_id for run_id in ids if run_id not in known), ids[0])
            raise self._no_run(missing) from None
        if materializations:
            conn.executemany(_UPSERT_MATERIALIZATION, materializations)

    def get_run(self, run_id: str) -> RunRecord:
        """Return one run; raise StorageError naming the id if there is none."""

        def read(conn: sqlite3.Connection) -> RunRecord:
            self._mark_abandoned(conn)
            row = conn.execute(
                f"SELECT {_RUN_COLUMNS} FROM runs WHERE run_id = ?", (run_id,)
            ).fetchone()
            if row is None:
                raise self._no_run(run_id)
            return _record(row)

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
        sql = f"SELECT {_RUN_COLUMNS} FROM runs"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(max(limit, 0))

        def read(conn: sqlite3.Connection) -> list[RunRecord]:
            self._mark_abandoned(conn)
            return [_record(row) for row in conn.execute(sql, params)]

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
        sql = f"SELECT {', '.join(_MATERIALIZATION_FIELDS)} FROM materializations"
        params: list[str] = []
        if asset_keys is not None:
            params = list(dict.fromkeys(asset_keys))
            if not params:
                return {}

        def read(conn: sqlite3.Connection) -> dict[str, Materialization]:
            if asset_keys is None:
                rows = conn.execute(sql).fetchall()
            else:
                rows = []
                for start in range(0, len(params), 500):  # stay under SQLite's variable limit
                    chunk = params[start : start + 500]
                    rows += conn.execute(
                        f"{sql} WHERE asset_key IN ({', '.join('?' * len(chunk))})", chunk
                    ).fetchall()
            return {row[0]: Materialization(*row[:6], *map(json.loads, row[6:])) for row in rows}

        return self._read(read)

    def close(self) -> None:
        """Close the database connection; the store cannot be used afterwards."""
        with self._lock:
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
                f"{exc.strerror or exc}; {_FIX}"
            ) from exc
        # autocommit mode: every write opens its own BEGIN IMMEDIATE transaction
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
            self._retry(lambda: conn.execute("PRAGMA journal_mode = WAL").fetchone())
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
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StorageError(
                f"run store {self.path} has schema version {version}, newer than this "
                f"workbench understands ({SCHEMA_VERSION}); upgrade workbench, or set "
                "WORKBENCH_HOME to another folder"
            )
        if version == 0 and _has_tables(conn):
            raise StorageError(
                f"{self.path} is an SQLite database but not a workbench run store; "
                "move it away, or set WORKBENCH_HOME to another folder"
            )
        for target, script in MIGRATIONS:
            if target > version:
                for statement in script.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {target}")

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
        def attempt() -> T:
            conn = self._connection()
            with _transaction(conn):
                return body(conn)

        with self._lock:
            return self._guard(lambda: self._retry(attempt))

    def _read(self, body: Callable[[sqlite3.Connection], T]) -> T:
        with self._lock:
            return self._guard(lambda: self._retry(lambda: body(self._connection())))

    def _retry(self, attempt: Callable[[], T]) -> T:
        """Run ``attempt`` again while another process holds the lock beyond the busy timeout."""
        for number in range(_ATTEMPTS):
            try:
                return attempt()
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc) or number == _ATTEMPTS - 1:
                    raise
                time.sleep(min(0.05 * 2**number, 1.0))
        raise AssertionError("unreachable")  # pragma: no cover

    def _guard(self, action: Callable[[], T]) -> T:
        """Run ``action``, turning every sqlite3 error into a StorageError that says what to do."""
        try:
            return action()
        except sqlite3.Error as exc:
            if _is_corrupt(exc):
                aside = self._quarantine()
                raise StorageError(
                    f"run store {self.path} is corrupt ({exc}); it was moved to {aside} for "
                    "recovery and a new empty store will be made in its place on next use"
                ) from exc
            if _is_busy(exc):
                raise StorageError(
                    f"run store {self.path} stayed locked by another process for over "
                    f"{_ATTEMPTS * _BUSY_TIMEOUT_MS // 1000} s; close the other kernel or "
                    "process using it, then retry"
                ) from exc
            raise StorageError(f"run store {self.path} cannot be used: {exc}; {_FIX}") from exc

    def _quarantine(self) -> Path:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None
        aside = move_aside(self.path)
        for suffix in ("-wal", "-shm"):
            companion = self.path.with_name(self.path.name + suffix)
            if companion.exists():
                companion.replace(aside.with_name(aside.name + suffix))
        return aside

    # -- helpers ---------------------------------------------------------------------------

    def _mark_abandoned(self, conn: sqlite3.Connection) -> None:
        """Mark ``STARTED`` runs whose process on this host has ended as ``ABANDONED``."""
        started = conn.execute(
            "SELECT id, pid, hostname FROM runs WHERE status = ?", (RunStatus.STARTED.value,)
        ).fetchall()
        me = os.getpid()
        dead = [
            (pid, row_id)
            for row_id, pid, hostname in started
            if hostname in (None, self._hostname) and pid != me and not _is_alive(pid)
        ]
        if not dead:
            return
        now = time.time()
        why = "ended before the run finished (it was killed or crashed)"
        rows = [(now, f"process {pid} on {self._hostname} {why}", row_id) for pid, row_id in dead]
        sql = (
            "UPDATE runs SET status = 'ABANDONED', end_time = ?, error = COALESCE(error, ?) "
            "WHERE id = ? AND status = 'STARTED'"
        )
        if conn.in_transaction:
            conn.executemany(sql, rows)
        else:
            with _transaction(conn):
                conn.executemany(sql, rows)

    def _require_in(self, conn: sqlite3.Connection, run_id: str) -> None:
        """Raise the unknown-run error if ``run_id`` is not stored."""
        if conn.execute("SELECT 1 FROM runs WHERE run_id = ?", (run_id,)).fetchone() is None:
            raise self._no_run(run_id)

    def _no_run(self, run_id: str) -> StorageError:
        return StorageError(
            f"no run {run_id!r} in the run store {self.path}; list runs with wb.runs()"
        )


@contextlib.contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """One write transaction that takes the write lock up front (so it never deadlocks)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _has_tables(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone() is not None


def _record(row: tuple[Any, ...]) -> RunRecord:
    values = list(row)
    values[2] = RunStatus(values[2])
    values[5:8] = map(json.loads, values[5:8])  # tags, config_snapshot, steps
    return RunRecord(*values)
