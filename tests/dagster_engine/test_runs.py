"""Every verb on Dagster definitions runs in Dagster, against a persistent DagsterInstance."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

import dagster as dg
import pytest

from workbench.app.engines import DagsterEngine
from workbench.app.engines.dagster import dagster_instance
from workbench.core.run import EventType, RunStatus
from workbench.errors import DefinitionError

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.dagster

GREETING = """
class Greeting(dg.Config):
    word: str = "hello"

@dg.op
def greet(config: Greeting) -> str:
    return config.word

@dg.job
def greet_job():
    greet()
"""

FAILING = """
@dg.asset
def shaky(raw: str) -> int:
    raise ValueError("the warehouse is down")
"""


def test_materialize_returns_dagsters_result_recorded_in_workbench_home(dg_shell, home):
    result = dg_shell.run_line_magic("wb", "materialize")

    assert isinstance(result, dg.ExecuteInProcessResult)
    assert result.success
    assert result.output_for_node("report") == len("ada@localhost:5432")
    stored = dagster_instance().get_run_by_id(result.run_id)
    assert stored is not None
    assert stored.status == dg.DagsterRunStatus.SUCCESS
    assert (home / "dagster" / "dagster.yaml").is_file()


def test_history_survives_a_new_instance_on_the_same_home(dg_shell, home):
    result = dg_shell.run_line_magic("wb", "materialize raw")
    reopened = dg.DagsterInstance.from_config(str(home / "dagster"))

    assert reopened.get_run_by_id(result.run_id) is not None


def test_dagster_home_is_used_when_set(dg_shell, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    result = dg_shell.run_line_magic("wb", "materialize raw")

    assert dg.DagsterInstance.from_config(str(tmp_path)).get_run_by_id(result.run_id)


def test_progress_arrives_per_step_while_the_run_goes(dg_shell):
    from workbench.app.api import active_definitions

    seen: list[tuple[str, str | None]] = []
    defs = active_definitions(dg_shell.user_ns)
    DagsterEngine().materialize(
        defs, on_event=lambda event: seen.append((event.event_type, event.step_key))
    )

    steps = [item for item in seen if item[0] in (EventType.STEP_START, EventType.STEP_SUCCESS)]
    assert steps == [
        (EventType.STEP_START, "raw"),
        (EventType.STEP_SUCCESS, "raw"),
        (EventType.STEP_START, "report"),
        (EventType.STEP_SUCCESS, "report"),
    ]


def test_a_selection_string_picks_assets(dg_shell):
    result = dg_shell.run_line_magic("wb", "materialize --select key:raw+")

    assert sorted(step.step_key for step in result.get_step_success_events()) == [
        "raw",
        "report",
    ]


def test_a_failing_asset_gives_a_failed_result_and_a_failed_graph_node(dg_shell):
    dg_shell.run_cell(FAILING)
    result = dg_shell.run_line_magic("wb", "materialize")
    view = dg_shell.run_line_magic("wb", "graph")

    assert not result.success
    assert view.statuses["shaky"].status == "failed"
    assert view.statuses["shaky"].reason == (
        f"ValueError: the warehouse is down (run {result.run_id[:8]})"
    )
    assert view.statuses["raw"].status == "fresh"
    assert "shaky: failed" in view.text()


def test_graph_shows_missing_then_fresh(dg_shell):
    before = dg_shell.run_line_magic("wb", "graph")
    dg_shell.run_line_magic("wb", "materialize raw")
    after = dg_shell.run_line_magic("wb", "graph")

    assert {key: status.status for key, status in before.statuses.items()} == {
        "raw": "missing",
        "report": "missing",
    }
    assert after.statuses["raw"].status == "fresh"
    assert after.statuses["report"].upstream == ("raw",)


def test_launch_runs_a_job_through_dagster_with_run_config(dg_shell, tmp_path: Path):
    dg_shell.run_cell(GREETING)
    config = tmp_path / "run.yaml"
    config.write_text("ops:\n  greet:\n    config:\n      word: bonjour\n")

    result = dg_shell.run_line_magic("wb", f"launch --job greet_job --config {config}")

    assert isinstance(result, dg.ExecuteInProcessResult)
    assert result.output_for_node("greet") == "bonjour"


def test_the_launchpad_launches_through_dagster_with_edited_resources(dg_shell):
    pad = dg_shell.run_line_magic("wb", "launch ping_job")
    form = pad.resources.forms["my_conn"]
    form.fields["username"].value = "zed"
    form.apply()

    result = pad.launch()

    assert isinstance(result, dg.ExecuteInProcessResult)
    assert result.output_for_node("ping") == "zed"
    assert pad.status.value == f"run {result.run_id}: success; steps done: 1, failed: 0"


def test_the_launchpad_takes_run_config_and_shows_bad_yaml(dg_shell):
    dg_shell.run_cell(GREETING)
    pad = dg_shell.run_line_magic("wb", "launch")
    pad.job_picker.value = "greet_job"
    pad.config.value = "ops: [not, a, mapping"
    pad.launch_button.click()
    shown = pad.status.value

    pad.config.value = "ops:\n  greet:\n    config:\n      word: hola\n"
    result = pad.launch()

    assert "not valid YAML" in shown
    assert result.output_for_node("greet") == "hola"


def test_the_launchpad_materializes_every_asset(dg_shell):
    pad = dg_shell.run_line_magic("wb", "launch")
    pad.job_picker.value = "materialize all assets"

    result = pad.launch()

    assert sorted(step.step_key for step in result.get_step_success_events()) == [
        "raw",
        "report",
    ]


def test_sensor_is_evaluated_with_its_resources_and_launches(dg_shell):
    view = dg_shell.run_line_magic("wb", "sensor every_time --launch")

    assert [request.run_key for request in view.run_requests] == ["ada"]
    assert len(view.runs) == 1
    assert view.runs[0].success
    assert "launched" in view.text()


def test_schedule_is_evaluated_with_dagsters_context(dg_shell):
    view = dg_shell.run_line_magic("wb", "schedule mornings --at 2026-01-31T06:00:00+00:00")

    assert [dict(request.tags)["who"] for request in view.run_requests] == ["scheduler"]
    assert [time.isoformat() for time in view.next_ticks[:2]] == [
        "2026-02-01T06:00:00+00:00",
        "2026-02-02T06:00:00+00:00",
    ]


def test_an_unknown_sensor_suggests_the_right_name(dg_shell):
    defs: Any = DagsterEngine().gather(dg_shell.user_ns)

    with pytest.raises(DefinitionError, match="every_time"):
        DagsterEngine().tick(defs, "every_tme")


def test_runs_are_read_from_dagsters_instance(dg_shell):
    first = dg_shell.run_line_magic("wb", "materialize raw")
    dg_shell.run_line_magic("wb", "launch --job ping_job")
    frame = dg_shell.run_line_magic("wb", "runs")
    detail = dg_shell.run_line_magic("wb", f"runs {first.run_id}")

    assert list(frame["job_name"]) == ["ping_job", "__ephemeral_asset_job__"]
    assert list(frame["status"]) == ["SUCCESS", "SUCCESS"]
    assert list(frame["steps"])[1] == ["raw"]
    assert "raw" in detail.text()


def test_a_failed_run_carries_its_error_in_history(dg_shell):
    dg_shell.run_cell(FAILING)
    result = dg_shell.run_line_magic("wb", "materialize shaky raw")
    store = DagsterEngine().run_store()

    record = store.get_run(result.run_id)
    failed = store.list_runs(status=RunStatus.FAILURE)

    assert record.status is RunStatus.FAILURE
    assert record.error is not None
    assert "the warehouse is down" in record.error
    assert [run.run_id for run in failed] == [result.run_id]


def test_list_describes_dagster_definitions(dagster_file: Path, capsys):
    from workbench.cli import main

    assert main(["list", str(dagster_file)]) == 0
    text = capsys.readouterr().out

    assert "raw  (group default; deps: -)" in text
    assert "report  (group default; deps: raw)" in text
    assert "used by asset raw, job ping_job, sensor every_time" in text
    assert "every_time -> ping_job" in text
    assert "mornings '0 6 * * *' -> ping_job" in text


def test_the_cli_reads_dagsters_history_with_engine_dagster(dagster_file: Path, capsys):
    from workbench.cli import main

    assert main(["materialize", str(dagster_file), "raw"]) == 0
    capsys.readouterr()
    assert main(["runs", "--engine", "dagster"]) == 0
    dagster_history = capsys.readouterr().out
    assert main(["runs"]) == 0
    workbench_history = capsys.readouterr().out

    assert "__ephemeral_asset_job__" in dagster_history
    assert "__ephemeral_asset_job__" not in workbench_history


def test_the_cli_checks_ticks_and_launches_on_a_dagster_module(dagster_file: Path, capsys):
    from workbench.cli import main

    assert main(["check", str(dagster_file)]) == 0
    assert main(["sensor", str(dagster_file), "every_time", "--launch"]) == 0
    assert main(["schedule", str(dagster_file), "mornings", "--at", "2026-01-31T06:00"]) == 0
    assert main(["launch", str(dagster_file), "--job", "ping_job"]) == 0
    text = capsys.readouterr().out

    assert "All definitions loaded successfully." in text
    assert "<Tick every_time: 1 run request(s)" in text
    assert "next ticks:\n  2026-02-01T06:00:00+00:00" in text


def test_check_reports_what_dagster_refuses(tmp_path: Path, capsys):
    from workbench.cli import main

    path = tmp_path / "broken.py"
    path.write_text(
        textwrap.dedent(
            """
            import dagster as dg

            @dg.asset
            def needs(missing_resource: dg.ResourceParam[str]) -> str:
                return missing_resource
            """
        )
    )

    assert main(["check", str(path)]) == 1
    assert "missing_resource" in capsys.readouterr().err


def test_wb_runs_reads_dagsters_instance_while_dagster_runs_the_notebook(dg_shell):
    import workbench as wb
    from workbench.core.instance import default_instance

    dg_shell.run_cell(FAILING)
    good = dg_shell.run_line_magic("wb", "materialize raw")
    bad = dg_shell.run_line_magic("wb", "materialize shaky")

    frame = wb.runs()
    own = wb.runs(store=default_instance().run_store)

    assert list(frame.columns) == list(own.columns)
    assert list(frame["run_id"]) == [bad.run_id, good.run_id]
    assert list(frame["status"]) == ["FAILURE", "SUCCESS"]
    assert list(frame["steps"]) == [["shaky"], ["raw"]]
    assert "the warehouse is down" in frame["error"][0]
    assert frame["error"][1] is None
    assert list(wb.runs(job="__ephemeral_asset_job__", status="failure")["run_id"]) == [bad.run_id]
    assert own.empty  # workbench's own history is another store


def test_a_finished_run_leaves_no_progress_listener_on_the_instance(dg_shell):
    from workbench.app.api import active_definitions

    seen: list[Any] = []
    result = DagsterEngine().materialize(active_definitions(dg_shell.user_ns), on_event=seen.append)
    listeners = dagster_instance()._subscribers  # where Dagster keeps them (no public API)

    assert seen
    assert result.run_id not in listeners


def test_runs_started_from_a_notebook_are_tagged_with_it(
    dg_shell, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    from workbench.widgets.runs import NOTEBOOK_TAG, runs_table

    notebook = tmp_path / "pipeline.ipynb"
    monkeypatch.setenv("WORKBENCH_NOTEBOOK", str(notebook))
    materialized = dg_shell.run_line_magic("wb", "materialize raw")
    launched = dg_shell.run_line_magic("wb", "launch --job ping_job")

    for result in (materialized, launched):
        assert dagster_instance().get_run_by_id(result.run_id).tags[NOTEBOOK_TAG] == str(notebook)
    assert "pipeline.ipynb" in runs_table(DagsterEngine().run_store()).value


def test_the_cli_prints_a_dagster_runs_outcome_as_workbenchs(tmp_path: Path, capsys):
    from workbench.cli import main

    path = tmp_path / "shaky.py"
    path.write_text("import dagster as dg\n" + FAILING.replace("raw: str", ""))

    assert main(["materialize", str(path)]) == 1
    lines = capsys.readouterr().out.splitlines()

    assert lines[0].startswith("Run ")
    assert lines[0].endswith(" FAILURE (0 steps)")
    assert lines[1] == "  FAILED shaky: step 'shaky' failed: ValueError: the warehouse is down"


def test_a_notebook_materialize_ends_with_the_runs_outcome(dg_shell, capsys):
    from IPython.utils.capture import capture_output

    with capture_output() as shown:
        result = dg_shell.run_line_magic("wb", "materialize raw")

    assert (
        f"Run {result.run_id} SUCCESS (1 steps)"
        in "".join(str(output.data.get("text/plain", "")) for output in shown.outputs)
        + shown.stdout
    )
