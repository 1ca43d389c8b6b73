"""Helpers for the export tests: notebooks from cell lists, modules loaded from files."""

from __future__ import annotations

import ast
import importlib.util
import itertools
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

CASES = Path(__file__).parent / "cases"
DAGSTER_OWN_WARNINGS = [
    # Dagster 1.13 warns about its own internals: setting up a nested resource, and
    # rebuilding a sensor when Definitions resolves its jobs
    pytest.mark.filterwarnings(
        "ignore:InitResourceContext.dagster_run is deprecated:DeprecationWarning"
    ),
    pytest.mark.filterwarnings("ignore:Parameter `owners` of initializer `SensorDefinition"),
]
"""Marks that keep warnings Dagster raises about its own code from failing a test."""
_counter = itertools.count()


def notebook(*cells: Any, counts: bool = True) -> Any:
    """A notebook from cells: a str is a code cell, ("md", text) markdown, (src, [tags]) tagged."""
    nb = new_notebook()
    count = 0
    for index, spec in enumerate(cells):
        if isinstance(spec, tuple) and spec[0] == "md":
            cell = new_markdown_cell(spec[1])
        else:
            source, tags = spec if isinstance(spec, tuple) else (spec, [])
            cell = new_code_cell(source)
            if counts:
                count += 1
                cell.execution_count = count
            if tags:
                cell.metadata["tags"] = list(tags)
        cell.id = f"cell-{index}"
        nb.cells.append(cell)
    return nb


@pytest.fixture
def write_notebook(tmp_path: Path) -> Callable[..., Path]:
    def write(*cells: Any, name: str = "nb.ipynb", counts: bool = True) -> Path:
        path = tmp_path / name
        nbformat.write(notebook(*cells, counts=counts), str(path))
        return path

    return write


def load_module(path: Path) -> Any:
    """Import a module from a file, under a fresh name."""
    name = f"_exported_{next(_counter)}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[name]
    return module


def definitions_function(source: str) -> str:
    """The name of the module's one @definitions function."""
    tree = ast.parse(source)
    found = [
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef)
        and any(ast.unparse(d).split(".")[-1] == "definitions" for d in node.decorator_list)
    ]
    assert len(found) == 1, found
    return found[0]


def summarize(defs: Any) -> dict[str, list[str]]:
    """Asset keys, job names and resource keys of a Definitions (Dagster's accessors)."""
    keys: list[str] = []
    for asset in defs.assets or []:
        for key in getattr(asset, "keys", None) or [asset.key]:
            keys.append(key.to_user_string())
    jobs = [job.name for job in defs.jobs or []]
    return {"assets": sorted(keys), "jobs": sorted(jobs), "resources": sorted(defs.resources or {})}


def load_definitions(path: Path) -> Any:
    module = load_module(path)
    return getattr(module, definitions_function(path.read_text()))()


def case_names() -> Iterator[str]:
    yield from sorted(p.name for p in CASES.iterdir() if (p / "input.ipynb").exists())


@pytest.fixture
def make_notebook() -> Callable[..., Any]:
    return notebook


@pytest.fixture
def load() -> Callable[[Path], Any]:
    """Import an exported module from its file and call its @definitions function."""
    return load_definitions


@pytest.fixture
def summary() -> Callable[[Any], dict[str, list[str]]]:
    return summarize
