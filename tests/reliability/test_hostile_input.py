"""Hostile files and input (#11): typed errors with what, where and how to fix; nothing lost."""

from __future__ import annotations

import io
import json
import os
import stat
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import nbformat
import pydantic
import pytest
from nbformat.v4 import new_code_cell, new_notebook

import workbench as wb
from workbench.app.api import edit_store, export_notebook
from workbench.app.namespace import current_notebook
from workbench.cli import main

RESOURCE = """
import workbench as wb


class Conn(wb.ConfigurableResource):
    host: str = "code-host"


defs = wb.Definitions(resources={"conn": Conn()})
"""


def cli(*args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue() + err.getvalue()


def write_notebook(path: Path, source: str = RESOURCE) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(new_notebook(cells=[new_code_cell(source)]), str(path))
    return path


def test_edits_of_one_notebook_never_reach_another_of_the_same_name(tmp_path, monkeypatch):
    first = write_notebook(tmp_path / "a" / "report.ipynb")
    second = write_notebook(tmp_path / "b" / "report.ipynb")
    monkeypatch.chdir(first.parent)  # a kernel runs in its notebook's folder
    monkeypatch.setenv("JPY_SESSION_NAME", "report.ipynb")
    edit_store().save(current_notebook(), "conn", {"host": "edited-in-a"})
    monkeypatch.chdir(tmp_path)
    assert "edited-in-a" in export_notebook(first)
    assert "edited-in-a" not in export_notebook(second)
    assert "code-host" in export_notebook(second)


PIPELINE = """
import workbench as wb


class Conn(wb.ConfigurableResource):
    v: int = 0


@wb.asset
def table(conn: Conn) -> int:
    return conn.v


defs = wb.Definitions(assets=[table], resources={"conn": Conn()})
"""


def alias_bomb() -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    return "\n".join(lines) + "\nresources: {conn: {config: {v: *a8}}}\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (alias_bomb(), "has aliases that expand to more than 100,000 values"),
        ("resources: &r {conn: {config: {v: *r}}}", "has an alias inside the value it names"),
        (
            "resources: {conn: {config: {v: " + "9" * 5000 + "}}}",
            "holds a value that cannot be read (Exceeds the limit (4300 digits)",
        ),
        ("resources: {conn: {config: {v: 2026-13-45}}}", "quote it to give it as text"),
    ],
)
def test_hostile_run_config_files_are_refused_quickly(tmp_path, text, message):
    module = tmp_path / "pipeline.py"
    module.write_text(PIPELINE)
    config = tmp_path / "run.yaml"
    config.write_text(text)
    code, printed = cli("materialize", str(module), "--config", str(config))
    assert code == 1
    assert printed.startswith(f"run config {str(config)!r}")
    assert message in printed
    assert "Traceback" not in printed
    assert len(printed) < 1000


def special_paths(tmp_path: Path) -> list[Path]:
    """A symlink to a file, a FIFO, a folder and, where it exists, /dev/full."""
    tmp_path.mkdir()
    target = tmp_path / "target.txt"
    target.write_text("keep me")
    link = tmp_path / "link.py"
    link.symlink_to(target)
    fifo = tmp_path / "pipe.py"
    os.mkfifo(fifo)
    found = [link, fifo, tmp_path / "folder"]
    found[-1].mkdir()
    if os.path.exists("/dev/full"):
        found.append(Path("/dev/full"))
    return found


@pytest.mark.parametrize("verb", ["export", "notebook"])
def test_output_paths_that_are_not_regular_files_are_refused(tmp_path, verb):
    notebook = write_notebook(tmp_path / "analysis.ipynb")
    module = tmp_path / "analysis_defs.py"
    module.write_text(RESOURCE)
    source = notebook if verb == "export" else module
    for out in special_paths(tmp_path / "special"):
        kind = os.lstat(out).st_mode
        code, printed = cli(
            verb, str(source), "-o", str(out), *(["--force"] * (verb == "notebook"))
        )
        assert code == 1, out
        assert f"cannot write {str(out)!r}: it is not a regular file" in printed
        assert "wrote" not in printed
        assert os.lstat(out).st_mode == kind
    assert (tmp_path / "special" / "target.txt").read_text() == "keep me"


def test_export_keeps_the_mode_of_the_file_it_replaces(tmp_path):
    notebook = write_notebook(tmp_path / "analysis.ipynb")
    out = tmp_path / "analysis_defs.py"
    out.write_text("old")
    out.chmod(0o664)
    assert cli("export", str(notebook), "-o", str(out))[0] == 0
    assert "code-host" in out.read_text()
    assert stat.S_IMODE(out.stat().st_mode) == 0o664


def test_notebook_refuses_to_replace_a_notebook_without_force(tmp_path):
    module = tmp_path / "analysis_defs.py"
    module.write_text(RESOURCE)
    mine = write_notebook(tmp_path / "analysis.ipynb", "# my own work\n")
    before = mine.read_bytes()
    code, printed = cli("notebook", str(module), "-o", str(mine))
    assert code == 2
    assert "exists and would be replaced; pass --force" in printed
    assert mine.read_bytes() == before
    assert cli("notebook", str(module), "-o", str(mine), "--force")[0] == 0
    assert "code-host" in mine.read_text()


@pytest.mark.parametrize(
    ("cron", "message"),
    [
        ("0 0 30 2 *", "never fires"),
        ("0 0 31 4 *", "never fires"),
        ("* * * * * *", "use five fields"),
        ("0 * * * * * 2026", "use five fields"),
    ],
)
def test_a_cron_that_never_fires_or_has_six_fields_is_refused(cron, message):
    @wb.op
    def work() -> None:
        pass

    @wb.job
    def chores() -> None:
        work()

    with pytest.raises(wb.DefinitionError, match=message) as refused:
        wb.ScheduleDefinition(name="nightly", cron_schedule=cron, job=chores)
    assert "schedule 'nightly'" in str(refused.value)


def test_a_schedule_evaluated_at_the_end_of_time_has_no_next_tick(tmp_path):
    module = tmp_path / "hourly_defs.py"
    module.write_text(
        "import workbench as wb\n\n@wb.asset\ndef a() -> int:\n    return 1\n\n"
        "@wb.schedule(cron_schedule='0 * * * *', target=[a])\ndef hourly():\n    return {}\n\n"
        "defs = wb.Definitions(assets=[a], schedules=[hourly])\n"
    )
    code, printed = cli("schedule", str(module), "hourly", "--at", "9999-12-31T23:30:00")
    assert code == 0
    assert printed.endswith("next ticks:\n  none before the year 10000\n")


def test_scaffold_under_a_file_or_into_a_read_only_folder_is_a_clear_error(tmp_path, run_python):
    (tmp_path / "a_file").write_text("")
    code, printed = cli(
        "scaffold", "defs", "workbench.resources", str(tmp_path / "a_file" / "r.py")
    )
    assert code == 1
    assert f"{str(tmp_path / 'a_file')!r} is a file, not a folder" in printed
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    done = run_python(
        "import sys\nfrom workbench.cli import main\nsys.exit(main(sys.argv[1:]))",
        "scaffold",
        "defs",
        "workbench.resources",
        str(locked / "r.py"),
        unprivileged=True,
    )
    assert done.returncode == 1, done.stderr
    assert "Permission denied; choose a folder you can write to" in done.stderr
    assert "Traceback" not in done.stderr


def test_unsavable_form_edits_are_refused_by_field(home):
    for config, message in [
        ({"host": "a\udcff"}, "host: holds text that is not valid Unicode"),
        ({"limit": 10**5000}, "limit: is a number too long to save"),
    ]:
        with pytest.raises(wb.ConfigError, match=message):
            edit_store().save("report.ipynb", "conn", config)
    assert not (home / "edits.json").exists()


def test_a_lone_surrogate_in_saved_edits_is_an_export_error(home, tmp_path):
    from workbench.errors import ExportError

    notebook = write_notebook(tmp_path / "odd.ipynb")
    # as an earlier workbench could save it: JSON escapes the lone surrogate
    edits = {"version": 1, "notebooks": {str(notebook): {"conn": {"host": "a\udcff"}}}}
    (home / "edits.json").write_text(json.dumps(edits))
    out = tmp_path / "odd_defs.py"
    with pytest.raises(ExportError, match="a saved form edit holds text that is not valid Unicode"):
        export_notebook(notebook, out)
    assert not out.exists()


class TextConn(wb.ConfigurableResource):
    name: str = ""


@wb.asset
def text_table(conn: TextConn) -> int:
    return 1


def test_a_huge_int_given_for_a_text_field_is_a_config_error():
    huge = 10**5000
    # building it raises pydantic's ValidationError, as Dagster does (#12); it still prints
    with pytest.raises(pydantic.ValidationError, match="Input should be a valid string"):
        TextConn(name=huge)
    launch = {"resources": {"conn": {"config": {"name": huge}}}}
    with pytest.raises(wb.ConfigError, match=r"resources\.conn\.config\.name: .* 5000 digits>"):
        wb.materialize([text_table], launch, resources={"conn": TextConn()})
