from __future__ import annotations

import json
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from workbench.cli import main

if TYPE_CHECKING:
    from pathlib import Path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_check_reports_success(capsys, defs_file):
    code, out, _ = run(capsys, "check", str(defs_file))
    assert code == 0
    assert out.strip() == "All definitions loaded successfully."


def test_check_lists_every_problem_and_exits_1(capsys, tmp_path):
    broken = tmp_path / "broken.py"
    broken.write_text(
        "import workbench as wb\n"
        "class Conn(wb.ConfigurableResource):\n    username: str\n"
        "@wb.asset\ndef a(conn: Conn, missing_upstream): return 1\n"
        "defs = wb.Definitions(assets=[a], resources={'con': Conn(username='x')})\n"
    )
    code, out, err = run(capsys, "check", str(broken))
    assert code == 1
    assert out == ""
    assert "2 problems" in err
    assert "resource 'conn' required by asset 'a' is not bound" in err
    assert "did you mean 'con'?" in err
    assert "depends on 'missing_upstream', which is not defined" in err


def test_list_as_json_shows_who_uses_each_resource(capsys, defs_file):
    code, out, _ = run(capsys, "list", str(defs_file), "--json")
    assert code == 0
    listing = json.loads(out)
    assert [item["key"] for item in listing["assets"]] == ["raw", "report"]
    assert listing["assets"][1]["deps"] == ["raw"]
    (conn,) = listing["resources"]
    assert conn["key"] == "conn"
    assert conn["type"].endswith(".Conn")
    assert "asset 'raw'" in conn["used_by"]
    assert "op 'ping' of job 'ping_job'" in conn["used_by"]
    assert "sensor 'every_time'" in conn["used_by"]
    assert [s["name"] for s in listing["sensors"]] == ["every_time"]
    assert listing["schedules"][0]["cron"] == "0 6 * * *"


def test_materialize_with_config_file_and_selection(capsys, defs_file, tmp_path):
    config = tmp_path / "run.yaml"
    config.write_text("resources:\n  conn:\n    config:\n      username: grace\n")
    code, out, _ = run(
        capsys, "materialize", str(defs_file), "--select", "raw", "--config", str(config)
    )
    assert code == 0
    assert "SUCCESS (1 steps)" in out
    assert "raw:" in out
    assert "report" not in out


def test_materialize_failure_exits_1(capsys, tmp_path):
    path = tmp_path / "failing.py"
    path.write_text(
        "import workbench as wb\n@wb.asset\ndef boom():\n    raise ValueError('nope')\n"
    )
    code, out, _ = run(capsys, "materialize", str(path))
    assert code == 1
    assert "FAILURE" in out
    assert "ValueError: nope" in out


def test_bad_run_config_yaml_names_file_and_line(capsys, defs_file, tmp_path):
    config = tmp_path / "bad.yaml"
    config.write_text("resources:\n  conn: [unclosed\n")
    code, _, err = run(capsys, "materialize", str(defs_file), "-c", str(config))
    assert code == 1
    assert "bad.yaml" in err
    assert "line" in err
    assert "not valid YAML" in err


def test_invalid_launch_config_runs_nothing(capsys, defs_file, tmp_path):
    config = tmp_path / "run.yaml"
    config.write_text("resources:\n  conn:\n    config:\n      port: abc\n")
    code, _, err = run(capsys, "launch", str(defs_file), "--job", "ping_job", "-c", str(config))
    assert code == 1
    assert "nothing was run" in err
    assert "resources.conn.config.port" in err
    assert "'abc'" in err


def test_launch_unknown_job_suggests(capsys, defs_file):
    code, _, err = run(capsys, "launch", str(defs_file), "--job", "ping_jb")
    assert code == 1
    assert "no job named 'ping_jb'; did you mean 'ping_job'?" in err


def test_unknown_verb_is_usage_error_with_suggestion(capsys):
    code, _, err = run(capsys, "materialise")
    assert code == 2
    assert "Did you mean 'materialize'?" in err


def test_sensor_and_schedule_verbs(capsys, defs_file):
    code, out, _ = run(capsys, "sensor", str(defs_file), "every_time", "--launch")
    assert code == 0
    assert "1 run request(s)" in out
    assert "launched" in out
    code, out, _ = run(
        capsys,
        "schedule",
        str(defs_file),
        "mornings",
        "--at",
        "2026-01-01T00:00:00+00:00",
        "--next",
        "2",
    )
    assert code == 0
    assert "2026-01-01T06:00:00+00:00" in out
    assert "2026-01-02T06:00:00+00:00" in out


def test_schedule_rejects_bad_time(capsys, defs_file):
    code, _, err = run(capsys, "schedule", str(defs_file), "mornings", "--at", "tomorrow")
    assert code == 2
    assert "not an ISO 8601 time" in err


def test_runs_lists_history_newest_first(capsys, defs_file):
    assert run(capsys, "materialize", str(defs_file))[0] == 0
    assert run(capsys, "launch", str(defs_file), "--job", "ping_job")[0] == 0
    code, out, _ = run(capsys, "runs")
    assert code == 0
    lines = out.strip().splitlines()
    assert "ping_job" in lines[1]
    assert "materialize" in lines[2]
    assert lines[0].split() == ["run", "job", "status", "started", "duration", "notebook", "error"]


def test_runs_shows_one_run_by_the_short_id_the_table_prints(capsys, defs_file):
    assert run(capsys, "materialize", str(defs_file))[0] == 0
    _, table, _ = run(capsys, "runs")
    short_id = table.strip().splitlines()[1].split()[0]
    assert len(short_id) == 8
    code, out, _ = run(capsys, "runs", short_id)
    assert code == 0
    first = out.splitlines()[0]
    assert first.startswith(f"run {short_id}")
    assert "of materialize: SUCCESS" in first
    assert "events:" in out
    assert "RUN_SUCCESS" in out


def test_scaffold_defs_refuses_to_overwrite(capsys, tmp_path):
    target = tmp_path / "defs" / "resources.py"
    code, out, _ = run(capsys, "scaffold", "defs", "workbench.resources", str(target))
    assert code == 0
    assert out.strip() == f"Creating defs at {target.resolve()}."
    assert "@wb.definitions\ndef resources() -> wb.Definitions:" in target.read_text()
    code, _, err = run(capsys, "scaffold", "defs", "workbench.resources", str(target))
    assert code == 1
    assert "already exists" in err


def test_scaffolded_resource_loads(capsys, tmp_path):
    code, out, _ = run(capsys, "scaffold", "resource", "warehouse")
    assert code == 0
    assert "class WarehouseResource(wb.ConfigurableResource):" in out
    path = tmp_path / "scaffolded.py"
    path.write_text(out)
    assert run(capsys, "check", str(path))[0] == 0


@pytest.mark.parametrize(
    "verb",
    [
        "check",
        "list",
        "materialize",
        "launch",
        "sensor",
        "schedule",
        "runs",
        "graph",
        "resources",
        "export",
        "notebook",
        "scaffold",
        "demo",
    ],
)
def test_every_verb_has_help(capsys, verb):
    code, out, _ = run(capsys, verb, "--help")
    assert code == 0
    assert out.startswith(f"Usage: workbench {verb}")


def test_process_interface(defs_file: Path):
    done = subprocess.run(
        [sys.executable, "-m", "workbench", "check", str(defs_file)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "All definitions loaded successfully."
    missing = subprocess.run(
        [sys.executable, "-m", "workbench", "check", str(defs_file.with_name("nope.py"))],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert missing.returncode == 1
    assert "no file" in missing.stderr


def _notebook(path: Path, cells: list[str]) -> Path:
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(cells=[new_code_cell(source) for source in cells])
    nbformat.write(nb, path)
    return path


NOTEBOOK_CELLS = [
    "%load_ext workbench",
    "import workbench as wb\n\nclass Conn(wb.ConfigurableResource):\n    username: str",
    "@wb.asset\ndef greeting(conn: Conn) -> str:\n    return 'hi ' + conn.username",
    "defs = wb.Definitions(assets=[greeting], resources={'conn': Conn(username='ada')})",
    "%wb materialize\nprint('exploring')",
]


def test_check_list_and_materialize_a_notebook_through_export(capsys, tmp_path):
    nb = _notebook(tmp_path / "analysis.ipynb", NOTEBOOK_CELLS)
    code, out, _ = run(capsys, "check", str(nb))
    assert (code, out.strip()) == (0, "All definitions loaded successfully.")
    code, out, _ = run(capsys, "list", str(nb), "--json")
    assert json.loads(out)["assets"][0]["key"] == "greeting"
    code, out, _ = run(capsys, "materialize", str(nb))
    assert code == 0
    assert "SUCCESS" in out


def test_export_then_notebook_round_trip(capsys, tmp_path):
    nb = _notebook(tmp_path / "analysis.ipynb", NOTEBOOK_CELLS)
    module = tmp_path / "analysis_defs.py"
    code, out, _ = run(capsys, "export", str(nb), "-o", str(module))
    assert (code, out.strip()) == (0, f"wrote {module}")
    text = module.read_text()
    assert "%wb" not in text
    assert "print('exploring')" not in text
    assert "@wb.definitions" in text
    code, out, _ = run(capsys, "export", str(nb), "--target", "dagster")
    assert code == 0
    assert "import dagster as dg" in out
    back = tmp_path / "back.ipynb"
    code, _, _ = run(capsys, "notebook", str(module), "-o", str(back))
    assert code == 0
    code, out, _ = run(capsys, "list", str(back), "--json")
    listing = json.loads(out)
    assert [a["key"] for a in listing["assets"]] == ["greeting"]
    assert [r["key"] for r in listing["resources"]] == ["conn"]


def test_export_error_names_the_cell(capsys, tmp_path):
    nb = _notebook(tmp_path / "broken.ipynb", ["import workbench as wb", "def oops(:\n    pass"])
    code, _, err = run(capsys, "export", str(nb))
    assert code == 1
    assert "cell 2" in err
    assert "line 1" in err


def test_console_script_finds_a_module_in_the_working_directory(
    capsys, tmp_path, defs_file, monkeypatch
):
    (tmp_path / "analysis_defs.py").write_text(defs_file.read_text())
    monkeypatch.chdir(tmp_path)
    # the console script's sys.path starts with its own folder, not the working directory
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", str(tmp_path))])
    monkeypatch.delitem(sys.modules, "analysis_defs", raising=False)
    code, out, err = run(capsys, "check", "analysis_defs")
    assert (code, err) == (0, "")
    assert out.strip() == "All definitions loaded successfully."


def test_runs_with_a_file_says_it_takes_a_run_id(capsys, defs_file):
    code, out, err = run(capsys, "runs", str(defs_file))
    assert code == 2
    assert out == ""
    assert f"no run {str(defs_file)!r} in the run store; 'runs' takes a run id or nothing" in err
    assert "workbench runs [RUN_ID]" in err


def test_launch_without_a_job_lists_the_jobs(capsys, defs_file, tmp_path):
    code, _, err = run(capsys, "launch", str(defs_file))
    assert code == 2
    assert "give the job to run: --job NAME (jobs: everything, ping_job)" in err
    assets_only = tmp_path / "assets_only.py"
    assets_only.write_text(
        "import workbench as wb\n@wb.asset\ndef a() -> int:\n    return 1\n"
        "defs = wb.Definitions(assets=[a])\n"
    )
    code, _, err = run(capsys, "launch", str(assets_only))
    assert code == 2
    assert "there are no jobs to launch in these definitions" in err
    assert "'materialize'" in err


def test_list_marks_empty_sections_alike(capsys, tmp_path):
    empty = tmp_path / "empty.py"
    empty.write_text("import workbench as wb\ndefs = wb.Definitions()\n")
    code, out, _ = run(capsys, "list", str(empty))
    assert code == 0
    assert out.splitlines() == [
        "Assets",
        "  -",
        "Jobs",
        "  -",
        "Resources",
        "  -",
        "Sensors",
        "  -",
        "Schedules",
        "  -",
    ]


def test_version_names_the_distribution_to_install(capsys):
    import workbench
    from workbench.errors import DISTRIBUTION

    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert DISTRIBUTION == "dagster-workbench"
    assert out.strip() == f"dagster-workbench {workbench.__version__} (import workbench)"


def test_graph_takes_a_selection_like_materialize(capsys, defs_file):
    code, out, _ = run(capsys, "graph", str(defs_file), "--select", "key:report")
    assert code == 0
    assert out.strip() == "report: missing (never materialized)"
    code, out, _ = run(capsys, "graph", str(defs_file))
    assert out.splitlines()[0] == "raw: missing (never materialized)"


def test_graph_after_a_run_with_a_config_file_compares_the_code_config(capsys, defs_file):
    config = defs_file.with_name("run.yaml")
    config.write_text("resources:\n  conn:\n    config:\n      username: grace\n      port: 1\n")
    code, out, _ = run(capsys, "materialize", str(defs_file), "--config", str(config))
    assert (code, "SUCCESS (2 steps)" in out) == (0, True)

    code, out, _ = run(capsys, "graph", str(defs_file))
    assert code == 0
    assert out.splitlines() == ["raw: fresh", "report: fresh <- raw"]

    # a code edit of a resource default is a change of the config the graph compares with
    defs_file.write_text(defs_file.read_text().replace("port: int = 5432", "port: int = 6543"))
    code, out, _ = run(capsys, "graph", str(defs_file))
    assert code == 0
    assert out.splitlines() == [
        "raw: stale (config changed)",
        "report: stale (upstream changed) <- raw",
    ]
