"""The Dagster twin of the quickstart runs headless in a real kernel, on real Dagster."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.testing import run_notebook

pytestmark = [pytest.mark.dagster, pytest.mark.slow]

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "dagster_quickstart.ipynb"
EXPECTED = [
    "ResourceForm('my_conn', MyConnectionResource): valid",
    "success: True dagster",
    "the service saw: ada",
    "value_total = 55",
    "__ephemeral_asset_job__  SUCCESS",
    "value_total: fresh <- service_rows",
    "refresh: True True",
    "import dagster as dg",
    "@dg.definitions",
]


def test_the_dagster_quickstart_runs_and_shows_its_results() -> None:
    ok, text = run_notebook(NOTEBOOK, timeout=180)

    assert ok, text
    for expected in EXPECTED:
        assert expected in text, f"{expected!r} not in the notebook's output:\n{text}"
