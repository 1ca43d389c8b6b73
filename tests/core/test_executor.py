from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import pytest

import workbench as wb
from workbench.core.instance import Instance, default_instance
from workbench.core.run import EventType, RunEvent, RunStatus

TEARDOWNS: list[str] = []


class Source(wb.ConfigurableResource):
    base: int = 1

    def teardown_after_execution(self, context: wb.InitResourceContext) -> None:
        TEARDOWNS.append(f"teardown {context.resource_key}")


def _diamond() -> list[Any]:
    @wb.asset
    def root(source: Source) -> int:
        return source.base

    @wb.asset
    def left(root: int) -> int:
        return root + 1

    @wb.asset
    def right(root: int) -> int:
        return root + 2

    @wb.asset
    def joined(left: int, right: int) -> int:
        return left * right

    return [root, left, right, joined]


def test_events_of_a_successful_run(instance: Instance) -> None:
    seen: list[RunEvent] = []
    result = wb.materialize(
        _diamond(),
        resources={"source": Source()},
        instance=instance,
        tags={"team": "data"},
        run_id="fixed-run-id",
        on_event=seen.append,
    )
    assert result.success
    assert result.run_id == "fixed-run-id"
    types = [event.event_type for event in result.all_events]
    assert types[0] is EventType.RUN_START
    assert types[-1] is EventType.RUN_SUCCESS
    assert types.count(EventType.STEP_SUCCESS) == 4
    assert types.count(EventType.ASSET_MATERIALIZATION) == 4
    assert [event.event_type for event in seen] == types
    record = instance.run_store.get_run("fixed-run-id")
    assert record.status is RunStatus.SUCCESS
    assert record.tags == {"team": "data"}
    assert record.steps == ["root", "left", "right", "joined"]
    assert record.end_time is not None
    stored = instance.run_store.get_events("fixed-run-id")
    assert [event.event_type for event in stored] == types
    assert set(result.step_durations()) == {"root", "left", "right", "joined"}
    assert result.asset_value("joined") == 6


def test_on_event_callback_errors_do_not_break_the_run(instance: Instance) -> None:
    def broken(event: RunEvent) -> None:
        raise RuntimeError("display failed")

    result = wb.materialize(
        _diamond(), resources={"source": Source()}, instance=instance, on_event=broken
    )
    assert result.success


def test_failed_asset_skips_downstream_and_keeps_upstream_values(instance: Instance) -> None:
    TEARDOWNS.clear()

    @wb.asset
    def upstream(source: Source) -> int:
        return 10

    @wb.asset
    def broken(upstream: int) -> int:
        raise ValueError("bad data")

    @wb.asset
    def downstream(broken: int) -> int:
        return broken

    @wb.asset
    def further(downstream: int) -> int:
        return downstream

    @wb.asset
    def sibling(upstream: int) -> int:
        return upstream + 1

    result = wb.materialize(
        [upstream, broken, downstream, further, sibling],
        resources={"source": Source()},
        instance=instance,
        raise_on_error=False,
    )
    assert not result.success
    assert result.asset_value("upstream") == 10
    assert result.asset_value("sibling") == 11
    skipped = [e.step_key for e in result.all_events if e.event_type is EventType.STEP_SKIPPED]
    assert skipped == ["downstream", "further"]
    with pytest.raises(wb.WorkbenchError, match="was not materialized"):
        result.asset_value("downstream")
    assert TEARDOWNS == ["teardown source"]
    record = instance.run_store.get_run(result.run_id)
    assert record.status is RunStatus.FAILURE
    assert record.error is not None
    assert "ValueError: bad data" in record.error
    (failure,) = result.failures
    assert failure.step_key == "broken"
    assert "Traceback" in failure.data["traceback"]


@pytest.mark.parametrize("workers", [1, 4])
def test_max_workers_gives_the_same_results(instance: Instance, workers: int) -> None:
    result = wb.materialize(
        _diamond(), resources={"source": Source(base=3)}, instance=instance, max_workers=workers
    )
    assert result.success
    assert {key: result.asset_value(key) for key in ("root", "left", "right", "joined")} == {
        "root": 3,
        "left": 4,
        "right": 5,
        "joined": 20,
    }
    assert instance.run_store.get_run(result.run_id).status is RunStatus.SUCCESS


def test_max_workers_runs_independent_steps_concurrently(instance: Instance) -> None:
    barrier = threading.Barrier(3, timeout=10)
    threads: set[str] = set()

    def make(name: str) -> Any:
        @wb.asset(name=name)
        def branch() -> str:
            threads.add(threading.current_thread().name)
            barrier.wait()
            return name

        return branch

    branches = [make(f"branch_{index}") for index in range(3)]

    @wb.asset(deps=branches)
    def after() -> str:
        return "after"

    result = wb.materialize([*branches, after], instance=instance, max_workers=3)
    assert result.success
    assert len(threads) == 3
    assert result.asset_value("after") == "after"


def test_max_workers_failure_skips_downstream(instance: Instance) -> None:
    @wb.asset
    def ok() -> int:
        return 1

    @wb.asset
    def bad() -> int:
        raise RuntimeError("no")

    @wb.asset
    def needs_bad(bad: int) -> int:
        return bad

    @wb.asset
    def needs_needs_bad(needs_bad: int) -> int:
        return needs_bad

    result = wb.materialize(
        [ok, bad, needs_bad, needs_needs_bad],
        instance=instance,
        max_workers=4,
        raise_on_error=False,
    )
    assert not result.success
    assert result.asset_value("ok") == 1
    skipped = {e.step_key for e in result.all_events if e.event_type is EventType.STEP_SKIPPED}
    assert skipped == {"needs_bad", "needs_needs_bad"}


def test_keyboard_interrupt_with_workers_is_recorded_canceled(instance: Instance) -> None:
    TEARDOWNS.clear()

    @wb.asset
    def stop(source: Source) -> None:
        raise KeyboardInterrupt

    @wb.asset
    def other() -> int:
        return 1

    with pytest.raises(KeyboardInterrupt):
        wb.materialize(
            [stop, other], resources={"source": Source()}, instance=instance, max_workers=2
        )
    (record,) = instance.run_store.list_runs()
    assert record.status is RunStatus.CANCELED
    assert TEARDOWNS == ["teardown source"]


def test_selection_runs_only_selected_assets(instance: Instance) -> None:
    assets = _diamond()
    result = wb.materialize(
        assets, resources={"source": Source()}, instance=instance, selection=["root", "left"]
    )
    assert result.asset_value("left") == 2
    with pytest.raises(wb.WorkbenchError, match="not materialized"):
        result.asset_value("joined")


def test_unselected_upstream_without_a_store_is_a_clear_failure(instance: Instance) -> None:
    result = wb.materialize(
        _diamond(),
        resources={"source": Source()},
        instance=instance,
        selection=["left"],
        raise_on_error=False,
    )
    assert not result.success
    (failure,) = result.failures
    assert "asset 'root' is not part of this run" in failure.message


def test_default_instance_records_runs_in_workbench_home() -> None:
    result = wb.materialize(_diamond(), resources={"source": Source()})
    assert result.success
    store = default_instance().run_store
    assert store.get_run(result.run_id).status is RunStatus.SUCCESS
    assert any(Path(os.environ["WORKBENCH_HOME"]).iterdir())


def test_a_step_error_is_raised_with_a_note_of_run_id_and_step(instance: Instance) -> None:
    @wb.asset
    def fails() -> None:
        raise LookupError("missing row")

    with pytest.raises(LookupError, match="missing row") as caught:
        wb.materialize([fails], instance=instance)
    run_id = instance.run_store.list_runs()[0].run_id
    assert caught.value.__notes__ == [f"(step 'fails' failed in run {run_id})"]


def test_result_repr_has_text_plain(instance: Instance) -> None:
    result = wb.materialize(_diamond(), resources={"source": Source()}, instance=instance)
    bundle = result._repr_mimebundle_()
    assert bundle["text/plain"].startswith(f"Run {result.run_id} SUCCESS (4 steps)")
    assert "text/html" in bundle
