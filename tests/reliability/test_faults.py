"""Faults inside a run: a step, a resource's setup or teardown, or the user's Ctrl-C."""

from __future__ import annotations

from typing import Any

import pytest

import workbench as wb
from workbench.core.run import EventType, RunStatus
from workbench.storage import run_events, runs

CALLS: list[tuple[str, str]] = []
MODE: dict[str, str] = {}


class Tracked(wb.ConfigurableResource):
    """A resource that records its setup and teardown, and fails in the phase it is told."""

    name: str
    fail_in: str = ""

    def setup_for_execution(self, context: Any) -> None:
        CALLS.append(("setup", self.name))
        if self.fail_in == "setup":
            raise RuntimeError(f"setup of {self.name} broke")
        if self.fail_in == "setup-interrupt":
            raise KeyboardInterrupt

    def teardown_after_execution(self, context: Any) -> None:
        CALLS.append(("teardown", self.name))
        if self.fail_in == "teardown":
            raise RuntimeError(f"teardown of {self.name} broke")


@wb.asset
def upstream(first: Tracked) -> int:
    return 41


@wb.asset
def downstream(upstream: int, second: Tracked) -> int:
    if MODE.get("downstream") == "raise":
        raise ValueError("downstream exploded")
    if MODE.get("downstream") == "interrupt":
        raise KeyboardInterrupt
    return upstream + 1


@wb.asset
def sibling(upstream: int) -> int:
    return upstream * 2


ASSETS = [upstream, downstream, sibling]


@pytest.fixture(autouse=True)
def _reset() -> None:
    CALLS.clear()
    MODE.clear()


def resources(**fail_in: str) -> dict[str, Tracked]:
    return {key: Tracked(name=key, fail_in=fail_in.get(key, "")) for key in ("first", "second")}


def set_up(calls: list[tuple[str, str]]) -> set[str]:
    return {name for phase, name in calls if phase == "setup"}


def torn_down(calls: list[tuple[str, str]]) -> set[str]:
    return {name for phase, name in calls if phase == "teardown"}


def assert_next_run_works() -> None:
    CALLS.clear()
    MODE.clear()
    result = wb.materialize(ASSETS, resources=resources())
    assert result.success
    assert result.asset_value("downstream") == 42
    assert set_up(CALLS) == torn_down(CALLS) == {"first", "second"}


def latest_run() -> Any:
    frame = runs(limit=1)
    assert len(frame) == 1
    return frame.iloc[0]


@pytest.mark.parametrize("max_workers", [1, 2])
def test_a_failing_step_tears_down_keeps_upstream_values_and_the_next_run_works(
    max_workers, fresh_instance
):
    MODE["downstream"] = "raise"
    with pytest.raises(ValueError, match="downstream exploded") as caught:
        wb.materialize(ASSETS, resources=resources(), max_workers=max_workers)
    assert set_up(CALLS) == torn_down(CALLS) == {"first", "second"}

    row = latest_run()
    assert f"(step 'downstream' failed in run {row.run_id})" in caught.value.__notes__
    assert row.status == "FAILURE"
    assert "ValueError: downstream exploded" in row.error
    assert "in downstream" in row.error  # the traceback reaches the user's frame
    events = run_events(row.run_id)
    failures = events[events.event_type == "STEP_FAILURE"]
    assert list(failures.step_key) == ["downstream"]
    # upstream and its other child succeeded and stay stored, also for a new kernel
    store = fresh_instance().io_manager
    assert store.has_value("upstream")
    assert store.has_value("sibling")
    assert not store.has_value("downstream")
    MODE.clear()
    only_downstream = wb.materialize(ASSETS, resources=resources(), selection=["downstream"])
    assert only_downstream.asset_value("downstream") == 42  # loaded the stored upstream
    assert_next_run_works()


def test_a_failing_setup_tears_down_what_was_set_up_and_runs_no_step():
    result = wb.materialize(ASSETS, resources=resources(second="setup"), raise_on_error=False)
    assert not result.success
    assert set_up(CALLS) == {"first", "second"}
    assert torn_down(CALLS) == {"first"}  # second never finished its setup
    row = latest_run()
    assert row.status == "FAILURE"
    assert "RuntimeError: setup of second broke" in row.error
    assert "setup_for_execution" in row.error
    kinds = {event.event_type for event in result.all_events}
    assert EventType.STEP_START not in kinds
    assert EventType.RUN_FAILURE in kinds
    with pytest.raises(wb.DagsterResourceFunctionError, match="setup of second broke") as caught:
        wb.materialize(ASSETS, resources=resources(second="setup"))
    assert caught.value.run_id == latest_run().run_id
    assert_next_run_works()


def test_a_failing_teardown_still_tears_down_the_others_and_keeps_every_value(fresh_instance):
    fails = resources(first="teardown", second="teardown")
    result = wb.materialize(ASSETS, resources=fails)
    assert result.success  # as in Dagster, a raising teardown is logged, not a failure (#12)
    assert torn_down(CALLS) == {"first", "second"}
    assert result.asset_value("downstream") == 42
    row = latest_run()
    assert row.status == "SUCCESS"
    events = run_events(row.run_id)
    teardowns = events[events.event_type == "RESOURCE_TEARDOWN"]
    assert any("teardown of first broke" in message for message in teardowns.message)
    store = fresh_instance().io_manager
    assert all(store.has_value(key) for key in ("upstream", "downstream", "sibling"))
    assert_next_run_works()


@pytest.mark.parametrize("where", ["step", "setup"])
def test_an_interrupt_tears_down_records_canceled_and_the_next_run_works(where, fresh_instance):
    if where == "step":
        MODE["downstream"] = "interrupt"
        given = resources()
    else:
        given = resources(second="setup-interrupt")
    with pytest.raises(KeyboardInterrupt):
        wb.materialize(ASSETS, resources=given)
    assert set_up(CALLS) == {"first", "second"}
    assert torn_down(CALLS) == ({"first", "second"} if where == "step" else {"first"})
    row = latest_run()
    assert row.status == RunStatus.CANCELED.value
    assert row.end_time is not None
    events = run_events(row.run_id)
    assert events.event_type.iloc[-1] == "RUN_CANCELED"
    if where == "step":
        assert fresh_instance().io_manager.has_value("upstream")
    assert_next_run_works()


def test_an_interrupted_run_records_where_it_was_interrupted():
    MODE["downstream"] = "interrupt"
    with pytest.raises(KeyboardInterrupt):
        wb.materialize(ASSETS, resources=resources())
    row = latest_run()
    assert "KeyboardInterrupt" in row.error
    assert "in downstream" in row.error
    events = run_events(row.run_id)
    ends = events[(events.step_key == "downstream") & (events.event_type != "STEP_START")]
    assert not ends.empty  # the interrupted step does not stay "started" forever


def test_a_failing_op_job_tears_down_and_records_the_failed_op():
    @wb.op
    def produce(first: Tracked) -> int:
        return 1

    @wb.op
    def consume(value: int, second: Tracked) -> int:
        raise OSError(f"cannot write {value}")

    @wb.job(resource_defs=resources())
    def pipeline():
        consume(produce())

    result = pipeline.execute_in_process(raise_on_error=False)
    assert not result.success
    assert result.output_for_node("produce") == 1
    assert set_up(CALLS) == torn_down(CALLS) == {"first", "second"}
    row = latest_run()
    assert row.job_name == "pipeline"
    assert "OSError: cannot write 1" in row.error
