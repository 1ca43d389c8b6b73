"""The RunStore contract: every store (in memory and SQLite) passes the same tests."""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING

import pytest

from workbench.core.run import (
    EventType,
    InMemoryRunStore,
    RunEvent,
    RunRecord,
    RunStatus,
    RunStore,
)
from workbench.errors import StorageError
from workbench.storage.sqlite import SqliteRunStore

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RunStore]:
    made: RunStore = (
        InMemoryRunStore() if request.param == "memory" else SqliteRunStore(tmp_path / "runs.db")
    )
    yield made
    made.close()


def _run(run_id: str, job_name: str = "job", **fields: object) -> RunRecord:
    return RunRecord(run_id=run_id, job_name=job_name, **fields)  # type: ignore[arg-type]


def _materialization(run_id: str, key: str, timestamp: float, **data: object) -> RunEvent:
    return RunEvent(
        run_id,
        EventType.ASSET_MATERIALIZATION,
        timestamp=timestamp,
        step_key=key.replace("/", "__"),
        data={"asset_key": key, **data},
    )


def test_store_follows_the_protocol(store: RunStore) -> None:
    assert isinstance(store, RunStore)


def test_run_round_trips_every_field(store: RunStore) -> None:
    record = RunRecord(
        run_id="r1",
        job_name="daily",
        start_time=1_700_000_000.25,
        tags={"team": "data", "workbench/source": "notebook"},
        config_snapshot={
            "resources": {"warehouse": {"config": {"host": "db", "password": "**********"}}},
            "ops": {"load": {"config": {"limit": 10, "ratio": 0.5, "flag": True, "none": None}}},
        },
        steps=["extract", "load"],
        pid=os.getpid(),
    )
    store.add_run(record)

    found = store.get_run("r1")

    assert found == record
    assert found.status is RunStatus.STARTED
    assert found.end_time is None
    assert found.duration is None


def test_adding_a_run_twice_is_refused(store: RunStore) -> None:
    store.add_run(_run("r1"))

    with pytest.raises(StorageError, match="'r1' is already stored"):
        store.add_run(_run("r1", "other"))

    assert store.get_run("r1").job_name == "job"


def test_finish_run_records_status_end_and_error(store: RunStore) -> None:
    store.add_run(_run("ok", start_time=100.0))
    store.add_run(_run("bad", start_time=100.0))

    store.finish_run("ok", RunStatus.SUCCESS, end_time=102.5)
    store.finish_run("bad", RunStatus.FAILURE, end_time=101.0, error="ValueError: boom\nTraceback")

    ok, bad = store.get_run("ok"), store.get_run("bad")
    assert (ok.status, ok.end_time, ok.error, ok.duration) == (RunStatus.SUCCESS, 102.5, None, 2.5)
    assert (bad.status, bad.error) == (RunStatus.FAILURE, "ValueError: boom\nTraceback")
    assert bad.status.is_finished


@pytest.mark.parametrize(
    "call",
    [
        lambda store: store.get_run("missing"),
        lambda store: store.get_events("missing"),
        lambda store: store.finish_run("missing", RunStatus.SUCCESS, end_time=1.0),
        lambda store: store.add_events([RunEvent("missing", EventType.LOG)]),
    ],
    ids=["get_run", "get_events", "finish_run", "add_events"],
)
def test_unknown_run_ids_raise_storage_error_naming_the_id(store: RunStore, call: object) -> None:
    store.add_run(_run("known"))

    with pytest.raises(StorageError, match="no run 'missing'") as raised:
        call(store)  # type: ignore[operator]

    assert "wb.runs()" in str(raised.value)


def test_list_runs_is_newest_first(store: RunStore) -> None:
    for index in range(5):
        store.add_run(_run(f"r{index}", start_time=1000.0 + index))

    assert [record.run_id for record in store.list_runs()] == ["r4", "r3", "r2", "r1", "r0"]
    assert [record.run_id for record in store.list_runs(limit=2)] == ["r4", "r3"]
    assert store.list_runs(limit=0) == []


def test_list_runs_filters_by_job_and_status(store: RunStore) -> None:
    store.add_run(_run("a1", "alpha"))
    store.add_run(_run("b1", "beta"))
    store.add_run(_run("a2", "alpha"))
    store.add_run(_run("a3", "alpha"))
    store.finish_run("a1", RunStatus.SUCCESS, end_time=1.0)
    store.finish_run("a3", RunStatus.FAILURE, end_time=1.0, error="boom")

    assert [r.run_id for r in store.list_runs(job_name="alpha")] == ["a3", "a2", "a1"]
    assert [r.run_id for r in store.list_runs(status=RunStatus.STARTED)] == ["a2", "b1"]
    assert [r.run_id for r in store.list_runs(job_name="alpha", status=RunStatus.SUCCESS)] == ["a1"]
    assert [r.run_id for r in store.list_runs(job_name="alpha", limit=1)] == ["a3"]
    assert store.list_runs(job_name="gamma") == []


def test_events_round_trip_in_insertion_order(store: RunStore) -> None:
    store.add_run(_run("r1"))
    store.add_run(_run("r2"))
    first = [
        RunEvent("r1", EventType.RUN_START, timestamp=10.0, message="run started"),
        RunEvent("r2", EventType.RUN_START, timestamp=9.0),
        RunEvent("r1", EventType.STEP_START, timestamp=11.0, step_key="extract"),
    ]
    second = [
        # an earlier timestamp added later still comes later: order is insertion order
        RunEvent("r1", EventType.LOG, timestamp=10.5, step_key="extract", message="hello"),
        RunEvent(
            "r1",
            EventType.STEP_SUCCESS,
            timestamp=12.0,
            step_key="extract",
            data={"duration": 1.0, "nested": {"list": [1, "two", None]}},
        ),
    ]
    store.add_events(first)
    store.add_events(second)
    store.add_events([])

    assert store.get_events("r1") == [first[0], first[2], *second]
    assert store.get_events("r2") == [first[1]]


def test_get_events_filters_by_type(store: RunStore) -> None:
    store.add_run(_run("r1"))
    store.add_events(
        [
            RunEvent("r1", EventType.STEP_START, step_key="a"),
            RunEvent("r1", EventType.LOG, message="x"),
            RunEvent("r1", EventType.STEP_SUCCESS, step_key="a"),
        ]
    )

    steps = store.get_events("r1", event_types=[EventType.STEP_START, EventType.STEP_SUCCESS])

    assert [event.event_type for event in steps] == [EventType.STEP_START, EventType.STEP_SUCCESS]
    assert store.get_events("r1", event_types=[EventType.RUN_FAILURE]) == []
    assert store.get_events("r1", event_types=[]) == []


def test_a_run_without_events_has_an_empty_list(store: RunStore) -> None:
    store.add_run(_run("quiet"))

    assert store.get_events("quiet") == []


def test_latest_materializations_keep_the_newest_per_asset(store: RunStore) -> None:
    store.add_run(_run("r1"))
    store.add_run(_run("r2"))
    store.add_events(
        [
            _materialization("r1", "raw/orders", 1.0, code_version="v1", data_version="d1"),
            _materialization("r1", "clean", 2.0, code_version="v1"),
        ]
    )
    store.add_events(
        [
            _materialization(
                "r2",
                "raw/orders",
                3.0,
                code_version="v2",
                config_hash="c2",
                base_config_hash="b2",
                data_version="d2",
                input_data_versions={"upstream": "u1"},
                metadata={"rows": 10, "preview": "a,b"},
            )
        ]
    )

    latest = store.latest_materializations()

    assert set(latest) == {"raw/orders", "clean"}
    orders = latest["raw/orders"]
    assert (orders.run_id, orders.timestamp, orders.code_version) == ("r2", 3.0, "v2")
    assert (orders.config_hash, orders.data_version) == ("c2", "d2")
    assert orders.base_config_hash == "b2"
    assert orders.input_data_versions == {"upstream": "u1"}
    assert orders.metadata == {"rows": 10, "preview": "a,b"}
    assert latest["clean"].run_id == "r1"
    assert latest["clean"].metadata == {}
    assert latest["clean"].base_config_hash is None  # recorded without one: none is made up


def test_latest_materializations_filter_by_key(store: RunStore) -> None:
    store.add_run(_run("r1"))
    store.add_events([_materialization("r1", key, 1.0) for key in ("a", "b", "c")])

    assert set(store.latest_materializations(["a", "c", "never"])) == {"a", "c"}
    assert store.latest_materializations([]) == {}


def test_the_last_materialization_in_one_batch_wins(store: RunStore) -> None:
    store.add_run(_run("r1"))
    store.add_events(
        [
            _materialization("r1", "a", 1.0, data_version="first"),
            _materialization("r1", "a", 2.0, data_version="second"),
        ]
    )

    assert store.latest_materializations()["a"].data_version == "second"


def test_materializations_are_also_events(store: RunStore) -> None:
    store.add_run(_run("r1"))
    event = _materialization("r1", "a", 1.0, metadata={"rows": 3})
    store.add_events([event])

    assert store.get_events("r1", event_types=[EventType.ASSET_MATERIALIZATION]) == [event]


def test_threads_write_without_losing_events(store: RunStore) -> None:
    threads = 8
    per_thread = 200
    for index in range(threads):
        store.add_run(_run(f"t{index}"))
    errors: list[BaseException] = []

    def write(index: int) -> None:
        try:
            for number in range(per_thread):
                store.add_events([RunEvent(f"t{index}", EventType.LOG, message=str(number))])
            store.finish_run(f"t{index}", RunStatus.SUCCESS, end_time=1.0)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    workers = [threading.Thread(target=write, args=(index,)) for index in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    for index in range(threads):
        messages = [event.message for event in store.get_events(f"t{index}")]
        assert messages == [str(number) for number in range(per_thread)]
    assert len(store.list_runs(status=RunStatus.SUCCESS)) == threads
