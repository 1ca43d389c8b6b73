"""Reading notebooks, choosing what to keep, and the errors export gives."""

from __future__ import annotations

import json
import warnings
from typing import TYPE_CHECKING

import nbformat
import pytest

from workbench.errors import ExportError
from workbench.export import export_notebook, export_source

if TYPE_CHECKING:
    from pathlib import Path

HEAD = "import workbench as wb"
ASSET = "@wb.asset\ndef a() -> int:\n    return 1"


def test_syntax_error_names_cell_by_execution_count(write_notebook):
    path = write_notebook(HEAD, "x = 1", "def broken(:\n    pass")
    with pytest.raises(ExportError) as caught:
        export_notebook(path)
    message = str(caught.value)
    assert "syntax error in cell [3] (by execution count), line 1" in message
    assert "invalid syntax" in message
    assert (caught.value.cell, caught.value.line, caught.value.path) == (3, 1, str(path))


def test_syntax_error_names_cell_by_position_when_never_run(write_notebook):
    path = write_notebook(("md", "# title"), HEAD, "y = 2\n\nif True\n    pass", counts=False)
    with pytest.raises(ExportError, match=r"code cell 2 \(counting code cells from the top"):
        export_notebook(path)


def test_name_used_but_defined_nowhere(write_notebook):
    path = write_notebook(HEAD, "@wb.asset\ndef a() -> int:\n    return MISSING + 1")
    with pytest.raises(ExportError, match=r"name 'MISSING' is used in cell \[2\]") as caught:
        export_notebook(path)
    assert caught.value.cell == 2


def test_name_set_only_by_dropped_code_says_so(write_notebook):
    path = write_notebook(
        HEAD,
        "rows = wb.materialize([])",
        ("LIMIT = 3", ["wb-skip"]),
        "@wb.asset\ndef a() -> int:\n    return len(rows) + LIMIT",
    )
    with pytest.raises(ExportError) as caught:
        export_notebook(path)
    message = str(caught.value)
    assert "'rows'" in message
    assert "top-level call" in message
    assert "'LIMIT'" in message
    assert "wb-skip" in message


@pytest.mark.parametrize(
    "content",
    [b"{not json", b"\x00\x01\xfe\xff binary", b"[]"],
)
def test_unreadable_files_are_export_errors(tmp_path: Path, content: bytes):
    path = tmp_path / "bad.ipynb"
    path.write_bytes(content)
    with pytest.raises(ExportError) as caught:
        export_notebook(path)
    assert caught.value.path == str(path)
    assert str(path) in str(caught.value)


def test_wrong_nbformat_version_is_an_export_error(tmp_path: Path):
    path = tmp_path / "v5.ipynb"
    path.write_text(json.dumps({"nbformat": 5, "nbformat_minor": 0, "cells": [], "metadata": {}}))
    with pytest.raises(ExportError, match="not a valid Jupyter notebook"):
        export_notebook(path)


def test_missing_file_is_an_export_error(tmp_path: Path):
    with pytest.raises(ExportError, match="cannot read notebook"):
        export_notebook(tmp_path / "nope.ipynb")


def test_cells_are_never_run(write_notebook, tmp_path: Path):
    marker = tmp_path / "ran.txt"
    path = write_notebook(
        HEAD,
        f"open({str(marker)!r}, 'w').write('ran')",
        f"with open({str(marker)!r}, 'w') as f:\n    f.write('ran')",
        f"!touch {marker}",
        ASSET,
    )
    source = export_notebook(path, tmp_path / "out.py")
    assert not marker.exists()
    assert "ran" not in source


def test_failed_export_writes_nothing_and_keeps_old_file(write_notebook, tmp_path: Path):
    out = tmp_path / "out.py"
    out.write_text("old")
    path = write_notebook(HEAD, "def broken(:")
    with pytest.raises(ExportError):
        export_notebook(path, out)
    assert out.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nb.ipynb", "out.py"]


def test_export_source_takes_node_or_json(make_notebook):
    nb = make_notebook(HEAD, ASSET)
    from_node = export_source(nb, name="mem.ipynb")
    from_text = export_source(json.dumps(nb), name="mem.ipynb")
    assert from_node == from_text
    assert "def a() -> int:" in from_node
    assert "mem.ipynb" in from_node


def test_unused_imports_pruned_and_partial_imports_rewritten(make_notebook):
    nb = make_notebook(
        "import workbench as wb\nimport os, sys\nfrom math import pi, tau",
        "@wb.asset\ndef a() -> float:\n    return pi + len(sys.argv)",
    )
    source = export_source(nb, name="n.ipynb")
    assert "import sys\n" in source
    assert "from math import pi\n" in source
    assert "os" not in source.split('"""')[2]
    assert "tau" not in source


def test_everything_goes_into_one_definitions(make_notebook):
    nb = make_notebook(
        HEAD,
        ASSET,
        "@wb.asset\ndef b() -> int:\n    return 2",
        "first = wb.Definitions(assets=[a])",
        "second = wb.Definitions(assets=[b], resources={'k': 1})",
    )
    source = export_source(nb, name="n.ipynb")
    assert source.count("Definitions(") == 1
    assert source.count("@wb.definitions") == 1
    assert "'k': 1" in source
    assert "first" not in source


def test_conflicting_resource_keys_name_both_cells(make_notebook):
    nb = make_notebook(
        HEAD,
        "one = wb.Definitions(resources={'k': 1})",
        "two = wb.Definitions(resources={'k': 2})",
    )
    with pytest.raises(ExportError, match=r"'k' is bound to two.*cell \[2\].*cell \[3\]"):
        export_source(nb, name="n.ipynb")


def test_complex_definitions_function_is_merged(make_notebook):
    nb = make_notebook(
        HEAD,
        ASSET,
        "@wb.definitions\ndef build():\n    extra = 1\n"
        "    return wb.Definitions(resources={'x': extra})",
    )
    source = export_source(nb, name="n.ipynb")
    assert "wb.Definitions.merge(\n        build(),\n" in source
    assert source.count("@wb.definitions") == 1


def test_workbench_only_name_is_an_error_for_dagster(make_notebook):
    nb = make_notebook(HEAD, "@wb.asset\ndef a() -> int:\n    wb.show_graph()\n    return 1")
    with pytest.raises(
        ExportError,
        match=r"wb.show_graph exists only in workbench.*cell \[2\] \(by execution count\), line 3",
    ):
        export_source(nb, name="n.ipynb", target="dagster")


def test_secretstr_is_an_error_for_dagster(make_notebook):
    nb = make_notebook(
        HEAD + "\nfrom pydantic import SecretStr",
        "class R(wb.ConfigurableResource):\n    token: SecretStr",
        "d = wb.Definitions(resources={'r': R(token=wb.EnvVar('T'))})",
    )
    with pytest.raises(
        ExportError, match=r"R.token is a SecretStr.*cell \[2\] \(by execution count\), line 2"
    ):
        export_source(nb, name="n.ipynb", target="dagster")


def test_from_workbench_imports_become_dagster_imports(make_notebook):
    nb = make_notebook(
        "from workbench import asset, Definitions", "@asset\ndef a() -> int:\n    return 1"
    )
    source = export_source(nb, name="n.ipynb", target="dagster")
    assert "from dagster import asset\n" in source
    assert "import dagster as dg\n" in source
    assert "workbench" not in source.split('"""', 2)[2]


SECRET_NB = (
    HEAD + "\nfrom pydantic import SecretStr",
    "class R(wb.ConfigurableResource):\n    user: str = 'u'\n    token: SecretStr = SecretStr('')",
    "d = wb.Definitions(resources={'r': R(user='x')})",
)


def test_edits_refuse_secret_literals(make_notebook):
    nb = make_notebook(*SECRET_NB)
    with pytest.raises(ExportError, match=r"field 'token' is a secret.*set R_TOKEN"):
        export_source(nb, name="n.ipynb", edits={"r": {"token": "hunter2"}})
    with pytest.raises(ExportError, match="R_USER"):
        export_source(nb, name="n.ipynb", edits={"r": {"user": {"secret": "hunter2"}}})


def test_edits_bake_env_vars_and_values(make_notebook):
    nb = make_notebook(*SECRET_NB)
    source = export_source(
        nb, name="n.ipynb", edits={"r": {"user": "y", "token": {"env": "R_TOKEN"}}}
    )
    assert 'R(user="y", token=wb.EnvVar("R_TOKEN"))' in source


def test_edits_for_unknown_key_list_the_keys(make_notebook):
    nb = make_notebook(*SECRET_NB)
    with pytest.raises(ExportError, match=r"resource 'nope'.*keys: 'r'"):
        export_source(nb, name="n.ipynb", edits={"nope": {"user": "y"}})


def test_literal_secret_in_source_is_refused(make_notebook):
    nb = make_notebook(
        SECRET_NB[0], SECRET_NB[1], "d = wb.Definitions(resources={'r': R(token='s3')})"
    )
    with pytest.raises(ExportError, match=r"secret field 'token' of R is a literal.*R_TOKEN"):
        export_source(nb, name="n.ipynb")


def test_empty_and_markdown_only_notebooks_export(make_notebook):
    source = export_source(make_notebook(("md", "# nothing"), ""), name="n.ipynb")
    assert "return wb.Definitions()" in source


def _without_ids(nb, *, duplicate: bool = False) -> str:
    raw = json.loads(nbformat.writes(nb))
    raw["nbformat_minor"] = 5
    for cell in raw["cells"]:
        if duplicate:
            cell["id"] = "same"
        else:
            del cell["id"]
    return json.dumps(raw)


@pytest.mark.parametrize("duplicate", [False, True], ids=["missing", "duplicated"])
def test_cells_without_unique_ids_export_without_warnings(tmp_path, make_notebook, duplicate):
    nb = make_notebook(HEAD, ASSET, "d = wb.Definitions(assets=[a])")
    path = tmp_path / "old.ipynb"
    path.write_text(_without_ids(nb, duplicate=duplicate), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        exported = export_notebook(path, tmp_path / "old.py")
    assert exported == export_source(nb, name="old.ipynb")
    assert (tmp_path / "old.py").read_text(encoding="utf-8") == exported


def test_a_notebook_read_without_ids_is_given_valid_ones(make_notebook):
    from workbench.export.notebook import reads_notebook

    nb = make_notebook(HEAD, ("md", "# text"), ASSET)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read = reads_notebook(_without_ids(nb), "old.ipynb")
    ids = [cell.id for cell in read.cells]
    assert len(set(ids)) == 3
    assert all(isinstance(i, str) and i for i in ids)
    nbformat.validate(read)


def test_an_assignment_using_its_own_name_before_any_definition_is_refused(make_notebook):
    nb = make_notebook(HEAD, "CONST = CONST + 0", "@wb.asset\ndef a() -> int:\n    return CONST")
    with pytest.raises(ExportError, match=r"name 'CONST' is used in cell \[2\].*defined nowhere"):
        export_source(nb, name="n.ipynb")


def test_an_assignment_using_its_own_earlier_value_keeps_both(make_notebook):
    nb = make_notebook(
        HEAD, "CONST = 1", "CONST = CONST + 1", "@wb.asset\ndef a() -> int:\n    return CONST"
    )
    source = export_source(nb, name="n.ipynb")
    assert "CONST = 1\n\n\nCONST = CONST + 1\n" in source


def test_merged_definitions_binding_one_key_twice_name_both_places(make_notebook):
    nb = make_notebook(
        HEAD,
        "class R(wb.ConfigurableResource):\n    x: int = 1",
        "base = wb.Definitions(resources={'r': R(x=1)})",
        "defs = wb.Definitions.merge(\n    base,\n    wb.Definitions(resources={'r': R(x=2)}),\n)",
    )
    with pytest.raises(ExportError) as caught:
        export_source(nb, name="n.ipynb")
    assert str(caught.value) == (
        "resource key 'r' is bound to two different resources: R(x=1) (cell [3] (by execution "
        "count), line 1) and R(x=2) (cell [4] (by execution count), line 3) in 'n.ipynb'; "
        "bind the key once"
    )


def test_a_date_field_of_a_config_class_is_refused_for_dagster_only(make_notebook):
    nb = make_notebook(
        "import datetime\n\n" + HEAD,
        "class Window(wb.Config):\n    start: datetime.date = datetime.date(2024, 1, 1)",
        "class Source(wb.ConfigurableResource):\n    window: Window = Window()\n"
        "    refreshed: datetime.datetime | None = None",
        "class Plain:\n    day: datetime.date",
        "@wb.asset\ndef a(source: Source) -> str:\n    return str(Plain)",
    )
    assert "class Window(wb.Config)" in export_source(nb, name="n.ipynb")
    with pytest.raises(ExportError) as caught:
        export_source(nb, name="n.ipynb", target="dagster")
    message = str(caught.value)
    assert (
        "field Window.start is typed datetime.date, which Dagster's config does not accept; "
        "for Dagster make it a str holding the ISO text"
    ) in message
    assert "field Source.refreshed is typed datetime.datetime | None" in message
    assert "Plain.day" not in message
