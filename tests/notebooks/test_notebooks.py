"""The example notebooks run headless in a real kernel, without errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.testing import run_notebook

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


@pytest.mark.slow
@pytest.mark.parametrize("name", ["quickstart", "config_types", "sensors_and_schedules"])
def test_notebook_runs_without_errors(name: str) -> None:
    ok, text = run_notebook(NOTEBOOKS / f"{name}.ipynb", timeout=180)
    assert ok, text
    assert "Error" not in text


def test_quickstart_shows_its_results() -> None:
    ok, text = run_notebook(NOTEBOOKS / "quickstart.ipynb", timeout=180)
    assert ok, text
    assert "the service saw: ada" in text
    assert "value_total = 55" in text
    assert "@wb.definitions" in text
