"""The round trip is a fixed point: export(notebook(export(nb))) == export(nb), byte for byte."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.export import export_source, notebook_from_module

from .conftest import notebook

if TYPE_CHECKING:
    from pathlib import Path

NAMES = st.sampled_from(["alpha", "beta", "gamma", "delta"])
PREAMBLE = "import workbench as wb\n\nCONST = 1\n\n\ndef helper() -> int:\n    return 2"


@st.composite
def valid_cells(draw: st.DrawFn) -> Any:
    """A cell export always accepts: every name it uses is defined by the preamble or itself."""
    kind = draw(
        st.sampled_from(
            [
                "asset",
                "constant",
                "chain",
                "magic",
                "expression",
                "markdown",
                "job",
                "defs",
                "builder",
            ]
        )
    )
    name = draw(NAMES)
    value = draw(st.integers(-5, 5))
    if kind == "asset":
        body = draw(st.sampled_from([str(value), "CONST", "helper()", f"CONST + {value}"]))
        comment = draw(st.sampled_from(["", f"# the {name} asset\n"]))
        return f"{comment}@wb.asset\ndef {name}() -> int:\n    return {body}"
    if kind == "constant":
        return f"{name.upper()} = {value}"
    if kind == "chain":
        return f"{name.upper()} = CONST + {value}\nCONST = CONST * 2"
    if kind == "magic":
        return draw(st.sampled_from(["%load_ext workbench", "!ls", "%%bash\necho hi"]))
    if kind == "expression":
        return draw(st.sampled_from(["CONST", "print(CONST)", "wb.materialize([])"]))
    if kind == "markdown":
        return ("md", f"# {name}")
    if kind == "job":
        return f"{name}_job = wb.define_asset_job({name + '_job'!r})"
    if kind == "builder":
        return (
            "@wb.definitions\ndef built() -> wb.Definitions:\n"
            f"    found = wb.Definitions(resources={{'built': {value}}})\n    return found"
        )
    return f"{name}_defs = wb.Definitions(resources={{{name!r}: {value}}})"


def _defined_definitions(cells: list[Any]) -> list[str]:
    names = []
    for cell in cells:
        if isinstance(cell, str) and "_defs = wb.Definitions(" in cell:
            names.append(cell.split(" = ", 1)[0])
    return list(dict.fromkeys(names))


@st.composite
def valid_notebooks(draw: st.DrawFn) -> list[Any]:
    """Valid cells, then maybe a merge of the notebook's Definitions (held, inline or returned)."""
    cells = draw(st.lists(valid_cells(), max_size=10))
    held = _defined_definitions(cells)
    merge = draw(st.sampled_from(["none", "assigned", "function"]))
    if merge != "none":
        extra = draw(st.sampled_from(["", "wb.Definitions(resources={'extra': 0})"]))
        built = ["built()"] if any("def built()" in str(cell) for cell in cells) else []
        parts = ", ".join([*held, *built, *([extra] if extra else [])])
        call = f"wb.Definitions.merge({parts})"
        if merge == "assigned":
            cells.append(f"defs = {call}")
        else:
            doc = draw(st.sampled_from(["", '    """The whole notebook."""\n']))
            cells.append(
                f"@wb.definitions\ndef everything() -> wb.Definitions:\n{doc}    return {call}"
            )
    return cells


def _round_trip(cells: list[Any], target: str, tmp_path: Path) -> tuple[str, str]:
    first = export_source(notebook(PREAMBLE, *cells), name="n.ipynb", target=target)  # type: ignore[arg-type]
    module = tmp_path / f"module_{target}.py"
    module.write_text(first, encoding="utf-8")
    back = notebook_from_module(module, tmp_path / f"back_{target}.ipynb")
    return first, export_source(back, name="n.ipynb", target=target)  # type: ignore[arg-type]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cells=valid_notebooks(), target=st.sampled_from(["workbench", "dagster"]))
def test_export_of_the_notebook_of_an_export_is_the_same_module(cells, target, tmp_path: Path):
    first, second = _round_trip(cells, target, tmp_path)
    assert second == first


MERGES = {
    "held": [
        "@wb.asset\ndef a() -> int:\n    return 1",
        "@wb.op\ndef o() -> int:\n    return 2\n\n\n@wb.job\ndef j():\n    o()",
        "base = wb.Definitions(assets=[a])",
        "extra = wb.Definitions(jobs=[j])",
        "defs = wb.Definitions.merge(base, extra)",
    ],
    "inline": [
        "@wb.asset\ndef a() -> int:\n    return 1",
        "@wb.op\ndef o() -> int:\n    return 2\n\n\n@wb.job\ndef j():\n    o()",
        "defs = wb.Definitions.merge(wb.Definitions(assets=[a]), wb.Definitions(jobs=[j]))",
    ],
}


@pytest.mark.parametrize("shape", sorted(MERGES))
def test_merged_definitions_export_as_one_definitions(shape, tmp_path: Path):
    first, second = _round_trip(MERGES[shape], "workbench", tmp_path)
    assert second == first
    tail = first.split("@wb.definitions\n", 1)[1]
    assert tail == (
        "def defs() -> wb.Definitions:\n"
        '    """Every asset, job, sensor, schedule and resource of the notebook."""\n'
        "    return wb.Definitions(\n"
        "        assets=[\n            a,\n        ],\n"
        "        jobs=[\n            j,\n        ],\n"
        "    )\n"
    )
    assert "merge" not in first
    assert "base" not in first
