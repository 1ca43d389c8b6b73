"""Generated notebooks: export gives importable source or an ExportError naming the notebook.

Notebooks made only of valid cells must export: see test_round_trip.py.
"""

from __future__ import annotations

import string
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.errors import ExportError
from workbench.export import export_source

from .conftest import load_module, notebook

if TYPE_CHECKING:
    from pathlib import Path

NAMES = st.sampled_from(["alpha", "beta", "gamma", "delta", "CONST", "LIMIT"])


@st.composite
def code_cells(draw: st.DrawFn) -> Any:
    kind = draw(
        st.sampled_from(
            [
                "asset",
                "constant",
                "function",
                "magic",
                "shell",
                "expression",
                "syntax",
                "empty",
                "markdown",
                "job",
                "defs",
                "skip",
                "chain",
            ]
        )
    )
    name = draw(NAMES).lower()
    other = draw(NAMES)
    value = draw(st.integers(-5, 5))
    if kind == "asset":
        param = draw(st.sampled_from(["", f"{other.lower()}: int"]))
        body = draw(st.sampled_from([str(value), "CONST", "helper()", f"{value} + 1"]))
        return f"@wb.asset\ndef {name}({param}) -> int:\n    return {body}"
    if kind == "constant":
        return f"{draw(NAMES).upper()} = {value}"
    if kind == "chain":
        return f"{draw(NAMES).upper()} = {other.upper()} + {value}"
    if kind == "function":
        return f"def helper() -> int:\n    # a helper\n    return {value}"
    if kind == "magic":
        return draw(
            st.sampled_from(["%load_ext workbench", "%time x = 1", "%%bash\necho hi", "alpha?"])
        )
    if kind == "shell":
        return draw(st.sampled_from(["!ls", "files = !ls", "!pip install nothing"]))
    if kind == "expression":
        return draw(st.sampled_from(["alpha", "print(1)", "wb.materialize([])", "1 + 1"]))
    if kind == "syntax":
        return draw(st.sampled_from(["def broken(:", "x = (", "if True\n  pass", "return 1"]))
    if kind == "empty":
        return draw(st.sampled_from(["", "   \n", "# only a comment"]))
    if kind == "markdown":
        return ("md", draw(st.text(string.ascii_letters + " #\n", max_size=20)))
    if kind == "job":
        return f"{name}_job = wb.define_asset_job({name + '_job'!r})"
    if kind == "skip":
        return (f"@wb.asset\ndef {name}() -> int:\n    return 0", ["wb-skip"])
    return f"{name}_defs = wb.Definitions(resources={{{name!r}: {value}}})"


NOTEBOOKS = st.lists(code_cells(), max_size=12)


def _export_and_import(cells: list[Any], target: str, tmp_path: Path) -> bool:
    """Export and import the notebook; return whether it exported (else ExportError)."""
    nb = notebook("import workbench as wb", *cells, counts=bool(len(cells) % 2))
    refused: ExportError | None = None
    try:
        source = export_source(nb, name="generated.ipynb", target=target)  # type: ignore[arg-type]
    except ExportError as error:
        refused = error
    if refused is not None:
        # a refusal says which notebook and, when one cell is to blame, which cell
        message = str(refused)
        assert "'generated.ipynb'" in message
        cell = refused.cell
        assert cell is None or f"cell [{cell}]" in message or f"code cell {cell}" in message
        return False
    out = tmp_path / f"generated_{target}.py"
    out.write_text(source)
    load_module(out)
    return True


def _some_export(target: str, examples: int, tmp_path: Path) -> None:
    """Every generated notebook exports (and imports) or is an ExportError; some export."""
    exported: list[bool] = []

    @settings(max_examples=examples, deadline=None)
    @given(cells=NOTEBOOKS)
    def check(cells: list[Any]) -> None:
        exported.append(_export_and_import(cells, target, tmp_path))

    check()
    assert any(exported), f"none of {len(exported)} generated notebooks exported"


def test_workbench_export_imports_or_raises_export_error(tmp_path: Path):
    _some_export("workbench", 60, tmp_path)


@pytest.mark.dagster
def test_dagster_export_imports_or_raises_export_error(tmp_path: Path):
    pytest.importorskip("dagster")
    _some_export("dagster", 40, tmp_path)
