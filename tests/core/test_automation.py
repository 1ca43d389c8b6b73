from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import Field

import workbench as wb
from workbench.core.run import RunStatus

if TYPE_CHECKING:
    from collections.abc import Iterator

    from workbench.core.instance import Instance

LOG: list[str] = []


class Feed(wb.ConfigurableResource):
    items: list[str] = Field(default_factory=lambda: ["a", "b"])

    def setup_for_execution(self, context: wb.InitResourceContext) -> None:
        LOG.append("setup feed")

    def teardown_after_execution(self, context: wb.InitResourceContext) -> None:
        LOG.append("teardown feed")

    def new_since(self, cursor: str | None) -> list[str]:
        start = 0 if cursor is None else self.items.index(cursor) + 1
        return self.items[start:]


class Target(wb.ConfigurableResource):
    label: str = "t"


class Tag(wb.Config):
    item: str = "none"


@wb.op
def process(config: Tag, target: Target) -> str:
    return f"{target.label}:{config.item}"


@wb.job
def process_job() -> None:
    process()


@pytest.fixture(autouse=True)
def _clear() -> Iterator[None]:
    LOG.clear()
    yield
    LOG.clear()


def test_sensor_gets_resources_by_annotation_and_yields_requests() -> None:
    @wb.sensor(
        job=process_job, minimum_interval_seconds=60, default_status=wb.DefaultSensorStatus.RUNNING
    )
    def feed_sensor(context: wb.SensorEvaluationContext, feed: Feed) -> Iterator[wb.RunRequest]:
        LOG.append("evaluate")
        for item in feed.new_since(context.cursor):
            yield wb.RunRequest(
                run_key=item, run_config={"ops": {"process": {"config": {"item": item}}}}
            )

    assert feed_sensor.minimum_interval_seconds == 60
    assert feed_sensor.default_status is wb.DefaultSensorStatus.RUNNING
    assert feed_sensor.required_resource_keys == {"feed"}
    context = wb.build_sensor_context(resources={"feed": Feed(items=["x", "y", "z"])}, cursor="x")
    raw = feed_sensor(context)
    assert [request.run_key for request in raw] == ["y", "z"]
    assert LOG == ["setup feed", "evaluate", "teardown feed"]
    tick = feed_sensor.evaluate_tick(context)
    assert [request.run_key for request in tick.run_requests] == ["y", "z"]
    assert all(r.tags["dagster/sensor_name"] == "feed_sensor" for r in tick.run_requests)
    # as in Dagster, evaluate_tick leaves job_name as the sensor gave it (#12)
    assert all(r.job_name is None for r in tick.run_requests)


def test_sensor_missing_resource_is_a_definition_error() -> None:
    @wb.sensor(job=process_job)
    def needs_feed(feed: Feed) -> None:
        return None

    with pytest.raises(wb.DefinitionError, match="resource 'feed' required by sensor 'needs_feed'"):
        needs_feed(wb.build_sensor_context())
    with pytest.raises(wb.DefinitionError, match="'feed' required by sensor"):
        wb.Definitions(sensors=[needs_feed]).validate()


def test_sensor_result_shapes() -> None:
    @wb.sensor(job=process_job)
    def skips(context: wb.SensorEvaluationContext) -> wb.SkipReason:
        return wb.SkipReason("nothing new")

    @wb.sensor(job=process_job)
    def listing(context: wb.SensorEvaluationContext) -> list[wb.RunRequest]:
        return [wb.RunRequest(run_key="1"), wb.RunRequest(run_key="2")]

    @wb.sensor(job=process_job)
    def full(context: wb.SensorEvaluationContext) -> wb.SensorResult:
        return wb.SensorResult(run_requests=[wb.RunRequest(run_key="k")], cursor="next")

    @wb.sensor(job=process_job)
    def result_skip(context: wb.SensorEvaluationContext) -> wb.SensorResult:
        return wb.SensorResult(skip_reason=wb.SkipReason("quiet"), cursor="c2")

    @wb.sensor(job=process_job)
    def nothing(context: wb.SensorEvaluationContext) -> None:
        return None

    @wb.sensor(job=process_job)
    def wrong(context: wb.SensorEvaluationContext) -> Any:
        return 42

    assert skips.evaluate_tick().skip_message == "nothing new"
    assert skips.evaluate_tick().run_requests == []
    assert [r.run_key for r in listing.evaluate_tick().run_requests] == ["1", "2"]
    tick = full.evaluate_tick(wb.build_sensor_context(cursor="old"))
    assert [r.run_key for r in tick.run_requests] == ["k"]
    assert tick.cursor == "next"
    tick = result_skip.evaluate_tick()
    assert (tick.skip_message, tick.cursor) == ("quiet", "c2")
    assert nothing.evaluate_tick().run_requests == []
    with pytest.raises(wb.WorkbenchError, match="returned int"):
        wrong.evaluate_tick()


def test_cursor_update_and_conflict() -> None:
    @wb.sensor(job=process_job)
    def advancing(context: wb.SensorEvaluationContext) -> wb.SkipReason:
        context.update_cursor(str(int(context.cursor or "0") + 1))
        return wb.SkipReason("counting")

    @wb.sensor(job=process_job)
    def conflicting(context: wb.SensorEvaluationContext) -> wb.SensorResult:
        context.update_cursor("a")
        return wb.SensorResult(cursor="b")

    assert advancing.evaluate_tick(wb.build_sensor_context(cursor="4")).cursor == "5"
    assert advancing.evaluate_tick().cursor == "1"
    with pytest.raises(wb.WorkbenchError, match=r"SensorResult\.cursor cannot be set"):
        conflicting.evaluate_tick()


def test_schedule_with_resources_and_context() -> None:
    @wb.schedule(
        cron_schedule="0 6 * * *",
        job=process_job,
        execution_timezone="Europe/Berlin",
        default_status=wb.DefaultScheduleStatus.RUNNING,
    )
    def morning(context: wb.ScheduleEvaluationContext, feed: Feed) -> wb.RunRequest:
        day = context.scheduled_execution_time.strftime("%Y-%m-%d")
        return wb.RunRequest(
            run_key=day,
            run_config={"ops": {"process": {"config": {"item": day}}}},
            tags={"items": ",".join(feed.items)},
        )

    at = dt.datetime(2024, 3, 1, 6, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    context = wb.build_schedule_context(scheduled_execution_time=at, resources={"feed": Feed()})
    raw = morning(context)
    assert isinstance(raw, wb.RunRequest)
    assert raw.run_key == "2024-03-01"
    tick = morning.evaluate_tick(context)
    (request,) = tick.run_requests
    assert request.tags["dagster/schedule_name"] == "morning"
    assert request.tags["items"] == "a,b"
    # evaluate_tick adds only the tags Dagster adds; wb.tick records the time (#12)
    assert "dagster/scheduled_execution_time" not in request.tags
    assert request.job_name is None
    assert LOG == ["setup feed", "teardown feed", "setup feed", "teardown feed"]
    assert morning.default_status is wb.DefaultScheduleStatus.RUNNING


def test_schedule_result_shapes() -> None:
    @wb.schedule(cron_schedule="@daily", job=process_job)
    def as_dict(context: wb.ScheduleEvaluationContext) -> dict[str, Any]:
        return {"ops": {"process": {"config": {"item": "d"}}}}

    @wb.schedule(cron_schedule="@daily", job=process_job)
    def as_skip(context: wb.ScheduleEvaluationContext) -> wb.SkipReason:
        return wb.SkipReason("holiday")

    @wb.schedule(cron_schedule="@daily", job=process_job)
    def as_generator(context: wb.ScheduleEvaluationContext) -> Iterator[wb.RunRequest]:
        yield wb.RunRequest(run_key="a")
        yield wb.RunRequest(run_key="b")

    (request,) = as_dict.evaluate_tick().run_requests
    assert request.run_config == {"ops": {"process": {"config": {"item": "d"}}}}
    assert as_skip.evaluate_tick().skip_message == "holiday"
    assert [r.run_key for r in as_generator.evaluate_tick().run_requests] == ["a", "b"]
    definition = wb.ScheduleDefinition(job=process_job, cron_schedule="@hourly")
    assert definition.name == "process_job_schedule"
    assert len(definition.evaluate_tick().run_requests) == 1


def test_cron_next_tick_times_in_a_timezone() -> None:
    @wb.schedule(
        cron_schedule="30 9 * * 1-5", job=process_job, execution_timezone="America/New_York"
    )
    def weekdays(context: wb.ScheduleEvaluationContext) -> None:
        return None

    after = dt.datetime(2024, 3, 8, 12, 0, tzinfo=dt.UTC)  # a Friday, 07:00 in New York
    times = weekdays.next_tick_times(3, after=after)
    zone = ZoneInfo("America/New_York")
    assert times == [
        dt.datetime(2024, 3, 8, 9, 30, tzinfo=zone),
        dt.datetime(2024, 3, 11, 9, 30, tzinfo=zone),
        dt.datetime(2024, 3, 12, 9, 30, tzinfo=zone),
    ]
    # across the DST change (10 March 2024) the local time stays 09:30 while UTC moves
    assert [t.astimezone(dt.UTC).hour for t in times] == [14, 13, 13]


def test_invalid_cron_and_timezone_are_definition_errors() -> None:
    with pytest.raises(wb.DefinitionError, match="'not a cron' is not a valid cron expression"):

        @wb.schedule(cron_schedule="not a cron", job=process_job)
        def broken(context: wb.ScheduleEvaluationContext) -> None:
            return None

    with pytest.raises(wb.DefinitionError, match="unknown execution_timezone 'Mars/Base'"):

        @wb.schedule(cron_schedule="@daily", job=process_job, execution_timezone="Mars/Base")
        def lost(context: wb.ScheduleEvaluationContext) -> None:
            return None


def test_tick_launches_runs_with_the_definitions_resources(instance: Instance) -> None:
    @wb.sensor(job=process_job)
    def feed_sensor(context: wb.SensorEvaluationContext, feed: Feed) -> wb.SensorResult:
        items = feed.new_since(context.cursor)
        return wb.SensorResult(
            run_requests=[
                wb.RunRequest(
                    run_key=item, run_config={"ops": {"process": {"config": {"item": item}}}}
                )
                for item in items
            ],
            cursor=items[-1] if items else context.cursor,
        )

    defs = wb.Definitions(
        jobs=[process_job],
        sensors=[feed_sensor],
        resources={"feed": Feed(items=["a", "b", "c"]), "target": Target(label="T")},
    )
    defs.validate()
    tick = wb.tick(defs, "feed_sensor", cursor="a", launch=True, instance=instance)
    assert tick.cursor == "c"
    assert [run.output_for_node("process") for run in tick.runs] == ["T:b", "T:c"]
    runs = instance.run_store.list_runs()
    assert {run.tags["dagster/run_key"] for run in runs} == {"b", "c"}
    assert all(run.tags["dagster/sensor_name"] == "feed_sensor" for run in runs)
    assert all(run.status is RunStatus.SUCCESS for run in runs)
    quiet = wb.tick(defs, "feed_sensor", cursor="c", launch=True, instance=instance)
    assert quiet.runs == []
    with pytest.raises(wb.DefinitionError, match="did you mean 'feed_sensor'"):
        wb.tick(defs, "feed_sensr")


def test_tick_launches_a_schedule_and_an_asset_target(instance: Instance) -> None:
    @wb.asset
    def daily_table(target: Target) -> str:
        return target.label

    @wb.schedule(cron_schedule="@daily", target=[daily_table])
    def nightly(context: wb.ScheduleEvaluationContext) -> wb.RunRequest:
        return wb.RunRequest(run_key="night")

    defs = wb.Definitions(
        assets=[daily_table], schedules=[nightly], resources={"target": Target(label="L")}
    )
    at = dt.datetime(2024, 1, 2, tzinfo=dt.UTC)
    tick = wb.tick(defs, "nightly", at=at, launch=True, instance=instance)
    (run,) = tick.runs
    assert run.success
    assert run.asset_value("daily_table") == "L"
    record = instance.run_store.get_run(run.run_id)
    assert record.tags["dagster/schedule_name"] == "nightly"
    assert record.tags["dagster/scheduled_execution_time"] == at.isoformat()


def test_tick_without_launch_runs_nothing(instance: Instance) -> None:
    @wb.sensor(job=process_job)
    def always(context: wb.SensorEvaluationContext) -> wb.RunRequest:
        return wb.RunRequest(run_key="x")

    defs = wb.Definitions(jobs=[process_job], sensors=[always], resources={"target": Target()})
    tick = wb.tick(defs, "always", instance=instance)
    assert len(tick.run_requests) == 1
    assert tick.runs == []
    assert instance.run_store.list_runs() == []
    assert "1 run request" in tick._repr_mimebundle_()["text/plain"]


@wb.op
def _noop() -> None:
    pass


@wb.job
def first_job() -> None:
    _noop()


@wb.job
def second_job() -> None:
    _noop()


def test_sensor_job_says_why_there_is_no_single_job() -> None:
    @wb.sensor()
    def watches_nothing(context: wb.SensorEvaluationContext) -> None:
        return None

    @wb.sensor(jobs=[first_job, second_job])
    def watches_two(context: wb.SensorEvaluationContext) -> None:
        return None

    with pytest.raises(wb.DagsterInvalidDefinitionError) as caught:
        _ = watches_nothing.job
    assert str(caught.value) == (
        "sensor 'watches_nothing' targets no job; pass job=, jobs= or target= to it"
    )
    with pytest.raises(wb.DagsterInvalidDefinitionError) as caught:
        _ = watches_two.job
    assert str(caught.value) == (
        "sensor 'watches_two' targets 2 jobs ('first_job', 'second_job'); read them from .jobs"
    )


def test_schedule_with_only_a_job_name_says_where_its_job_is() -> None:
    nightly = wb.ScheduleDefinition(name="nightly", job_name="first_job", cron_schedule="@daily")
    with pytest.raises(wb.DagsterInvalidDefinitionError) as caught:
        _ = nightly.job
    assert str(caught.value) == (
        "schedule 'nightly' names its job 'first_job' but holds none; pass job= or target= to "
        "hold it, or read it with Definitions.resolve_job_def('first_job')"
    )
