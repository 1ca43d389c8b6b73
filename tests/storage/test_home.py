"""WORKBENCH_HOME: where it is, making it, and clear errors when it cannot be used."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from workbench.core.instance import Instance
from workbench.errors import StorageError
from workbench.storage.home import default_instance, move_aside, workbench_home
from workbench.storage.sqlite import SqliteRunStore
from workbench.storage.values import ValueStoreIOManager

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tests.storage.conftest import RunPython


def test_workbench_home_is_made_on_demand(workbench_env: Path) -> None:
    assert not workbench_env.exists()

    home = workbench_home()

    assert home == workbench_env
    assert home.is_dir()
    assert (home / ".gitignore").read_text() == "*\n"
    assert sorted(path.name for path in home.iterdir()) == [".gitignore"]


def test_the_default_home_is_dot_workbench_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WORKBENCH_HOME")
    monkeypatch.chdir(tmp_path)

    assert workbench_home() == tmp_path / ".workbench"
    assert workbench_home({"WORKBENCH_HOME": ""}) == tmp_path / ".workbench"


def test_an_environment_mapping_can_be_given(tmp_path: Path) -> None:
    assert workbench_home({"WORKBENCH_HOME": str(tmp_path / "given")}) == tmp_path / "given"


def test_a_relative_home_becomes_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)

    home = workbench_home({"WORKBENCH_HOME": "relative/home"})

    assert home == tmp_path / "relative" / "home"
    assert home.is_absolute()


def test_an_existing_home_gets_no_gitignore(tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()

    workbench_home({"WORKBENCH_HOME": str(tmp_path / "mine")})

    assert list((tmp_path / "mine").iterdir()) == []


def test_a_file_in_the_way_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("a file")

    with pytest.raises(StorageError) as raised:
        workbench_home({"WORKBENCH_HOME": str(tmp_path / "taken")})

    assert str(tmp_path / "taken") in str(raised.value)
    assert "a file is in the way" in str(raised.value)
    assert "WORKBENCH_HOME" in str(raised.value)


def test_a_home_that_cannot_be_made_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")

    with pytest.raises(StorageError, match="set WORKBENCH_HOME to a writable folder"):
        workbench_home({"WORKBENCH_HOME": str(tmp_path / "file" / "below")})


def test_a_read_only_home_is_a_clear_error(
    tmp_path: Path, run_python: RunPython, read_only: Callable[[Path], Path]
) -> None:
    home = read_only(tmp_path / "locked")
    code = """
        import os, sys
        os.environ["WORKBENCH_HOME"] = sys.argv[1]
        from workbench.errors import StorageError
        from workbench.storage.home import default_instance, workbench_home
        for make in (workbench_home, default_instance):
            try:
                make()
            except StorageError as exc:
                print("StorageError:", exc)
    """

    result = run_python(code, str(home), unprivileged=True)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    for line in lines:
        assert line.startswith(f"StorageError: workbench home {home} is not writable")
        assert "set WORKBENCH_HOME to a writable folder" in line


def test_default_instance_keeps_runs_and_values_under_the_home(workbench_env: Path) -> None:
    made = default_instance()

    try:
        assert isinstance(made, Instance)
        assert isinstance(made.run_store, SqliteRunStore)
        assert made.run_store.path == workbench_env / "runs.db"
        assert isinstance(made.io_manager, ValueStoreIOManager)
        assert made.io_manager.base_dir == str(workbench_env / "values")
        assert (workbench_env / "runs.db").exists()
    finally:
        made.run_store.close()


def test_move_aside_keeps_the_bytes_under_a_new_name(tmp_path: Path) -> None:
    path = tmp_path / "thing.json"
    path.write_text("bad")

    first = move_aside(path)
    path.write_text("bad again")
    second = move_aside(path)

    assert first.name.startswith("thing.json.corrupt-")
    assert first != second
    assert (first.read_text(), second.read_text()) == ("bad", "bad again")
    assert not path.exists()
