"""The Dagster target, checked by real Dagster: it validates, and materializes the same values."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.export import export_notebook
from workbench.export.render import DAGSTER_NAMES

from .conftest import DAGSTER_OWN_WARNINGS

pytestmark = [pytest.mark.dagster, *DAGSTER_OWN_WARNINGS]

CASES = Path(__file__).parent / "cases"
NAMES = sorted(p.name for p in CASES.iterdir() if (p / "input.ipynb").exists())
DAGSTER = Path(sys.executable).parent / "dagster"


def _export(name: str, target: str, out: Path) -> Path:
    case = CASES / name
    edits_path = case / "edits.json"
    edits = json.loads(edits_path.read_text()) if edits_path.exists() else None
    export_notebook(case / "input.ipynb", out, target=target, edits=edits)  # type: ignore[arg-type]
    return out


def test_every_name_export_keeps_exists_in_dagster():
    dg = pytest.importorskip("dagster")
    assert sorted(name for name in DAGSTER_NAMES if not hasattr(dg, name)) == []


def test_export_keeps_every_public_name_dagster_also_has():
    dg = pytest.importorskip("dagster")
    import workbench

    shared = {name for name in workbench.__all__ if hasattr(dg, name)}
    assert sorted(shared - DAGSTER_NAMES) == []
    assert sorted(DAGSTER_NAMES - set(workbench.__all__)) == []


@pytest.mark.parametrize("name", NAMES)
def test_dagster_definitions_validate_passes(name: str, tmp_path: Path):
    pytest.importorskip("dagster")
    out = _export(name, "dagster", tmp_path / f"{name}.py")
    completed = subprocess.run(
        [str(DAGSTER), "definitions", "validate", "-f", str(out)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"DAGSTER_HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "WAREHOUSE_PASSWORD": "pw"},
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert "Validation successful" in completed.stderr + completed.stdout


@pytest.mark.parametrize("name", NAMES)
def test_dagster_and_workbench_materialize_the_same_values(
    name: str, tmp_path: Path, load, monkeypatch: pytest.MonkeyPatch
):
    dg = pytest.importorskip("dagster")
    import workbench as wb

    monkeypatch.setenv("WAREHOUSE_PASSWORD", "pw")
    dagster_defs = load(_export(name, "dagster", tmp_path / "dg_out.py"))
    workbench_defs = load(_export(name, "workbench", tmp_path / "wb_out.py"))

    dagster_result = dg.materialize(
        list(dagster_defs.assets), resources=dict(dagster_defs.resources or {})
    )
    workbench_result = wb.materialize(
        list(workbench_defs.assets), resources=dict(workbench_defs.resources or {})
    )
    keys = [key for asset in dagster_defs.assets for key in asset.keys]
    assert keys
    for key in keys:
        expected = dagster_result.asset_value(key)
        assert workbench_result.asset_value(list(key.path)) == expected, key
