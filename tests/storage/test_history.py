"""Run history as DataFrames, from either store and from the default instance."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas
import pytest

from workbench.core import instance
from workbench.core.run import EventType, InMemoryRunStore, RunEvent, RunRecord, RunStatus, RunStore
from workbench.errors import ConfigError, StorageError
from workbench.storage.history import run_events, runs
from workbench.storage.sqlite import SqliteRunStore

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from tests.storage.conftest import RunPython


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RunStore]:
    made: RunStore = (
        InMemoryRunStore() if request.param == "memory" else SqliteRunStore(tmp_path / "runs.db")
    )
    made.add_run(RunRecord("r1", "daily", start_time=1_700_000_000.0, steps=["a", "b"]))
    made.add_run(RunRecord("r2", "hourly", start_time=1_700_000_100.0, tags={"team": "x"}))
    made.add_run(RunRecord("r3", "daily", start_time=1_700_000_200.0))
    made.finish_run("r1", RunStatus.SUCCESS, end_time=1_700_000_002.5)
    made.finish_run("r2", RunStatus.FAILURE, end_time=1_700_000_101.0, error="boom")
    made.add_events(
        [
            RunEvent("r1", EventType.RUN_START, timestamp=1_700_000_000.0, message="started"),
            RunEvent("r1", EventType.STEP_START, timestamp=1_700_000_000.5, step_key="a"),
            RunEvent(
                "r1",
                EventType.STEP_SUCCESS,
                timestamp=1_700_000_002.0,
                step_key="a",
                data={"duration": 1.5},
            ),
        ]
    )
    yield made
    made.close()


def test_runs_gives_one_row_per_run_newest_first(store: RunStore) -> None:
    frame = runs(store)

    assert list(frame.columns) == [
        "run_id",
        "job_name",
        "status",
        "start_time",
        "end_time",
        "duration_s",
        "steps",
        "tags",
        "error",
    ]
    assert list(frame["run_id"]) == ["r3", "r2", "r1"]
    assert list(frame["status"]) == ["STARTED", "FAILURE", "SUCCESS"]
    assert frame["start_time"].iloc[2] == pandas.Timestamp("2023-11-14 22:13:20", tz="UTC")
    assert str(frame["start_time"].dtype).endswith("UTC]")
    assert pandas.isna(frame["end_time"].iloc[0])
    assert pandas.isna(frame["duration_s"].iloc[0])
    assert frame["duration_s"].iloc[2] == pytest.approx(2.5)
    assert frame["steps"].iloc[2] == ["a", "b"]
    assert frame["tags"].iloc[1] == {"team": "x"}
    assert frame["error"].iloc[1] == "boom"
    assert frame["error"].iloc[2] is None


def test_runs_filters_by_job_status_and_limit(store: RunStore) -> None:
    assert list(runs(store, job="daily")["run_id"]) == ["r3", "r1"]
    assert list(runs(store, status=RunStatus.FAILURE)["run_id"]) == ["r2"]
    assert list(runs(store, status="success")["run_id"]) == ["r1"]
    assert list(runs(store, limit=1)["run_id"]) == ["r3"]
    assert runs(store, job="never").empty


def test_an_unknown_status_lists_the_valid_ones(store: RunStore) -> None:
    with pytest.raises(ConfigError, match="no run status 'done'; use one of: STARTED, SUCCESS"):
        runs(store, status="done")


def test_run_events_gives_one_row_per_event_in_order(store: RunStore) -> None:
    frame = run_events("r1", store)

    assert list(frame.columns) == ["timestamp", "event_type", "step_key", "message", "duration_s"]
    assert list(frame["event_type"]) == ["RUN_START", "STEP_START", "STEP_SUCCESS"]
    assert list(frame["step_key"]) == [None, "a", "a"]
    assert list(frame["message"]) == ["started", "", ""]
    assert frame["duration_s"].isna().tolist() == [True, True, False]
    assert frame["duration_s"].iloc[2] == 1.5
    assert frame["timestamp"].iloc[1] == pandas.Timestamp("2023-11-14 22:13:20.5", tz="UTC")


def test_run_events_of_a_quiet_run_is_empty_with_columns(store: RunStore) -> None:
    frame = run_events("r3", store)

    assert frame.empty
    assert list(frame.columns) == ["timestamp", "event_type", "step_key", "message", "duration_s"]


def test_run_events_of_an_unknown_run_is_a_storage_error(store: RunStore) -> None:
    with pytest.raises(StorageError, match="no run 'nope'"):
        run_events("nope", store)


def test_without_a_store_the_default_instance_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    store = InMemoryRunStore()
    store.add_run(RunRecord("default-run", "job"))
    monkeypatch.setattr(instance, "_factory", lambda: instance.Instance(run_store=store))
    monkeypatch.setattr(instance, "_default", None)

    assert list(runs()["run_id"]) == ["default-run"]
    assert run_events("default-run").empty


def test_importing_storage_does_not_import_pandas(run_python: RunPython) -> None:
    result = run_python("import sys, workbench.storage; print('pandas' in sys.modules)")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
