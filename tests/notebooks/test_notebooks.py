"""The example notebooks run headless in a real kernel, without errors, showing their results."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.testing import run_notebook

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"

EXPECTED = {
    "quickstart": [
        "the service saw: ada",
        "value_total = 55",
        "@wb.definitions",
        # the form's edit reaches the export: the kernel knows which notebook it runs (#14)
        'username="ada"',
        # each code cell's source is shown with its output
        'In [7]:\n    form = panel.forms["my_conn"]\n    form.fields["username"].value = "ada"',
    ],
    "config_types": [
        "input should be less than or equal to 65535, got 70000",
        "apply disabled: True",
        "'attempts': 5",
    ],
    "sensors_and_schedules": [
        "3 run request(s)",
        "skipped: no new files since 3",
        # --launch shows each launched run, not a list of booleans (#14)
        "of refresh: success\n    launched run ",
        "2026-12-02T06:00:00+01:00",
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_notebook_runs_and_shows_its_results(name: str) -> None:
    ok, text = run_notebook(NOTEBOOKS / f"{name}.ipynb", timeout=180)
    assert ok, text
    for expected in EXPECTED[name]:
        assert expected in text, f"{expected!r} not in the output of {name}:\n{text}"
    summary = text.splitlines()[-1]
    assert summary.startswith(f"{name}.ipynb: ran ")
    assert summary.endswith(" s, no errors")


def test_a_failing_cell_is_numbered_as_a_code_cell(tmp_path: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# a title"),
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_markdown_cell("more words"),
        nbformat.v4.new_code_cell("raise ValueError('no')"),
    ]
    path = tmp_path / "broken.ipynb"
    nbformat.write(notebook, path)
    ok, text = run_notebook(path, timeout=60)
    assert not ok
    assert "In [2]:\n    raise ValueError('no')\nOut [2]:\n    ValueError: no" in text
    assert text.splitlines()[-1].endswith("1 error(s): cell 2: ValueError: no")
