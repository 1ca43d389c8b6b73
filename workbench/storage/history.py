"""Run history as pandas DataFrames: ``wb.runs()`` and the events of one run."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workbench.core.run import RunStatus, RunStore
from workbench.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Sequence

    import pandas

__all__ = ["run_events", "runs"]

RUN_COLUMNS = (
    "run_id",
    "job_name",
    "status",
    "start_time",
    "end_time",
    "duration_s",
    "steps",
    "tags",
    "error",
)
EVENT_COLUMNS = ("timestamp", "event_type", "step_key", "message", "duration_s")


def _store(store: RunStore | None) -> RunStore:
    if store is not None:
        return store
    from workbench.core.instance import default_instance

    return default_instance().run_store


def runs(
    store: RunStore | None = None,
    *,
    limit: int | None = None,
    job: str | None = None,
    status: RunStatus | str | None = None,
) -> pandas.DataFrame:
    """Return run history, newest first, one row per run.

    Columns: ``run_id``, ``job_name``, ``status`` (its name, e.g. ``"SUCCESS"``),
    ``start_time`` and ``end_time`` (UTC timestamps; NaT while running), ``duration_s``,
    ``steps`` (a list), ``tags`` (a dict) and ``error`` (message and traceback, or None).

    Args:
        store: the run store to read; the default instance's when None.
        limit: at most this many runs.
        job: only runs of this job.
        status: only runs with this status (a RunStatus or its name, any case).

    Raises:
        ConfigError: ``status`` names no status (the message lists them).
    """
    import pandas

    wanted = _status(status)
    records = _store(store).list_runs(limit=limit, job_name=job, status=wanted)
    starts = [record.start_time for record in records]
    ends = [record.end_time for record in records]
    frame = pandas.DataFrame(
        {
            "run_id": [record.run_id for record in records],
            "job_name": [record.job_name for record in records],
            "status": [RunStatus(record.status).value for record in records],
            "start_time": _times(starts),
            "end_time": _times(ends),
            "duration_s": pandas.Series(
                [
                    None if end is None else end - start
                    for start, end in zip(starts, ends, strict=True)
                ],
                dtype="float64",
            ),
            "steps": pandas.Series([list(record.steps) for record in records], dtype=object),
            "tags": pandas.Series([dict(record.tags) for record in records], dtype=object),
            "error": pandas.Series([record.error for record in records], dtype=object),
        },
        columns=list(RUN_COLUMNS),
    )
    return frame


def run_events(run_id: str, store: RunStore | None = None) -> pandas.DataFrame:
    """Return one run's events in order, one row per event.

    Columns: ``timestamp`` (UTC), ``event_type`` (its name), ``step_key`` (or None),
    ``message`` and ``duration_s`` (for step ends; NaN otherwise).

    Raises:
        StorageError: there is no such run.
    """
    import pandas

    found = _store(store)
    fast = getattr(found, "event_rows", None)
    rows: Sequence[Sequence[Any]]
    if callable(fast):  # SqliteRunStore: no RunEvent objects, no JSON decoded in Python
        rows = fast(run_id)
    else:
        rows = [
            (
                event.timestamp,
                event.event_type.value,
                event.step_key,
                event.message,
                event.data.get("duration"),
            )
            for event in found.get_events(run_id)
        ]
    timestamps, types, steps, messages, durations = (
        zip(*rows, strict=True) if rows else ((), (), (), (), ())
    )
    return pandas.DataFrame(
        {
            "timestamp": _times(timestamps),
            "event_type": pandas.Series(types, dtype=object),
            "step_key": pandas.Series(steps, dtype=object),
            "message": pandas.Series(messages, dtype=object),
            "duration_s": pandas.to_numeric(
                pandas.Series(durations, dtype=object), errors="coerce"
            ).astype("float64"),
        },
        columns=list(EVENT_COLUMNS),
    )


def _times(seconds: Sequence[float | None]) -> pandas.Series:
    import pandas

    numbers = pandas.Series(list(seconds), dtype="float64")
    return pandas.to_datetime(numbers, unit="s", utc=True)


def _status(status: RunStatus | str | None) -> RunStatus | None:
    if status is None or isinstance(status, RunStatus):
        return status
    try:
        return RunStatus(str(status).upper())
    except ValueError:
        names = ", ".join(member.value for member in RunStatus)
        raise ConfigError(f"no run status {status!r}; use one of: {names}") from None
