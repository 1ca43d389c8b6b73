"""Run records and events, the RunStore protocol, and the in-memory store."""

from __future__ import annotations

import enum
import os
import threading
import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from workbench.errors import StorageError

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

__all__ = [
    "EventType",
    "InMemoryRunStore",
    "Materialization",
    "RunEvent",
    "RunRecord",
    "RunStatus",
    "RunStore",
]


class RunStatus(enum.StrEnum):
    """Where a run is in its life."""

    STARTED = "STARTED"
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    CANCELED = "CANCELED"
    ABANDONED = "ABANDONED"
    """The process running it died (for example was killed) before the run ended."""

    @property
    def is_finished(self) -> bool:
        """Tell whether the run has ended."""
        return self is not RunStatus.STARTED


class EventType(enum.StrEnum):
    """What a run event records."""

    RUN_START = "RUN_START"
    RUN_SUCCESS = "RUN_SUCCESS"
    RUN_FAILURE = "RUN_FAILURE"
    RUN_CANCELED = "RUN_CANCELED"
    STEP_START = "STEP_START"
    STEP_SUCCESS = "STEP_SUCCESS"
    STEP_FAILURE = "STEP_FAILURE"
    STEP_SKIPPED = "STEP_SKIPPED"
    ASSET_MATERIALIZATION = "ASSET_MATERIALIZATION"
    LOG = "LOG"
    RESOURCE_SETUP = "RESOURCE_SETUP"
    RESOURCE_TEARDOWN = "RESOURCE_TEARDOWN"


@dataclass(slots=True)
class RunRecord:
    """One run: what ran, with which (redacted) config, and how it ended.

    Attributes:
        run_id: a unique id.
        job_name: the job, or ``__ASSET_JOB`` for ``materialize``.
        status: where the run is.
        start_time: seconds since the epoch.
        end_time: seconds since the epoch, once finished.
        tags: user and system tags.
        config_snapshot: the run's resource and op config with every secret redacted.
        steps: the steps planned, in order.
        error: the failure's message and traceback, if it failed.
        pid: the process that ran it (to tell an abandoned run from a live one).
    """

    run_id: str
    job_name: str
    status: RunStatus = RunStatus.STARTED
    start_time: float = field(default_factory=time.time)
    end_time: float | None = None
    tags: dict[str, str] = field(default_factory=dict)
    config_snapshot: dict[str, Any] = field(default_factory=dict)
    steps: list[str] = field(default_factory=list)
    error: str | None = None
    pid: int = field(default_factory=os.getpid)

    @property
    def duration(self) -> float | None:
        """Seconds from start to end, once finished."""
        return None if self.end_time is None else self.end_time - self.start_time


@dataclass(slots=True)
class RunEvent:
    """One thing that happened in a run.

    Attributes:
        run_id: the run.
        event_type: what happened.
        timestamp: seconds since the epoch.
        step_key: the step it concerns, if any.
        message: a one-line description (secrets never appear here).
        data: details: ``duration`` for step ends, ``traceback`` for failures, and for
            materializations ``asset_key``, ``metadata``, ``code_version``, ``config_hash``
            (of the config it ran with), ``base_config_hash`` (of that config without the
            run's launch config), ``data_version`` and ``input_data_versions``.
    """

    run_id: str
    event_type: EventType
    timestamp: float = field(default_factory=time.time)
    step_key: str | None = None
    message: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True, frozen=True)
class Materialization:
    """The latest materialization of one asset, as staleness needs it."""

    asset_key: str
    run_id: str
    timestamp: float
    code_version: str | None = None
    config_hash: str | None = None
    data_version: str | None = None
    input_data_versions: dict[str, str] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)
    base_config_hash: str | None = None

    @classmethod
    def from_event(cls, event: RunEvent) -> Materialization:
        """Read a materialization out of an ``ASSET_MATERIALIZATION`` event."""
        data = event.data
        return cls(
            asset_key=data["asset_key"],
            run_id=event.run_id,
            timestamp=event.timestamp,
            code_version=data.get("code_version"),
            config_hash=data.get("config_hash"),
            data_version=data.get("data_version"),
            input_data_versions=dict(data.get("input_data_versions") or {}),
            metadata=dict(data.get("metadata") or {}),
            base_config_hash=data.get("base_config_hash"),
        )


@runtime_checkable
class RunStore(Protocol):
    """Where runs and their events are kept. Implementations must be thread-safe."""

    def add_run(self, record: RunRecord, events: Sequence[RunEvent] = ()) -> None:
        """Record a new run and its first events (atomically); its id must be new."""

    def finish_run(
        self,
        run_id: str,
        status: RunStatus,
        *,
        end_time: float,
        error: str | None = None,
        events: Sequence[RunEvent] = (),
    ) -> None:
        """Record a run's last events and how it ended (atomically)."""

    def add_events(self, events: Sequence[RunEvent]) -> None:
        """Append events (in order) to their runs."""

    def get_run(self, run_id: str) -> RunRecord:
        """Return one run; raise StorageError naming the id if there is none."""

    def list_runs(
        self,
        *,
        limit: int | None = None,
        job_name: str | None = None,
        status: RunStatus | None = None,
    ) -> list[RunRecord]:
        """Return runs, newest first."""

    def get_events(
        self, run_id: str, *, event_types: Iterable[EventType] | None = None
    ) -> list[RunEvent]:
        """Return a run's events in the order they were added."""

    def latest_materializations(
        self, asset_keys: Iterable[str] | None = None
    ) -> dict[str, Materialization]:
        """Return the newest materialization of each asset (by user string key)."""

    def close(self) -> None:
        """Release whatever the store holds open."""


class InMemoryRunStore:
    """A RunStore in this process's memory: fast, and gone when the process ends."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._runs: dict[str, RunRecord] = {}
        self._events: dict[str, list[RunEvent]] = {}
        self._latest: dict[str, Materialization] = {}

    def add_run(self, record: RunRecord, events: Sequence[RunEvent] = ()) -> None:
        """Record a new run and its first events; its id must be new."""
        with self._lock:
            if record.run_id in self._runs:
                raise StorageError(f"run {record.run_id!r} is already stored; use a new run id")
            self._runs[record.run_id] = replace(record)
            self._events[record.run_id] = []
            self._append(events)

    def finish_run(
        self,
        run_id: str,
        status: RunStatus,
        *,
        end_time: float,
        error: str | None = None,
        events: Sequence[RunEvent] = (),
    ) -> None:
        """Record a run's last events and how it ended."""
        with self._lock:
            record = self._require(run_id)
            self._append(events)
            record.status = status
            record.end_time = end_time
            record.error = error

    def add_events(self, events: Sequence[RunEvent]) -> None:
        """Append events (in order) to their runs."""
        with self._lock:
            self._append(events)

    def _append(self, events: Sequence[RunEvent]) -> None:
        for event in events:
            self._require(event.run_id)
        for event in events:
            self._events[event.run_id].append(event)
            if event.event_type is EventType.ASSET_MATERIALIZATION:
                found = Materialization.from_event(event)
                self._latest[found.asset_key] = found

    def get_run(self, run_id: str) -> RunRecord:
        """Return one run; raise StorageError naming the id if there is none."""
        with self._lock:
            return replace(self._require(run_id))

    def list_runs(
        self,
        *,
        limit: int | None = None,
        job_name: str | None = None,
        status: RunStatus | None = None,
    ) -> list[RunRecord]:
        """Return runs, newest first."""
        with self._lock:
            found = [
                replace(record)
                for record in reversed(self._runs.values())
                if (job_name is None or record.job_name == job_name)
                and (status is None or record.status is status)
            ]
        return found if limit is None else found[:limit]

    def get_events(
        self, run_id: str, *, event_types: Iterable[EventType] | None = None
    ) -> list[RunEvent]:
        """Return a run's events in the order they were added."""
        wanted = None if event_types is None else set(event_types)
        with self._lock:
            self._require(run_id)
            return [
                event
                for event in self._events[run_id]
                if wanted is None or event.event_type in wanted
            ]

    def latest_materializations(
        self, asset_keys: Iterable[str] | None = None
    ) -> dict[str, Materialization]:
        """Return the newest materialization of each asset (by user string key)."""
        with self._lock:
            if asset_keys is None:
                return dict(self._latest)
            return {key: self._latest[key] for key in asset_keys if key in self._latest}

    def close(self) -> None:
        """Nothing to release."""

    def _require(self, run_id: str) -> RunRecord:
        try:
            return self._runs[run_id]
        except KeyError:
            raise StorageError(
                f"no run {run_id!r} in this store; list runs with wb.runs()"
            ) from None
