"""Dagster's run records and events as workbench's, so the same runs widgets show them.

Nothing here imports ``dagster``: it reads the attributes of the objects Dagster's instance
returns (``RunRecord``, ``EventLogEntry``), which the Dagster engine hands over.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workbench.core.plain import redact
from workbench.core.run import EventType, Materialization, RunEvent, RunRecord, RunStatus
from workbench.errors import StorageError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

__all__ = ["DagsterRunStore", "run_text", "to_run_event", "to_run_record"]

_STATUS = {
    "SUCCESS": RunStatus.SUCCESS,
    "FAILURE": RunStatus.FAILURE,
    "CANCELING": RunStatus.CANCELED,
    "CANCELED": RunStatus.CANCELED,
}
_DAGSTER_STATUSES = {
    RunStatus.SUCCESS: ("SUCCESS",),
    RunStatus.FAILURE: ("FAILURE",),
    RunStatus.CANCELED: ("CANCELING", "CANCELED"),
    RunStatus.STARTED: ("QUEUED", "NOT_STARTED", "MANAGED", "STARTING", "STARTED", "SUSPENDED"),
}
_EVENTS = {
    **{member.value: member for member in EventType},
    # Dagster still names its run events after pipelines
    "PIPELINE_START": EventType.RUN_START,
    "PIPELINE_SUCCESS": EventType.RUN_SUCCESS,
    "PIPELINE_FAILURE": EventType.RUN_FAILURE,
    "PIPELINE_CANCELED": EventType.RUN_CANCELED,
}


def _redacted(run_config: Any) -> dict[str, Any]:
    """A run's config with every secret out (run config holds literal values only)."""
    return {str(key): redact(value) for key, value in dict(run_config or {}).items()}


def to_run_record(record: Any) -> RunRecord:
    """A Dagster ``RunRecord`` as workbench's (status names mapped, config redacted)."""
    run = record.dagster_run
    status = _STATUS.get(run.status.value, RunStatus.STARTED)
    start = record.start_time or record.create_timestamp.timestamp()
    return RunRecord(
        run_id=run.run_id,
        job_name=run.job_name,
        status=status,
        start_time=start,
        end_time=record.end_time,
        tags=dict(run.tags),
        config_snapshot=_redacted(run.run_config),
        steps=list(run.step_keys_to_execute or []),
    )


def to_run_event(entry: Any) -> RunEvent:
    """A Dagster ``EventLogEntry`` as a workbench RunEvent (LOG for kinds workbench lacks)."""
    event = entry.dagster_event
    kind = _EVENTS.get(event.event_type_value, EventType.LOG) if event is not None else None
    data: dict[str, Any] = {}
    message = entry.user_message or ""
    if event is not None:
        specific = event.event_specific_data
        message = event.message or message
        if kind is EventType.STEP_SUCCESS and getattr(specific, "duration_ms", None) is not None:
            data["duration"] = specific.duration_ms / 1000
        elif kind is EventType.STEP_FAILURE and getattr(specific, "error", None) is not None:
            data["traceback"] = specific.error.to_string()
            message = f"step {entry.step_key!r} failed: {_root_error(specific.error)}"
        elif kind is EventType.ASSET_MATERIALIZATION and event.asset_key is not None:
            data["asset_key"] = event.asset_key.to_user_string()
            materialization = specific.materialization
            data["metadata"] = {key: repr(value) for key, value in materialization.metadata.items()}
            data["data_version"] = materialization.tags.get("dagster/data_version")
            data["code_version"] = materialization.tags.get("dagster/code_version")
    return RunEvent(
        run_id=entry.run_id,
        event_type=kind or EventType.LOG,
        timestamp=entry.timestamp,
        step_key=entry.step_key,
        message=message,
        data=data,
    )


def _root_error(error: Any) -> str:
    """The innermost error's ``Name: message`` (Dagster wraps the user's in its own)."""
    while getattr(error, "cause", None) is not None:
        error = error.cause
    return str(error.message).strip()


def run_text(store: DagsterRunStore, run_id: str) -> str:
    """A run as workbench's result shows itself in text: status, each step's time, failures."""
    record = store.get_run(run_id)
    ends = (EventType.STEP_SUCCESS, EventType.STEP_FAILURE)
    events = store.get_events(run_id, event_types=ends)
    done = [event for event in events if event.event_type is EventType.STEP_SUCCESS]
    lines = [f"Run {run_id} {record.status.value} ({len(done)} steps)"]
    lines += [
        f"  {event.step_key}: {event.data.get('duration', 0) * 1000:.1f} ms" for event in done
    ]
    lines += [
        f"  FAILED {event.step_key}: {event.message}"
        for event in events
        if event.event_type is EventType.STEP_FAILURE
    ]
    return "\n".join(lines)


class DagsterRunStore:
    """Dagster's instance as a read-only RunStore: runs, events and materializations.

    Dagster's own runs write to the instance; the workbench runs table, run detail and graph
    read it through this class.
    """

    def __init__(
        self, instance: Any, runs_filter: Callable[..., Any], run_status: Callable[[str], Any]
    ) -> None:
        self.instance = instance
        self._runs_filter = runs_filter
        self._run_status = run_status

    def _read_only(self) -> StorageError:
        return StorageError(
            "Dagster's instance is written by Dagster's runs only; start a run with %wb "
            "materialize or %wb launch instead"
        )

    def add_run(self, record: RunRecord, events: Sequence[RunEvent] = ()) -> None:
        """Refused: Dagster records its own runs."""
        raise self._read_only()

    def finish_run(
        self,
        run_id: str,
        status: RunStatus,
        *,
        end_time: float,
        error: str | None = None,
        events: Sequence[RunEvent] = (),
    ) -> None:
        """Refused: Dagster records its own runs."""
        raise self._read_only()

    def add_events(self, events: Sequence[RunEvent]) -> None:
        """Refused: Dagster records its own events."""
        raise self._read_only()

    def get_run(self, run_id: str) -> RunRecord:
        """One run; StorageError naming the id when Dagster has none."""
        record = self.instance.get_run_record_by_id(run_id)
        if record is None:
            raise StorageError(f"no run {run_id!r} in Dagster's instance; list runs with %wb runs")
        found = to_run_record(record)
        if found.status is RunStatus.FAILURE:
            found.error = self._error(run_id)
        return found

    def _error(self, run_id: str) -> str | None:
        for event in self.get_events(run_id, event_types=(EventType.STEP_FAILURE,)):
            return f"{event.step_key}: {event.data.get('traceback') or event.message}"
        return None

    def list_runs(
        self,
        *,
        limit: int | None = None,
        job_name: str | None = None,
        status: RunStatus | None = None,
    ) -> list[RunRecord]:
        """Runs, newest first."""
        statuses = None
        if status is not None:
            statuses = [self._run_status(name) for name in _DAGSTER_STATUSES[status]]
        runs_filter = self._runs_filter(job_name=job_name, statuses=statuses)
        found = [
            to_run_record(record)
            for record in self.instance.get_run_records(filters=runs_filter, limit=limit)
        ]
        for record in found:
            if record.status is RunStatus.FAILURE:
                record.error = self._error(record.run_id)
        return found

    def get_events(
        self, run_id: str, *, event_types: Iterable[EventType] | None = None
    ) -> list[RunEvent]:
        """A run's events in order."""
        wanted = None if event_types is None else set(event_types)
        events = [to_run_event(entry) for entry in self.instance.all_logs(run_id)]
        return [event for event in events if wanted is None or event.event_type in wanted]

    def latest_materializations(
        self, asset_keys: Iterable[str] | None = None
    ) -> dict[str, Materialization]:
        """The newest materialization of each asset Dagster has recorded."""
        found: dict[str, Materialization] = {}
        wanted = None if asset_keys is None else set(asset_keys)
        for record in self.instance.get_asset_records():
            entry = record.asset_entry
            key = entry.asset_key.to_user_string()
            latest = entry.last_materialization_record
            if latest is None or (wanted is not None and key not in wanted):
                continue
            event = to_run_event(latest.event_log_entry)
            found[key] = Materialization.from_event(event)
        return found

    def close(self) -> None:
        """Nothing to release: the instance belongs to the engine."""
