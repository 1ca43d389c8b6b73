from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import pytest

import workbench as wb
from workbench.app.namespace import (
    apply_saved_edits,
    current_notebook,
    gather_definitions,
    load_definitions,
    resource_from_edit,
)
from workbench.core.session import current_session

if TYPE_CHECKING:
    from pathlib import Path


class Conn(wb.ConfigurableResource):
    username: str
    port: int = 1


@wb.asset
def first(conn: Conn) -> str:
    return conn.username


@wb.asset
def second(first: str) -> str:
    return first * 2


def test_gathers_definitions_functions_and_loose_objects():
    job = wb.define_asset_job("everything")

    @wb.definitions
    def resources() -> wb.Definitions:
        return wb.Definitions(resources={"conn": Conn(username="u")})

    defs = gather_definitions(
        {"resources": resources, "first": first, "second": second, "job": job, "x": 1}
    )
    assert sorted(k.to_user_string() for k in defs.asset_graph.assets) == ["first", "second"]
    assert [j.name for j in defs.jobs] == ["everything"]
    assert list(defs.resources) == ["conn"]
    defs.validate()


def test_loose_asset_replaces_the_one_inside_a_definitions():
    old = wb.Definitions(assets=[first, second], resources={"conn": Conn(username="u")})

    @wb.asset(name="second")
    def newer(first: str) -> str:
        return "new"

    defs = gather_definitions({"defs": old, "second": newer})
    assert defs.get_assets_def("second") is newer
    assert len(defs.assets) == 2


def test_same_resource_twice_is_fine_but_different_ones_conflict():
    conn = Conn(username="u")
    one = wb.Definitions(resources={"conn": conn})
    two = wb.Definitions(resources={"conn": conn})
    assert gather_definitions({"one": one, "two": two}).resources["conn"] is conn
    equal = wb.Definitions(resources={"conn": Conn(username="u")})
    assert gather_definitions({"one": one, "equal": equal}).resources["conn"] is conn
    other = wb.Definitions(resources={"conn": Conn(username="v")})
    with pytest.raises(wb.DefinitionError, match="in 'one' and 'other'"):
        gather_definitions({"one": one, "other": other})


def test_definitions_function_that_raises_names_it():
    @wb.definitions
    def broken() -> wb.Definitions:
        raise RuntimeError("boom")

    with pytest.raises(wb.DefinitionError, match="'broken' raised RuntimeError: boom"):
        gather_definitions({"broken": broken})


def test_current_notebook_prefers_explicit_then_vscode_then_jupyter(monkeypatch):
    assert current_notebook({}) == "<default>"
    monkeypatch.setenv("JPY_SESSION_NAME", "/srv/a.ipynb")
    assert current_notebook({}) == "/srv/a.ipynb"
    assert current_notebook({"__session__": "/srv/b.ipynb"}) == "/srv/b.ipynb"
    assert current_notebook({"__vsc_ipynb_file__": "/c.ipynb", "__session__": "x"}) == "/c.ipynb"
    monkeypatch.setenv("WORKBENCH_NOTEBOOK", "/d.ipynb")
    assert current_notebook({"__vsc_ipynb_file__": "/c.ipynb"}) == "/d.ipynb"


def test_resource_from_edit_turns_env_refs_into_env_vars(monkeypatch):
    built = resource_from_edit(
        Conn(username="u"), {"username": {"env": "USER_X"}, "port": {"env": "PORT_X"}}
    )
    monkeypatch.setenv("USER_X", "from-env")
    monkeypatch.setenv("PORT_X", "8080")
    assert built.username == "from-env"
    assert built.port == 8080


def test_saved_edit_that_no_longer_fits_is_reported_not_applied():
    defs = wb.Definitions(resources={"conn": Conn(username="u")})
    problems = apply_saved_edits(defs, {"conn": {"renamed_field": "x"}, "gone": {"a": 1}})
    assert len(problems) == 1
    assert "resource 'conn'" in problems[0]
    assert "%wb resources --reset conn" in problems[0]
    assert current_session().overrides == {}


def test_load_definitions_from_file_module_and_errors(tmp_path: Path, monkeypatch):
    path = tmp_path / "my_pipeline.py"
    path.write_text(
        "import workbench as wb\n@wb.asset\ndef one() -> int:\n    return 1\n"
        "defs = wb.Definitions(assets=[one])\n"
    )
    assert [k.to_user_string() for k in load_definitions(path).asset_graph.assets] == ["one"]
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("my_pipeline", None)
    assert load_definitions("my_pipeline").get_assets_def("one").name == "one"
    with pytest.raises(wb.DefinitionError, match="cannot import module 'no_such_module_x'"):
        load_definitions("no_such_module_x")
    with pytest.raises(wb.DefinitionError, match="no file"):
        load_definitions(tmp_path / "missing.py")
    bad = tmp_path / "bad.py"
    bad.write_text("raise RuntimeError('at import')\n")
    with pytest.raises(wb.DefinitionError, match="raised RuntimeError: at import"):
        load_definitions(bad)


def test_a_file_python_cannot_import_says_what_to_give(tmp_path: Path) -> None:
    notes = tmp_path / "defs.txt"
    notes.write_text("defs = None\n")
    with pytest.raises(wb.DefinitionError) as caught:
        load_definitions(notes)
    assert str(caught.value) == (
        f"cannot load {str(notes)!r} as a Python module; give a .py file, an .ipynb notebook, "
        "a module name, or a folder holding definitions.py"
    )
