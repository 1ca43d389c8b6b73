"""``deps``: a string is one key part in Dagster and workbench; paths are AssetKeys (#13)."""

from __future__ import annotations

import pytest

import workbench as wb
from workbench.export import export_source

from .conftest import load_module

CELLS = (
    "import workbench as wb",
    "@wb.asset(key_prefix=['raw'])\ndef orders() -> int:\n    return 3",
    "@wb.asset\ndef customers() -> int:\n    return 2",
    "@wb.asset(deps=[wb.AssetKey(['raw', 'orders']), 'customers'])\n"
    "def report() -> str:\n    return 'done'",
    "@wb.multi_asset(\n"
    "    specs=[wb.AssetSpec('summary', deps=(wb.AssetKey(['raw', 'orders']),))],\n)\n"
    "def summary():\n    return wb.MaterializeResult(asset_key='summary')",
    "defs = wb.Definitions(assets=[orders, customers, report, summary])",
)


@pytest.mark.parametrize("target", ["workbench", "dagster"])
@pytest.mark.parametrize("dep", ["'raw/orders'", "wb.AssetDep('raw/orders')"])
def test_a_dep_string_with_a_slash_is_refused_with_the_key_to_write(make_notebook, target, dep):
    notebook = make_notebook(
        "import workbench as wb",
        "@wb.asset\ndef customers() -> int:\n    return 2",
        f"@wb.asset(deps=[{dep}, 'customers'])\ndef report() -> str:\n    return 'done'",
    )
    with pytest.raises(wb.ExportError) as caught:
        export_source(notebook, name="n.ipynb", target=target)
    message = str(caught.value)
    assert "deps= names 'raw/orders'" in message
    assert 'write AssetKey(["raw", "orders"]) for the path' in message
    assert "(cell [3] (by execution count), line 1)" in message


def test_the_notebook_cell_fails_the_same_way() -> None:
    with pytest.raises(wb.DagsterInvalidDefinitionError, match=r"AssetKey\(\['raw', 'orders'\]\)"):

        @wb.asset(deps=["raw/orders"])
        def report() -> str:
            return "done"


@pytest.mark.parametrize(("target", "prefix"), [("workbench", "wb"), ("dagster", "dg")])
def test_a_dep_path_is_written_as_the_notebook_wrote_it(make_notebook, target, prefix):
    source = export_source(make_notebook(*CELLS), name="n.ipynb", target=target)
    assert f"@{prefix}.asset(deps=[{prefix}.AssetKey(['raw', 'orders']), 'customers'])" in source


@pytest.mark.dagster
def test_dagster_and_workbench_run_the_same_dependencies(make_notebook, tmp_path):
    dg = pytest.importorskip("dagster")
    out = tmp_path / "dagster_module.py"
    out.write_text(export_source(make_notebook(*CELLS), name="n.ipynb", target="dagster"))
    defs = load_module(out).defs()
    assert dg.materialize(list(defs.assets)).success
    report = next(a for a in defs.assets if a.key == dg.AssetKey("report"))
    dagster_upstream = sorted(tuple(k.path) for k in report.dependency_keys)

    workbench_out = tmp_path / "workbench_module.py"
    workbench_out.write_text(export_source(make_notebook(*CELLS), name="n.ipynb"))
    workbench_defs = load_module(workbench_out).defs()
    assert wb.materialize(list(workbench_defs.assets)).success
    mine = next(a for a in workbench_defs.assets if a.key == wb.AssetKey("report"))
    workbench_upstream = sorted(k.path for k in mine.upstream_keys)
    assert dagster_upstream == workbench_upstream == [("customers",), ("raw", "orders")]
