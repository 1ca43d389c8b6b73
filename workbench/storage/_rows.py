"""Run store rows: records and events to SQLite rows and back, every column named."""

from __future__ import annotations

import json
import math
import numbers
import os
from typing import TYPE_CHECKING, Any

from workbench.core.run import EventType, Materialization, RunEvent, RunRecord, RunStatus
from workbench.errors import StorageError

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Callable, Sequence

__all__ = [
    "INSERT_EVENT",
    "INSERT_RUN",
    "RUN_COLUMNS",
    "UPSERT_MATERIALIZATION",
    "EventRows",
    "dumps",
    "event_rows",
    "materialization_from",
    "record_from",
    "run_row",
]

RUN_COLUMNS = (
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
)
"""The ``runs`` columns a RunRecord is read from (each named like the record's field)."""
_RUN_JSON = ("tags", "config_snapshot", "steps")
INSERT_RUN = (
    f"INSERT INTO runs ({', '.join(RUN_COLUMNS)}, hostname) "
    f"VALUES ({', '.join(f':{name}' for name in RUN_COLUMNS)}, :hostname)"
)
INSERT_EVENT = (
    "INSERT INTO events (run_id, type, timestamp, step_key, message, data, duration) "
    "VALUES (:run_id, :type, :timestamp, :step_key, :message, :data, :duration)"
)
MATERIALIZATION_COLUMNS = (
    "asset_key",
    "run_id",
    "timestamp",
    "code_version",
    "config_hash",
    "data_version",
    "input_data_versions",
    "metadata",
    "base_config_hash",
)
"""The ``materializations`` columns (each named like Materialization's field)."""
_MATERIALIZATION_JSON = ("input_data_versions", "metadata")
UPSERT_MATERIALIZATION = (
    f"INSERT INTO materializations ({', '.join(MATERIALIZATION_COLUMNS)}) "
    f"VALUES ({', '.join(f':{name}' for name in MATERIALIZATION_COLUMNS)}) "
    "ON CONFLICT(asset_key) DO UPDATE SET "
    + ", ".join(f"{name} = excluded.{name}" for name in MATERIALIZATION_COLUMNS[1:])
)
_MATERIALIZATION = EventType.ASSET_MATERIALIZATION.value
_NON_FINITE = {math.inf: "Infinity", -math.inf: "-Infinity"}


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


# one encoder each, made once: json.dumps would make a new one for every event (see #16)
_LENIENT = json.JSONEncoder(default=_json_default, separators=(",", ":"))
_STRICT = json.JSONEncoder(default=_json_default, separators=(",", ":"), allow_nan=False)


def _finite(value: Any) -> Any:
    """``value`` with every NaN or infinity replaced by the text pydantic reads back."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else _NON_FINITE[value]
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


def dumps(value: Any, *, strict: bool = False) -> str:
    """``value`` as compact JSON; with ``strict``, valid JSON (no NaN or infinities).

    Event data keeps NaN and infinities as Python's JSON does (they round-trip); a run's
    config snapshot is ``strict``: a float field's config may be ``.nan`` or ``.inf`` (YAML),
    which JSON has no numbers for, so they are stored as the text a float field accepts
    again, ``"NaN"``, ``"Infinity"`` and ``"-Infinity"`` (see #11).

    Raises:
        StorageError: the value contains itself.
    """
    if not value:
        return "[]" if isinstance(value, list | tuple) else "{}"
    try:
        try:
            return (_STRICT if strict else _LENIENT).encode(value)
        except ValueError:
            if not strict:
                raise
            # a NaN or an infinity somewhere (rare): rewrite them, then write again
            return _STRICT.encode(_finite(value))
    except (ValueError, RecursionError) as exc:  # a value that contains itself
        raise StorageError(
            f"cannot store {type(value).__name__} as JSON in the run store: {exc}; "
            "keep metadata, tags and config to plain data"
        ) from exc


def run_row(record: RunRecord, hostname: str) -> dict[str, Any]:
    """The ``runs`` row of ``record``, by column name."""
    row: dict[str, Any] = {name: getattr(record, name) for name in RUN_COLUMNS}
    row["status"] = RunStatus(record.status).value
    for name in _RUN_JSON:
        row[name] = dumps(row[name], strict=name == "config_snapshot")
    row["hostname"] = hostname
    return row


def record_from(row: sqlite3.Row) -> RunRecord:
    """The RunRecord of a ``runs`` row selected with :data:`RUN_COLUMNS`."""
    values = {name: row[name] for name in RUN_COLUMNS}
    values["status"] = RunStatus(values["status"])
    for name in _RUN_JSON:
        values[name] = json.loads(values[name])
    return RunRecord(**values)


def materialization_from(row: sqlite3.Row) -> Materialization:
    """The Materialization of a ``materializations`` row (every column selected)."""
    values = {name: row[name] for name in MATERIALIZATION_COLUMNS}
    for name in _MATERIALIZATION_JSON:
        values[name] = json.loads(values[name])
    return Materialization(**values)


EventRows = tuple[list[dict[str, Any]], list[dict[str, Any]]]


def event_rows(events: Sequence[RunEvent]) -> EventRows:
    """Event rows, and materialization rows for the latest-per-asset table (by column name)."""
    rows: list[dict[str, Any]] = []
    materializations: list[dict[str, Any]] = []
    for event in events:
        given = event.event_type
        kind = (given if type(given) is EventType else EventType(given)).value
        data = event.data
        duration = data.get("duration") if data else None
        if not isinstance(duration, int | float) or isinstance(duration, bool):
            duration = None
        rows.append(
            {
                "run_id": event.run_id,
                "type": kind,
                "timestamp": event.timestamp,
                "step_key": event.step_key,
                "message": event.message,
                "data": dumps(data),
                "duration": duration,
            }
        )
        if kind == _MATERIALIZATION:
            found = Materialization.from_event(event)
            row = {name: getattr(found, name) for name in MATERIALIZATION_COLUMNS}
            for name in _MATERIALIZATION_JSON:
                row[name] = dumps(row[name])
            materializations.append(row)
    return rows, materializations
