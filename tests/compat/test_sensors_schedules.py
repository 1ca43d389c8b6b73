"""Sensors and schedules called directly, evaluated, and their jobs resolved from Definitions."""

import warnings
from typing import Any

import pytest


@pytest.fixture
def parts(dg: Any) -> Any:
    class Counter(dg.ConfigurableResource):
        start: int = 3

    @dg.op
    def count(counter: Counter) -> int:
        return counter.start

    @dg.job
    def counting() -> None:
        count()

    return Counter, counting


def test_a_context_parameter_may_have_any_name(dg: Any, parts: Any) -> None:
    _, counting = parts

    @dg.sensor(job=counting)
    def watcher(_arbitrary_context: Any) -> Any:
        return dg.SkipReason(f"cursor {_arbitrary_context.cursor}")

    @dg.schedule(cron_schedule="0 0 * * *", job=counting)
    def nightly(_ctx: Any) -> Any:
        return {}

    assert watcher(dg.build_sensor_context(cursor="7")).skip_message == "cursor 7"
    assert nightly(dg.build_schedule_context()) == {}


def test_calling_one_that_needs_a_context_without_one_raises(dg: Any, parts: Any) -> None:
    _, counting = parts

    @dg.sensor(job=counting)
    def watcher(context: Any) -> Any:
        return dg.SkipReason("never")

    @dg.schedule(cron_schedule="0 0 * * *", job=counting)
    def nightly(context: Any) -> Any:
        return {}

    @dg.schedule(cron_schedule="0 0 * * *", job=counting)
    def plain() -> Any:
        return {}

    with pytest.raises(dg.DagsterInvalidInvocationError):
        watcher()
    with pytest.raises(dg.DagsterInvalidInvocationError):
        nightly()
    assert plain() == {}


def test_evaluate_tick_leaves_job_name_and_adds_only_dagsters_tags(dg: Any, parts: Any) -> None:
    _, counting = parts

    @dg.sensor(job=counting)
    def watcher(context: Any) -> Any:
        return [dg.RunRequest(run_key="a", tags={"x": "y"}), dg.RunRequest(run_key="b")]

    @dg.schedule(cron_schedule="0 0 * * *", job=counting)
    def nightly(context: Any) -> Any:
        return dg.RunRequest(run_key="n")

    sensed = watcher.evaluate_tick(dg.build_sensor_context()).run_requests
    assert [(r.job_name, dict(r.tags)) for r in sensed] == [
        (None, {"x": "y", "dagster/sensor_name": "watcher"}),
        (None, {"dagster/sensor_name": "watcher"}),
    ]
    (scheduled,) = nightly.evaluate_tick(dg.build_schedule_context()).run_requests
    assert (scheduled.job_name, dict(scheduled.tags)) == (
        None,
        {"dagster/schedule_name": "nightly"},
    )


def test_jobs_of_sensors_and_schedules_get_the_definitions_resources(dg: Any, parts: Any) -> None:
    counter, counting = parts

    @dg.sensor(job=counting)
    def watcher() -> None:
        return None

    @dg.schedule(cron_schedule="0 0 * * *", job=counting)
    def nightly() -> Any:
        return {}

    resources = {"counter": counter(start=9)}
    defs = dg.Definitions(sensors=[watcher], schedules=[nightly], resources=resources)
    with warnings.catch_warnings():
        # Dagster warns that these lookups will stop resolving resources in a later version
        warnings.simplefilter("ignore")
        scheduled_job = defs.get_schedule_def("nightly").job
        sensed_job = defs.get_sensor_def("watcher").job
    assert scheduled_job.execute_in_process().output_for_node("count") == 9
    assert sensed_job.execute_in_process().output_for_node("count") == 9


def test_a_job_with_no_ops_is_allowed(dg: Any) -> None:
    @dg.job
    def empty() -> None:
        pass

    assert empty.execute_in_process().success


def test_resources_in_required_resource_keys_are_set_up_for_the_call() -> None:
    import workbench as wb

    events: list[str] = []

    class Feed(wb.ConfigurableResource):
        url: str = "feed"

        def setup_for_execution(self, context: Any) -> None:
            events.append("setup")

        def teardown_after_execution(self, context: Any) -> None:
            events.append("teardown")

    @wb.sensor(job_name="anything", required_resource_keys={"feed"})
    def watcher(context: Any) -> Any:
        events.append(f"call {context.resources.feed.url}")
        return wb.SkipReason("ok")

    assert watcher(wb.build_sensor_context(resources={"feed": Feed()})).skip_message == "ok"
    assert events == ["setup", "call feed", "teardown"]
    assert watcher.required_resource_keys == {"feed"}
