"""``deps`` strings with a ``/`` are written as the asset key the notebook meant (#13)."""

from __future__ import annotations

import pytest

import workbench as wb
from workbench.export import export_source

from .conftest import load_module

CELLS = (
    "import workbench as wb",
    "@wb.asset(key_prefix=['raw'])\ndef orders() -> int:\n    return 3",
    "@wb.asset\ndef customers() -> int:\n    return 2",
    "@wb.asset(deps=['raw/orders', 'customers'])\ndef report() -> str:\n    return 'done'",
    "@wb.multi_asset(\n    specs=[wb.AssetSpec('summary', deps=('raw/orders',))],\n)\n"
    "def summary():\n    return wb.MaterializeResult(asset_key='summary')",
    "defs = wb.Definitions(assets=[orders, customers, report, summary])",
)


@pytest.mark.parametrize(("target", "prefix"), [("workbench", "wb"), ("dagster", "dg")])
def test_a_dep_path_is_written_as_an_asset_key(make_notebook, target, prefix):
    source = export_source(make_notebook(*CELLS), name="n.ipynb", target=target)
    assert f'@{prefix}.asset(deps=[{prefix}.AssetKey(["raw", "orders"]), \'customers\'])' in source
    assert (
        f'{prefix}.AssetSpec(\'summary\', deps=({prefix}.AssetKey(["raw", "orders"]),))' in source
    )
    assert "'raw/orders'" not in source


@pytest.mark.dagster
def test_dagster_and_workbench_run_the_same_dependencies(make_notebook, tmp_path):
    dg = pytest.importorskip("dagster")
    out = tmp_path / "dagster_module.py"
    out.write_text(export_source(make_notebook(*CELLS), name="n.ipynb", target="dagster"))
    defs = load_module(out).defs()
    assert dg.materialize(list(defs.assets)).success
    report = next(a for a in defs.assets if a.key == dg.AssetKey("report"))
    dagster_upstream = sorted(k.to_user_string() for k in report.dependency_keys)

    workbench_out = tmp_path / "workbench_module.py"
    workbench_out.write_text(export_source(make_notebook(*CELLS), name="n.ipynb"))
    workbench_defs = load_module(workbench_out).defs()
    assert wb.materialize(list(workbench_defs.assets)).success
    mine = next(a for a in workbench_defs.assets if a.key.to_user_string() == "report")
    workbench_upstream = sorted(k.to_user_string() for k in mine.upstream_keys)
    assert dagster_upstream == workbench_upstream == ["customers", "raw/orders"]
