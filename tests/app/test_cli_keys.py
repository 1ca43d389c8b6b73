"""``--select raw/orders`` names a key path, as Dagster's CLI selection syntax reads it (#13)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import workbench as wb
from workbench.app.verbs import parse_selection
from workbench.cli import main

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

MODULE = """\
import workbench as wb

@wb.asset(key=["raw", "orders"])
def orders() -> int:
    return 3

@wb.asset(deps=[wb.AssetKey(["raw", "orders"])])
def report() -> str:
    return "done"

defs = wb.Definitions(assets=[orders, report])
"""


def test_materialize_selects_a_key_path(capsys: pytest.CaptureFixture[str], tmp_path: Path):
    path = tmp_path / "defs.py"
    path.write_text(MODULE)
    code = main(["materialize", str(path), "--select", "raw/orders"])
    out, _ = capsys.readouterr()
    assert code == 0
    assert "SUCCESS (1 steps)" in out
    assert "report" not in out


def test_parse_selection_reads_paths_in_keys_and_selection_strings():
    @wb.asset(key=["raw", "orders"])
    def orders() -> int:
        return 3

    graph = wb.Definitions(assets=[orders]).asset_graph
    for items in (["raw/orders"], ["key:raw/orders"], ["raw/orders,key:raw/orders"]):
        assert parse_selection(items).resolve(graph) == {wb.AssetKey(["raw", "orders"])}
