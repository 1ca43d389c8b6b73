"""A multi_asset that cannot run in part runs whole when only some of its assets are stale (#13)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import workbench as wb

if TYPE_CHECKING:
    from workbench.core.asset import Asset
    from workbench.core.instance import Instance


def _split(calls: list[str], version: str) -> Asset:
    @wb.multi_asset(
        outs={"a": wb.AssetOut(code_version=version), "b": wb.AssetOut(code_version="1")}
    )
    def split() -> tuple[int, int]:
        calls.append(version)
        return 1, 2

    return split


def test_only_stale_runs_a_multi_asset_whole_when_one_of_its_assets_is_stale(
    instance: Instance,
) -> None:
    calls: list[str] = []
    wb.materialize([_split(calls, "1")], instance=instance)
    changed = _split(calls, "2")
    stale = wb.stale_assets(wb.Definitions(assets=[changed]), store=instance.run_store)
    assert stale == {wb.AssetKey("a"): "code changed"}
    result = wb.materialize([changed], instance=instance, only_stale=True)
    assert calls == ["1", "2"]
    assert (result.asset_value("a"), result.asset_value("b")) == (1, 2)
