"""The round trip: module -> notebook -> module gives an equivalent module."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from workbench.errors import ExportError
from workbench.export import export_notebook, notebook_from_module

CASES = Path(__file__).parent / "cases"
NAMES = sorted(p.name for p in CASES.iterdir() if (p / "expected.py").exists())


def _body(source: str) -> str:
    """The module without its header docstring (which names the notebook)."""
    return source.split('"""', 2)[2]


@pytest.mark.parametrize("name", NAMES)
def test_round_trip_keeps_the_definitions(name, tmp_path: Path, load, summary):
    module = CASES / name / "expected.py"
    notebook = notebook_from_module(module, tmp_path / "back.ipynb")
    assert notebook.cells[0].source == "%load_ext workbench"
    nbformat.validate(nbformat.read(tmp_path / "back.ipynb", as_version=4))
    again = tmp_path / "again.py"
    export_notebook(tmp_path / "back.ipynb", again)
    assert summary(load(again)) == summary(load(module))
    # the trip changes nothing at all: same statements, same order, same text (#13)
    assert _body(again.read_text()) == _body(module.read_text())


def test_notebook_layout(tmp_path: Path):
    notebook_from_module(CASES / "jobs_sensors_schedules" / "expected.py", tmp_path / "n.ipynb")
    cells = nbformat.read(tmp_path / "n.ipynb", as_version=4).cells
    headings = [c.source for c in cells if c.cell_type == "markdown"]
    assert headings == ["## Resources", "## Assets", "## Jobs", "## Automation", "## Definitions"]
    assert cells[1].source == "import workbench as wb"
    code = [c.source for c in cells if c.cell_type == "code"]
    assert any(c.startswith("@wb.sensor(") for c in code)
    assert [c.id for c in cells] == [f"wb-{i}" for i in range(len(cells))]


def test_dagster_module_becomes_a_workbench_notebook(tmp_path: Path):
    module = CASES / "basic_resource_asset" / "expected_dagster.py"
    notebook = notebook_from_module(module, tmp_path / "n.ipynb")
    assert notebook.cells[1].source.startswith("import workbench as dg")
    assert _body(export_notebook(tmp_path / "n.ipynb", target="dagster")) == _body(
        module.read_text()
    )


def test_same_module_same_bytes(tmp_path: Path):
    module = CASES / "redefinitions" / "expected.py"
    notebook_from_module(module, tmp_path / "a.ipynb")
    notebook_from_module(module, tmp_path / "b.ipynb")
    assert (tmp_path / "a.ipynb").read_bytes() == (tmp_path / "b.ipynb").read_bytes()


def test_broken_module_is_an_export_error_and_writes_nothing(tmp_path: Path):
    module = tmp_path / "m.py"
    module.write_text("def broken(:\n")
    with pytest.raises(ExportError, match="line 1"):
        notebook_from_module(module, tmp_path / "n.ipynb")
    assert not (tmp_path / "n.ipynb").exists()
