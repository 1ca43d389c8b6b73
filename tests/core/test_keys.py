"""Messages for keys given as a string where a path was meant (#13)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

import workbench as wb

if TYPE_CHECKING:
    from workbench.core.asset import Asset
    from workbench.core.instance import Instance


@pytest.fixture
def orders() -> Asset:
    @wb.asset(key=["raw", "orders"])
    def orders() -> int:
        return 3

    return orders


def test_a_deps_path_string_says_which_key_to_write() -> None:
    with pytest.raises(wb.DagsterInvalidDefinitionError) as caught:

        @wb.asset(deps=["raw/orders"])
        def report() -> int:
            return 1

    assert str(caught.value) == (
        "@asset 'report': deps=: 'raw/orders' is not a valid name; a string is one key part, "
        "so AssetKey(['raw/orders']) is one name; for a key path write "
        "AssetKey(['raw', 'orders'])"
    )


def test_asset_value_of_a_path_string_says_which_key_to_pass(
    orders: Asset, instance: Instance
) -> None:
    result = wb.materialize([orders], instance=instance)
    with pytest.raises(wb.DagsterInvariantViolationError) as caught:
        result.asset_value("raw/orders")
    assert str(caught.value) == (
        "no value for AssetKey(['raw/orders']) in this run; a string is one key part, so "
        "'raw/orders' names AssetKey(['raw/orders']); for the asset 'raw/orders' write "
        "AssetKey(['raw', 'orders'])"
    )


def test_lookups_and_upstreams_of_a_path_string_say_which_key_to_write(
    orders: Asset,
) -> None:
    defs = wb.Definitions(assets=[orders])
    with pytest.raises(wb.DagsterInvariantViolationError, match=r"write AssetKey\(\['raw', "):
        defs.get_assets_def("raw/orders")

    @wb.asset(ins={"orders": wb.AssetIn(key="raw/orders")})
    def report(orders: int) -> int:
        return orders

    with pytest.raises(wb.DefinitionError, match=r"write AssetKey\(\['raw', 'orders'\]\)"):
        wb.Definitions(assets=[orders, report]).validate()


def test_a_key_of_another_type_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="an asset key is an AssetKey, a string or a list"):
        wb.AssetKey.from_coercible(3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="a dependency is an AssetKey"):
        wb.AssetDep(3)  # type: ignore[arg-type]


def test_a_one_part_key_with_a_slash_and_the_path_are_two_assets(orders: Asset) -> None:
    @wb.asset(ins={"source": wb.AssetIn(key="raw/orders")})
    def copied(source: int) -> int:
        return source

    defs = wb.Definitions(assets=[orders, copied, wb.AssetSpec("raw/orders")])
    order = defs.asset_graph.toposort()
    assert order == [wb.AssetKey(["raw", "orders"]), wb.AssetKey(["raw/orders"]), copied.key]
