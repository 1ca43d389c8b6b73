"""Load: many assets, many events, many runs back to back; memory stays bounded."""

from __future__ import annotations

import time
import tracemalloc
from typing import Any

import workbench as wb
from workbench.core.run import EventType, RunEvent, RunRecord, RunStatus
from workbench.storage import SqliteRunStore, run_events, runs
from workbench.widgets.launchpad import Launchpad


def make_assets(count: int) -> list[Any]:
    """A binary tree of ``count`` assets: asset i reads asset (i - 1) // 2."""
    made: list[Any] = []
    for index in range(count):
        if index == 0:

            @wb.asset(name="n0")
            def root() -> int:
                return 0

            made.append(root)
            continue
        parent = f"n{(index - 1) // 2}"
        made.append(wb.asset(name=f"n{index}", ins={"up": wb.AssetIn(parent)})(lambda up: up + 1))
    return made


def test_ten_thousand_assets_materialize_in_memory():
    assets = make_assets(10_000)
    result = wb.materialize(assets, instance=wb.Instance.ephemeral())
    assert result.success
    assert result.asset_value("n0") == 0
    assert result.asset_value("n9999") == 13  # node 9999 is 13 levels below the root
    assert len(result.get_asset_materialization_events()) == 10_000


def test_a_hundred_thousand_events_in_the_run_store(home):
    store = SqliteRunStore(home / "big.db")
    run_ids = [f"run-{number:03d}" for number in range(100)]
    for run_id in run_ids:
        store.add_run(RunRecord(run_id=run_id, job_name="load", status=RunStatus.STARTED))
        events = [
            RunEvent(run_id, EventType.LOG, step_key=f"s{index % 7}", message=f"line {index}")
            for index in range(1_000)
        ]
        store.add_events(events)
        store.finish_run(run_id, RunStatus.SUCCESS, end_time=time.time())
    frame = runs(store)
    assert len(frame) == 100
    assert list(frame.run_id[:2]) == ["run-099", "run-098"]
    assert set(frame.status) == {"SUCCESS"}
    assert len(runs(store, limit=5)) == 5
    frame_of_one = run_events("run-050", store)
    assert len(frame_of_one) == 1_000
    assert frame_of_one.message.iloc[-1] == "line 999"
    total = sum(len(store.get_events(run_id)) for run_id in run_ids[:10])
    assert total == 10_000
    store.close()


def test_fifty_launches_back_to_back_all_complete_with_bounded_memory(home):
    @wb.asset
    def numbers() -> list[int]:
        return list(range(1_000))

    @wb.asset
    def doubled(context: wb.AssetExecutionContext, numbers: list[int]) -> list[int]:
        context.log.info("doubling %d numbers", len(numbers))
        return [value * 2 for value in numbers]

    @wb.asset
    def total(doubled: list[int]) -> int:
        return sum(doubled)

    defs = wb.Definitions(assets=[numbers, doubled, total])
    pad = Launchpad(defs)
    warm = [pad.launch() for _ in range(10)]  # caches, imports, SQLite pages
    assert all(result is not None and result.success for result in warm)
    tracemalloc.start()
    try:
        start, _ = tracemalloc.get_traced_memory()
        results = []
        for _ in range(40):
            result = pad.launch()
            assert result is not None
            results.append(result.success)
            assert result.asset_value("total") == 999_000
            del result
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    retained, highest = (current - start) / 1e6, (peak - start) / 1e6
    print(f"50 launches: retained {retained:.2f} MB, peak {highest:.2f} MB")
    assert results == [True] * 40
    frame = runs()
    assert len(frame) == 50
    assert set(frame.status) == {"SUCCESS"}
    # bound: what 40 more runs may keep (their results are dropped) is under 8 MB
    assert current - start < 8 * 1024 * 1024, (current - start, peak)
    assert peak - start < 32 * 1024 * 1024
