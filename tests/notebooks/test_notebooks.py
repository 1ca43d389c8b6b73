"""The example notebooks run headless in a real kernel, without errors, showing their results."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.testing import run_notebook

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"

EXPECTED = {
    "quickstart": ["the service saw: ada", "value_total = 55", "@wb.definitions"],
    "config_types": [
        "input should be less than or equal to 65535, got 70000",
        "apply disabled: True",
        "'attempts': 5",
    ],
    "sensors_and_schedules": [
        "3 run request(s)",
        "skipped: no new files since 3",
        "[True, True]",
        "2026-12-02T06:00:00+01:00",
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_notebook_runs_and_shows_its_results(name: str) -> None:
    ok, text = run_notebook(NOTEBOOKS / f"{name}.ipynb", timeout=180)
    assert ok, text
    for expected in EXPECTED[name]:
        assert expected in text, f"{expected!r} not in the output of {name}:\n{text}"
