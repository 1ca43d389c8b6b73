"""Gathering Dagster definitions: a namespace, a module or file, %wb load, the mix error."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import TYPE_CHECKING, Any

import dagster as dg
import pytest

import workbench as wb
from workbench.app.api import active_definitions, load_definitions
from workbench.app.engines import engine_for, gather, library_of
from workbench.errors import DefinitionError

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.dagster


def _keys(defs) -> set[str]:
    return {key.to_user_string() for key in defs.resolve_all_asset_keys()}


def test_a_dagster_file_loads_as_dagster_definitions(dagster_file: Path):
    defs: Any = load_definitions(dagster_file)

    assert isinstance(defs, dg.Definitions)
    assert engine_for(defs).name == "dagster"
    assert _keys(defs) == {"raw", "report"}
    assert sorted(defs.resources or {}) == ["my_conn"]
    assert [job.name for job in defs.jobs or ()] == ["ping_job"]
    assert [sensor.name for sensor in defs.sensors or ()] == ["every_time"]
    assert [schedule.name for schedule in defs.schedules or ()] == ["mornings"]


def test_a_project_folder_loads_its_definitions_module(dagster_file: Path, tmp_path: Path):
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "definitions.py").write_text(dagster_file.read_text())

    assert _keys(load_definitions(folder)) == {"raw", "report"}


def test_loose_dagster_objects_join_and_win_over_a_definitions():
    @dg.asset
    def first() -> int:
        return 1

    @dg.asset(name="first")
    def newer_first() -> int:
        return 2

    @dg.asset
    def second(first: int) -> int:
        return first + 1

    namespace = {
        "defs": dg.Definitions(assets=[first]),
        "newer_first": newer_first,
        "second": second,
    }
    defs = gather(namespace)

    assert _keys(defs) == {"first", "second"}
    assert defs.get_assets_def("first") is newer_first


def test_one_resource_key_bound_twice_names_both_places():
    class Conn(dg.ConfigurableResource):  # type: ignore[type-arg]
        username: str

    namespace = {
        "one": dg.Definitions(resources={"conn": Conn(username="ada")}),
        "two": dg.Definitions(resources={"conn": Conn(username="grace")}),
    }
    with pytest.raises(DefinitionError, match="'conn' is bound to different resources in 'one'"):
        gather(namespace)


def test_a_definitions_function_that_raises_is_named():
    @dg.definitions
    def broken():
        raise RuntimeError("no warehouse")

    with pytest.raises(DefinitionError, match="'broken' raised RuntimeError: no warehouse"):
        gather({"broken": broken})


def test_mixing_workbench_and_dagster_names_which_objects_are_which():
    @wb.asset
    def native() -> int:
        return 1

    @dg.asset
    def foreign() -> int:
        return 1

    with pytest.raises(DefinitionError) as caught:
        active_definitions({"native": native, "foreign": foreign})

    message = str(caught.value)
    assert "workbench objects: native (Asset)" in message
    assert "Dagster objects: foreign (AssetsDefinition)" in message
    assert "import dagster as dg" in message


def test_library_of_tells_each_object_apart():
    @dg.asset
    def foreign() -> int:
        return 1

    assert library_of(foreign) == "dagster"
    assert library_of(wb.Definitions()) == "workbench"
    assert library_of(dg.Definitions()) == "dagster"
    assert library_of("plain text") is None


def test_wb_load_makes_a_module_the_active_definitions(dagster_file: Path, dg_shell):
    dg_shell.user_ns.clear()
    dg_shell.run_line_magic("load_ext", "workbench")

    loaded = dg_shell.run_line_magic("wb", f"load {dagster_file}")
    result = dg_shell.run_line_magic("wb", "materialize raw")

    assert isinstance(loaded, dg.Definitions)
    assert result.success
    assert result.output_for_node("raw") == "ada@localhost:5432"


def test_the_cli_materializes_a_dagster_module(dagster_file: Path):
    from workbench.cli import main

    assert main(["materialize", str(dagster_file), "raw"]) == 0


def test_the_cli_exits_1_when_a_dagster_run_fails(tmp_path: Path):
    path = tmp_path / "failing.py"
    path.write_text(
        textwrap.dedent(
            """
            import dagster as dg

            @dg.asset
            def broken() -> int:
                raise ValueError("no data today")
            """
        )
    )
    from workbench.cli import main

    assert main(["materialize", str(path)]) == 1


def test_import_workbench_and_its_engines_does_not_import_dagster():
    code = "import sys, workbench, workbench.app.engines; print('dagster' in sys.modules)"
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert completed.stdout.strip() == "False"


def test_load_forget_drops_what_was_loaded(dagster_file: Path, dg_shell, capsys):
    dg_shell.user_ns.clear()
    dg_shell.run_line_magic("load_ext", "workbench")
    dg_shell.run_line_magic("wb", f"load {dagster_file}")

    dropped = dg_shell.run_line_magic("wb", "load --forget")

    assert dropped == [str(dagster_file)]
    # %wb raises what cannot run, so the cell stops (#14)
    with pytest.raises(DefinitionError, match="not defined: 'raw'"):
        dg_shell.run_line_magic("wb", "materialize raw")
