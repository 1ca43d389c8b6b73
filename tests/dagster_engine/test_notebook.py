"""The Dagster twin of the quickstart runs headless in a real kernel, on real Dagster."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from workbench.testing import run_notebook

pytestmark = [pytest.mark.dagster, pytest.mark.slow]

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
NOTEBOOK = NOTEBOOKS / "dagster_quickstart.ipynb"
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
    'username="ada"',  # the form's edit, baked into the export
]


def test_the_dagster_quickstart_runs_and_shows_its_results() -> None:
    ok, text = run_notebook(NOTEBOOK, timeout=180)

    assert ok, text
    for expected in EXPECTED:
        assert expected in text, f"{expected!r} not in the notebook's output:\n{text}"


@pytest.mark.parametrize("name", ["dagster_quickstart", "quickstart"])
def test_the_export_bakes_the_form_edit_when_the_kernel_is_not_told_its_notebook(name: str):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    path = NOTEBOOKS / f"{name}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    hidden = ("JPY_SESSION_NAME", "WORKBENCH_NOTEBOOK")  # nbclient and nbconvert set neither
    environment = {key: value for key, value in os.environ.items() if key not in hidden}
    client = nbclient.NotebookClient(
        notebook,
        timeout=180,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )

    client.execute(env=environment)
    exported = "".join(output.get("text", "") for output in notebook.cells[-1].outputs)

    assert 'username="ada"' in exported, exported
    assert 'username="my_user"' not in exported
