"""The run store's SQLite schema, and the migrations that bring an older file up to it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from workbench.errors import StorageError

if TYPE_CHECKING:
    import sqlite3
    from pathlib import Path

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "migrate"]

SCHEMA_VERSION = 4
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

# v3: small asset and op values (pickled, under a size measured for #16) kept as rows, written
# in the same transaction as the events of the run that made them; large ones stay files.
_V3 = """
CREATE TABLE stored_values (
    location TEXT PRIMARY KEY,
    data BLOB NOT NULL,
    run_id TEXT NOT NULL,
    stored_at REAL NOT NULL
)
"""

# v4: each latest materialization's base config hash, the config without the run's one-off
# launch config, which staleness compares with (#14); rows written before keep NULL there and
# are compared by the config hash they have.
_V4 = """
ALTER TABLE materializations ADD COLUMN base_config_hash TEXT
"""

MIGRATIONS: tuple[tuple[int, str], ...] = ((1, _V1), (2, _V2), (3, _V3), (4, _V4))
"""``(version reached, SQL)`` in order; each runs in the transaction that sets user_version."""


def migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Bring the database ``conn`` (the file at ``path``) up to :data:`SCHEMA_VERSION`.

    Each migration runs in the caller's transaction together with the ``user_version`` it sets.

    Raises:
        StorageError: the file is newer than this code, or an SQLite database of another kind.
    """
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise StorageError(
            f"run store {path} has schema version {version}, newer than this "
            f"workbench understands ({SCHEMA_VERSION}); upgrade workbench, or set "
            "WORKBENCH_HOME to another folder"
        )
    if version == 0 and conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone():
        raise StorageError(
            f"{path} is an SQLite database but not a workbench run store; "
            "move it away, or set WORKBENCH_HOME to another folder"
        )
    for target, script in MIGRATIONS:
        if target > version:
            for statement in script.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {target}")
