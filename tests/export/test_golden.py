"""Golden cases: each cases/<name>/input.ipynb exports to exactly expected.py (and the Dagster
target to expected_dagster.py); every output imports and holds what the notebook defines.

Rewrite the expected files with WORKBENCH_UPDATE_GOLDEN=1 after checking a change by eye.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from workbench.export import export_notebook

CASES = Path(__file__).parent / "cases"
NAMES = sorted(p.name for p in CASES.iterdir() if (p / "input.ipynb").exists())
TARGETS = [("workbench", "expected.py"), ("dagster", "expected_dagster.py")]


def _edits(case: Path) -> dict[str, dict[str, object]] | None:
    path = case / "edits.json"
    return json.loads(path.read_text()) if path.exists() else None


def _export(case: Path, target: str, out: Path | None = None) -> str:
    return export_notebook(case / "input.ipynb", out, target=target, edits=_edits(case))  # type: ignore[arg-type]


def test_there_are_enough_cases():
    assert len(NAMES) >= 6


@pytest.mark.parametrize(("target", "expected"), TARGETS)
@pytest.mark.parametrize("name", NAMES)
def test_golden(name: str, target: str, expected: str):
    case = CASES / name
    source = _export(case, target)
    path = case / expected
    if os.environ.get("WORKBENCH_UPDATE_GOLDEN") == "1":
        path.write_text(source, encoding="utf-8")
    assert source == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", NAMES)
def test_export_is_deterministic(name: str, tmp_path: Path):
    first = _export(CASES / name, "workbench", tmp_path / "a.py")
    second = _export(CASES / name, "workbench", tmp_path / "b.py")
    assert first == second
    assert (tmp_path / "a.py").read_bytes() == (tmp_path / "b.py").read_bytes()


@pytest.mark.parametrize("name", NAMES)
def test_workbench_output_holds_what_the_notebook_defines(name, tmp_path, load, summary):
    case = CASES / name
    out = tmp_path / f"{name}.py"
    _export(case, "workbench", out)
    expected = json.loads((case / "definitions.json").read_text())
    assert summary(load(out)) == expected


@pytest.mark.dagster
@pytest.mark.parametrize("name", NAMES)
def test_dagster_output_holds_what_the_notebook_defines(name, tmp_path, load, summary):
    pytest.importorskip("dagster")
    case = CASES / name
    out = tmp_path / f"{name}.py"
    _export(case, "dagster", out)
    expected = json.loads((case / "definitions.json").read_text())
    assert summary(load(out)) == expected
