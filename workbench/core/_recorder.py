"""Recording one run: its events, in memory and in the run store, secrets scrubbed."""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from typing import TYPE_CHECKING

from workbench.core.secrets import Scrubber
from workbench.errors import StorageError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from workbench.core.instance import Instance
    from workbench.core.run import RunEvent, RunRecord, RunStatus

__all__ = ["RunRecorder", "watch"]

logger = logging.getLogger("workbench.run")


class RunRecorder:
    """Keeps a run's events and writes them, with the run, to the instance's run store.

    A run with no steps (say, nothing stale) is never written. Writes happen at the first
    flush (see :func:`watch`) and when the run finishes; a storage error is kept, not raised,
    so a run never fails because history could not be written.
    """

    def __init__(
        self,
        record: RunRecord,
        instance: Instance,
        secrets: Iterable[str],
        on_event: Callable[[RunEvent], None] | None,
        has_steps: bool,
    ) -> None:
        self.record = record
        self.run_id = record.run_id
        self.instance = instance
        self.on_event = on_event
        self.has_steps = has_steps
        self.scrub = Scrubber(secrets)
        self.events: list[RunEvent] = []
        self._pending: list[RunEvent] = []
        self._lock = threading.Lock()
        self.storage_error: StorageError | None = None
        self.flushed_at = time.monotonic()
        self.recorded = False
        self.finished = False
        self._write_lock = threading.Lock()

    def emit(self, event: RunEvent) -> None:
        """Record one event, secrets scrubbed: every event passes this one scrubber."""
        if self.scrub:
            event = dataclasses.replace(
                event, message=self.scrub(event.message), data=self.scrub.data(event.data)
            )
        with self._lock:
            self.events.append(event)
            self._pending.append(event)
        if self.on_event is not None:
            try:
                self.on_event(event)
            except Exception:  # a display callback must never break the run
                logger.exception("on_event callback failed for %s", event.event_type.value)

    def take_pending(self) -> list[RunEvent]:
        """The events not written yet (the caller writes them)."""
        self.flushed_at = time.monotonic()
        with self._lock:
            batch, self._pending = self._pending, []
        return batch

    def flush(self) -> None:
        """Write pending events (and, the first time, the run itself)."""
        with self._write_lock:
            if self.finished or not self.has_steps:
                return  # a run with nothing to do (say, nothing stale) stays out of history
            batch = self.take_pending()
            if self.storage_error is not None or (self.recorded and not batch):
                return
            try:
                if self.recorded:
                    self.instance.run_store.add_events(batch)
                else:
                    self.instance.run_store.add_run(self.record, batch)
                    self.recorded = True
            except StorageError as exc:
                self.storage_error = exc
                logger.warning("run %s is not recorded: %s", self.run_id, exc)

    def finish(self, status: RunStatus, error: str | None) -> None:
        """Record how the run ended, with its last events, in one write."""
        _watchdog.unwatch(self)
        with self._write_lock:
            if not self.has_steps:
                self.record.status = status
                self.record.end_time = time.time()
                return
            self.finished = True
            self.record.status = status
            self.record.end_time = time.time()
            self.record.error = error
            events = self.take_pending()
            if self.storage_error is not None:
                return
            store = self.instance.run_store
            try:
                if self.recorded:
                    store.finish_run(
                        self.run_id,
                        status,
                        end_time=self.record.end_time,
                        error=error,
                        events=events,
                    )
                else:
                    store.add_run(self.record, events)
                    self.recorded = True
            except StorageError as exc:
                self.storage_error = exc
                logger.warning("run %s is not recorded: %s", self.run_id, exc)


class _Watchdog:
    """Writes runs that outlive a tenth of a second, and their events every tenth after.

    A run that ends sooner is written once, when it ends. So a process killed in the middle of
    a longer run leaves the run behind (shown as abandoned), and other processes see progress.
    """

    INTERVAL = 0.1

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._runs: set[RunRecorder] = set()
        self._thread: threading.Thread | None = None

    def watch(self, run: RunRecorder) -> None:
        with self._lock:
            self._runs.add(run)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._loop, name="workbench-run-writer", daemon=True
                )
                self._thread.start()

    def unwatch(self, run: RunRecorder) -> None:
        with self._lock:
            self._runs.discard(run)

    def _loop(self) -> None:
        while True:
            time.sleep(self.INTERVAL / 2)
            with self._lock:
                runs = list(self._runs)
            now = time.monotonic()
            for run in runs:
                if now - run.flushed_at >= self.INTERVAL:
                    run.flush()


_watchdog = _Watchdog()


def watch(run: RunRecorder) -> None:
    """Have ``run`` written if it lasts (see _Watchdog)."""
    _watchdog.watch(run)
