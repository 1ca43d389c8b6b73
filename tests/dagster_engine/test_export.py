"""Export of a notebook written with ``import dagster``: it keeps Dagster, edits baked in."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import dagster as dg
import nbformat
import pytest

from tests.dagster_engine.sources import DAGSTER_DEFS
from workbench.app.api import edit_store, export_notebook, load_definitions
from workbench.cli import main

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.dagster


@pytest.fixture
def dagster_notebook(tmp_path: Path) -> Path:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("%load_ext workbench"),
        nbformat.v4.new_code_cell(DAGSTER_DEFS),
    ]
    path = tmp_path / "pipeline.ipynb"
    nbformat.write(notebook, path)
    return path


def test_export_keeps_import_dagster_and_bakes_edits_with_secrets_as_env_vars(
    dagster_notebook: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    edit_store().save(
        str(dagster_notebook),
        "my_conn",
        {"username": "grace", "password": {"env": "CONN_PASSWORD"}, "inner": {"host": "db"}},
    )
    out = tmp_path / "pipeline_defs.py"

    source = export_notebook(dagster_notebook, out)

    assert "import dagster as dg" in source
    assert "workbench" not in source.replace("%load_ext workbench", "")
    assert 'password=dg.EnvVar("CONN_PASSWORD")' in source
    monkeypatch.setenv("CONN_PASSWORD", "from-the-environment")
    defs: Any = load_definitions(out)
    assert isinstance(defs, dg.Definitions)
    with dg.DagsterInstance.ephemeral(tempdir=str(tmp_path)) as instance:
        result = dg.materialize(
            [defs.get_assets_def("raw")], resources=dict(defs.resources or {}), instance=instance
        )
    assert result.output_for_node("raw") == "grace@db:5432"


def test_the_cli_exports_a_dagster_notebook_for_dagster(dagster_notebook: Path, capsys):
    assert main(["export", str(dagster_notebook)]) == 0
    assert "import dagster as dg" in capsys.readouterr().out
