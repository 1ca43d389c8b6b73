"""The README's Python blocks run as written (#14): the definitions, then the notebook lines."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from IPython.core.interactiveshell import InteractiveShell

import workbench as wb
from workbench.core.session import current_session

if TYPE_CHECKING:
    from collections.abc import Iterator

README = Path(__file__).resolve().parents[2] / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)


class FakeResponse:
    def __init__(self, url: str) -> None:
        self.url = url

    def json(self) -> dict[str, Any]:
        return {"endpoint": self.url, "rows": [1, 2, 3]}


@pytest.fixture
def shell(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[InteractiveShell]:
    import requests

    calls: list[dict[str, Any]] = []

    def fake_get(url: str, **kwargs: Any) -> FakeResponse:
        calls.append({"url": url, **kwargs})
        return FakeResponse(url)

    monkeypatch.setattr(requests, "get", fake_get)
    monkeypatch.delenv("MY_USER", raising=False)
    monkeypatch.chdir(tmp_path)
    ip = InteractiveShell.instance()
    ip.user_ns.clear()
    ip.init_user_ns()  # the names IPython itself needs (_oh, In, Out) after a clear
    ip.user_ns["requests_calls"] = calls
    yield ip
    ip.run_line_magic("unload_ext", "workbench")
    ip.user_ns.clear()


def test_the_readme_example_runs_line_by_line(shell, tmp_path, monkeypatch):
    definitions, notebook_lines = python_blocks()[:2]
    nbformat = pytest.importorskip("nbformat")
    notebook = tmp_path / "quickstart.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(definitions)]
    nbformat.write(nb, notebook)
    monkeypatch.setenv("WORKBENCH_NOTEBOOK", str(notebook))

    assert shell.run_cell(definitions).success
    for line in notebook_lines.strip().splitlines():
        outcome = shell.run_cell(line)
        assert outcome.success, (line, outcome.error_in_exec)
    names = shell.user_ns
    assert names["result"].success
    assert names["result"].asset_value("data_from_service") == {
        "endpoint": "https://my-api.com//fetch_data",
        "rows": [1, 2, 3],
    }
    # the README's assignment replaced the EnvVar: the run did not need MY_USER
    assert current_session().overrides["my_conn"].username == "ada"
    assert names["panel"].forms["my_conn"].sources["username"].value == "value"
    exported = (tmp_path / "quickstart_defs.py").read_text(encoding="utf-8")
    assert "class MyConnectionResource(wb.ConfigurableResource):" in exported or (
        "class MyConnectionResource(dg.ConfigurableResource):" in exported
    )
    # a field the code gives as an EnvVar stays secret: exported as the EnvVar, never the value
    assert 'username=dg.EnvVar("MY_USER")' in exported
    assert "ada" not in exported
    assert wb.__name__ == "workbench"
    [warning] = names["panel"].forms["my_conn"].warnings
    assert "used in this session only and is not saved" in warning


def test_the_readme_says_how_to_install():
    text = README.read_text(encoding="utf-8")
    assert "pip install dagster-workbench" in text
    assert re.search(r"(?<!dagster-)workbench\[", text) is None  # no extra of another project
