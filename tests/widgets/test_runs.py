from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

import pytest

from workbench.core.asset import asset
from workbench.core.definitions import Definitions
from workbench.core.executor import materialize
from workbench.core.job import job, op
from workbench.core.run import EventType, InMemoryRunStore, RunEvent, RunRecord, RunStatus
from workbench.core.schedule import schedule
from workbench.core.sensor import (
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)
from workbench.core.tick import tick
from workbench.errors import StorageError
from workbench.widgets.runs import (
    NOTEBOOK_TAG,
    RunDetail,
    RunsView,
    runs_table,
    step_spans,
    tick_view,
    timeline_svg,
)

if TYPE_CHECKING:
    from workbench.core.instance import Instance


@asset
def first() -> int:
    return 1


@asset
def second(first: int) -> int:
    return first + 1


@asset
def broken(first: int) -> int:
    raise ValueError("no good")


def record_run(store: InMemoryRunStore, run_id: str, status: RunStatus, start: float) -> None:
    """A finished run with two steps, written by hand so the times are exact."""
    store.add_run(
        RunRecord(run_id=run_id, job_name="__ASSET_JOB", start_time=start, steps=["a", "b"])
    )
    store.add_events(
        [
            RunEvent(run_id, EventType.RUN_START, timestamp=start),
            RunEvent(run_id, EventType.STEP_START, timestamp=start, step_key="a"),
            RunEvent(run_id, EventType.STEP_SUCCESS, timestamp=start + 1, step_key="a"),
            RunEvent(run_id, EventType.STEP_START, timestamp=start + 1, step_key="b"),
            RunEvent(
                run_id,
                EventType.STEP_FAILURE if status is RunStatus.FAILURE else EventType.STEP_SUCCESS,
                timestamp=start + 3,
                step_key="b",
                message="step 'b' ended",
            ),
        ]
    )
    store.finish_run(run_id, status, end_time=start + 3)


def test_runs_table_lists_newest_first_with_status_colours() -> None:
    store = InMemoryRunStore()
    record_run(store, "run-old", RunStatus.SUCCESS, 1000.0)
    record_run(store, "run-new", RunStatus.FAILURE, 2000.0)

    table = runs_table(store).value

    assert table.index("run-new") < table.index("run-old")
    assert "#cf222e" in table
    assert "#1a7f37" in table
    assert "materialize" in table
    assert "3.00 s" in table
    assert runs_table(store, limit=1).value.count("<code") == 1
    assert "no runs yet" in runs_table(InMemoryRunStore()).value


def test_runs_view_refreshes_and_opens_a_run(instance: Instance) -> None:
    view = RunsView(instance.run_store)
    assert "no runs yet" in view.table.value
    result = materialize([first, second], instance=instance)

    view.refresh_button.click()

    assert result.run_id[:8] in view.table.value
    view.run_picker.value = result.run_id
    assert view.detail is not None
    assert view.detail.record.run_id == result.run_id
    assert result.run_id[:8] in view._repr_mimebundle_()["text/plain"]
    view.run_picker.value = ""
    assert view.detail is None


def test_runs_view_shows_errors_instead_of_raising() -> None:
    store = InMemoryRunStore()
    record_run(store, "gone", RunStatus.SUCCESS, 1000.0)
    view = RunsView(store)

    def fail(run_id: str) -> RunRecord:
        raise StorageError(f"no run {run_id!r} in this store")

    store.get_run = fail  # type: ignore[method-assign]
    view.run_picker.value = "gone"
    assert "StorageError" in view.message.value


def test_run_detail_has_event_log_and_step_timeline() -> None:
    store = InMemoryRunStore()
    record_run(store, "r1", RunStatus.FAILURE, 1000.0)

    detail = RunDetail(store, "r1")

    assert [(span.step_key, span.outcome, span.duration) for span in detail.spans] == [
        ("a", "SUCCESS", 1.0),
        ("b", "FAILURE", 2.0),
    ]
    widths = [
        float(w) for w in re.findall(r"<rect x='[\d.]+' y='\d+' width='([\d.]+)'", detail.svg)
    ]
    assert len(widths) == 2
    assert widths[1] == pytest.approx(2 * widths[0], rel=0.01)
    starts = [float(x) for x in re.findall(r"<rect x='([\d.]+)'", detail.svg)]
    assert starts[1] == pytest.approx(starts[0] + widths[0], rel=0.01)  # b starts as a ends
    bundle = detail._repr_mimebundle_()
    assert "STEP_FAILURE [b] step 'b' ended" in bundle["text/plain"]
    assert "<svg" in bundle["text/html"]
    assert "event log (5 events)" in bundle["text/html"]
    assert "b: FAILURE 2.00 s" in detail.text()


def test_run_detail_of_a_real_failed_run(instance: Instance) -> None:
    result = materialize([first, broken], instance=instance, raise_on_error=False)

    detail = RunDetail(instance.run_store, result.run_id)

    assert detail.record.status is RunStatus.FAILURE
    html = detail._repr_mimebundle_()["text/html"]
    assert "ValueError: no good" in html
    assert [span.outcome for span in detail.spans] == ["SUCCESS", "FAILURE"]


def test_step_spans_handle_running_and_skipped_steps() -> None:
    events = [
        RunEvent("r", EventType.STEP_START, timestamp=10.0, step_key="a"),
        RunEvent("r", EventType.STEP_SKIPPED, timestamp=11.0, step_key="c"),
    ]
    spans = step_spans(events)
    assert [(s.step_key, s.outcome, s.duration) for s in spans] == [
        ("a", "STARTED", None),
        ("c", "SKIPPED", None),
    ]
    svg = timeline_svg(spans, now=12.0)
    assert svg.count("<rect") == 2
    assert "started" in svg
    assert "skipped" in svg
    assert "<rect" not in timeline_svg([])


@op
def ping() -> str:
    return "pong"


@job
def nightly() -> None:
    ping()


@schedule("0 6 * * *", job=nightly, execution_timezone="UTC")
def every_morning() -> RunRequest:
    return RunRequest(run_key="morning")


@sensor(job=nightly)
def quiet(context: SensorEvaluationContext) -> SensorResult:
    return SensorResult(skip_reason=SkipReason("nothing new"), cursor=f"{context.cursor}+1")


def test_tick_view_shows_run_requests_and_next_tick_times() -> None:
    defs = Definitions(jobs=[nightly], schedules=[every_morning])
    at = dt.datetime(2024, 5, 1, 6, 0, tzinfo=dt.UTC)
    result = tick(defs, "every_morning", at=at)

    view = tick_view(result, schedule=every_morning, next_n=3)

    assert [time.isoformat() for time in view.next_ticks] == [
        "2024-05-02T06:00:00+00:00",
        "2024-05-03T06:00:00+00:00",
        "2024-05-04T06:00:00+00:00",
    ]
    bundle = view._repr_mimebundle_()
    assert "1 run request(s)" in bundle["text/plain"]
    expected = "run key morning, the default job, tags: dagster/scheduled_execution_time=2024-05-01"
    assert expected in bundle["text/plain"]
    assert "{" not in bundle["text/plain"]  # tags as key=value, not a dict's repr
    assert "{" not in bundle["text/html"]
    assert "2024-05-04T06:00:00+00:00" in bundle["text/html"]
    assert "morning" in view.widget.value


def test_tick_view_shows_skip_reason_and_cursor() -> None:
    defs = Definitions(jobs=[nightly], sensors=[quiet])
    result = tick(defs, "quiet", cursor="c-7")

    view = tick_view(result)

    text = view._repr_mimebundle_()["text/plain"]
    assert "skipped: nothing new" in text
    assert "cursor: c-7+1" in text
    assert view.next_ticks == []


def test_tick_view_lists_launched_runs(instance: Instance) -> None:
    defs = Definitions(jobs=[nightly], schedules=[every_morning])
    result = tick(defs, "every_morning", launch=True, instance=instance)

    view = tick_view(result, next_n=0)

    assert len(result.runs) == 1
    run_id = result.runs[0].run_id
    assert f"launched run {run_id[:8]} of nightly: success" in view.text()
    assert run_id[:8] in view.widget.value


def test_runs_table_is_readable(instance: Instance) -> None:
    ok = materialize([first, second], instance=instance, tags={NOTEBOOK_TAG: "/work/a/b.ipynb"})
    failed = materialize([first, broken], instance=instance, raise_on_error=False)
    view = RunsView(instance.run_store)
    text = view._repr_mimebundle_()["text/plain"].splitlines()
    assert text[0].split() == ["run", "job", "status", "started", "duration", "notebook", "error"]
    newest, oldest = text[1], text[2]
    assert newest.startswith(f"{failed.run_id[:8]}  materialize  FAILURE")
    assert failed.run_id not in newest  # short ids only
    assert newest.rstrip().endswith("ValueError: no good")
    assert "\\n" not in newest
    assert oldest.startswith(f"{ok.run_id[:8]}  materialize  SUCCESS")
    assert "b.ipynb" in oldest
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", oldest)  # local time, to the second
    assert "__ASSET_JOB" not in "\n".join(text)
    html = view.table.value
    assert html.index(failed.run_id[:8]) < html.index(ok.run_id[:8])
    assert "#cf222e" in html  # the failure in its colour
    assert "<td class='wb-run-error'" in html


def test_indexing_a_runs_view_without_its_dataframe_says_what_to_use(instance: Instance) -> None:
    view = RunsView(instance.run_store)
    with pytest.raises(TypeError) as caught:
        view["status"]
    assert str(caught.value) == (
        "this runs view was built without the history's DataFrame; index wb.runs() "
        "(a DataFrame), or build RunsView(store, frame=...)"
    )
