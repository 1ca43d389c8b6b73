"""Asset keys as Dagster reads them: a string is one key part; selections read paths (#13)."""

from __future__ import annotations

from typing import Any

import pytest


def test_a_string_is_one_key_part_and_from_user_string_reads_a_path(dg: Any) -> None:
    assert dg.AssetKey("raw/orders") == dg.AssetKey(["raw/orders"])
    assert dg.AssetKey.from_coercible("raw/orders") == dg.AssetKey(["raw/orders"])
    assert dg.AssetKey.from_coercible(["raw", "orders"]) == dg.AssetKey(["raw", "orders"])
    assert dg.AssetKey.from_coercible(("raw", "orders")) == dg.AssetKey(["raw", "orders"])
    assert dg.AssetKey.from_user_string("raw/orders") == dg.AssetKey(["raw", "orders"])
    assert dg.AssetKey("x").with_prefix("a/b") == dg.AssetKey(["a/b", "x"])
    assert dg.AssetKey(["my-asset", "v1.2"]).to_python_identifier() == "my_asset__v1_2"
    assert dg.AssetDep("raw/orders").asset_key == dg.AssetKey(["raw/orders"])
    assert dg.AssetDep(["raw", "orders"]).asset_key == dg.AssetKey(["raw", "orders"])
    assert dg.AssetDep(dg.AssetSpec("s")).asset_key == dg.AssetKey("s")
    assert dg.AssetSpec("raw/orders").key == dg.AssetKey(["raw/orders"])
    assert dg.MaterializeResult(asset_key="a/b").asset_key == dg.AssetKey(["a/b"])
    assert dg.AssetIn(key="a/b").key == dg.AssetKey(["a/b"])
    assert dg.AssetOut(key="a/b").key == dg.AssetKey(["a/b"])
    assert dg.AssetIn(key_prefix="a/b").key_prefix == ["a/b"]
    assert dg.AssetOut(key_prefix="a/b").key_prefix == ["a/b"]


def _asset_with(dg: Any, **options: Any) -> Any:
    @dg.asset(**options)
    def report() -> int:
        return 1

    return report


@pytest.mark.parametrize(
    "options",
    [
        {"deps": ["raw/orders"]},
        {"key": "raw/report"},
        {"name": "raw/report"},
        {"key_prefix": "raw/x"},
        {"name": "input"},
        {"deps": ["with space"]},
    ],
    ids=["deps", "key", "name", "key_prefix", "reserved", "space"],
)
def test_a_name_dagster_refuses_is_a_definition_error(dg: Any, options: dict[str, Any]) -> None:
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="not a valid name"):
        _asset_with(dg, **options)


def test_an_asset_dep_with_a_slash_is_refused_as_in_dagster(dg: Any) -> None:
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="not a valid name"):
        _asset_with(dg, deps=[dg.AssetDep("raw/orders")])
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="not a valid name"):

        @dg.multi_asset(specs=[dg.AssetSpec("raw/orders")])
        def spec_key() -> None:
            return None

    with pytest.raises(dg.DagsterInvalidDefinitionError, match="not a valid name"):

        @dg.multi_asset(specs=[dg.AssetSpec("x", deps=["raw/orders"])])
        def spec_dep() -> None:
            return None

    with pytest.raises(dg.DagsterInvalidDefinitionError, match="not a valid name"):

        @dg.multi_asset(outs={"a/b": dg.AssetOut()})
        def out_name() -> None:
            return None


def test_names_made_from_dashes_and_dots_are_accepted(dg: Any) -> None:
    dashed = _asset_with(dg, key=["my-asset"], deps=["raw.orders", dg.AssetKey(["raw", "x"])])
    assert dashed.key == dg.AssetKey(["my-asset"])
    assert _asset_with(dg, key_prefix=["raw-x"]).key == dg.AssetKey(["raw-x", "report"])


def test_one_part_keys_with_a_slash_are_accepted_where_dagster_accepts_them(dg: Any) -> None:
    @dg.multi_asset(outs={"o": dg.AssetOut(key="a/b"), "p": dg.AssetOut(key_prefix="c/d")})
    def split() -> tuple[int, int]:
        return 1, 2

    assert set(split.keys) == {dg.AssetKey(["a/b"]), dg.AssetKey(["c/d", "p"])}


@pytest.fixture
def path_asset(dg: Any) -> Any:
    @dg.asset(key=["raw", "orders"])
    def orders() -> int:
        return 3

    return orders


def test_asset_values_and_lookups_read_a_string_as_one_part(dg: Any, path_asset: Any) -> None:
    result = dg.materialize([path_asset])
    assert result.asset_value(["raw", "orders"]) == 3
    assert result.asset_value(dg.AssetKey(["raw", "orders"])) == 3
    # Dagster raises its internal CheckError here, workbench a DagsterInvariantViolationError
    with pytest.raises(Exception, match="raw/orders"):
        result.asset_value("raw/orders")
    defs = dg.Definitions(assets=[path_asset])
    assert defs.get_assets_def(["raw", "orders"]).key == dg.AssetKey(["raw", "orders"])
    with pytest.raises(dg.DagsterInvariantViolationError):
        defs.get_assets_def("raw/orders")


def test_an_asset_in_string_names_a_one_part_key(dg: Any, path_asset: Any) -> None:
    @dg.asset(ins={"orders": dg.AssetIn(key="raw/orders")})
    def one_part(orders: int) -> int:
        return orders

    @dg.asset(ins={"orders": dg.AssetIn(key=["raw", "orders"])})
    def path(orders: int) -> int:
        return orders * 2

    assert dg.materialize([path_asset, path]).asset_value("path") == 6
    with pytest.raises(dg.DagsterInvalidDefinitionError):
        dg.materialize([path_asset, one_part])


@pytest.mark.parametrize(
    "selection",
    ["raw/orders", ["raw/orders"], "key:raw/orders"],
    ids=["string", "list", "key-syntax"],
)
def test_selections_read_a_string_as_a_path(dg: Any, path_asset: Any, selection: Any) -> None:
    @dg.asset
    def other() -> int:
        return 1

    result = dg.materialize([path_asset, other], selection=selection)
    assert result.asset_value(["raw", "orders"]) == 3
    assert len(result.get_asset_materialization_events()) == 1
    by_key = dg.materialize([path_asset, other], selection=[dg.AssetKey(["raw", "orders"])])
    assert len(by_key.get_asset_materialization_events()) == 1


def test_asset_selection_and_asset_jobs_read_a_string_as_a_path(dg: Any, path_asset: Any) -> None:
    assert repr(dg.AssetSelection.keys("raw/orders")) != repr(dg.AssetSelection.keys("x"))
    job = dg.define_asset_job("orders_job", selection=dg.AssetSelection.keys("raw/orders"))
    listed = dg.define_asset_job("listed_job", selection=["raw/orders"])
    defs = dg.Definitions(assets=[path_asset], jobs=[job, listed])
    for name in ("orders_job", "listed_job"):
        result = defs.resolve_job_def(name).execute_in_process()
        assert result.asset_value(["raw", "orders"]) == 3


def test_a_materialize_result_or_metadata_for_a_path_string_fails_the_step(dg: Any) -> None:
    @dg.multi_asset(specs=[dg.AssetSpec(["raw", "orders"]), dg.AssetSpec("c")])
    def both() -> Any:
        yield dg.MaterializeResult(asset_key="raw/orders")
        yield dg.MaterializeResult(asset_key="c")

    @dg.asset(key=["raw", "orders"])
    def tagged(context):
        context.add_asset_metadata({"rows": 1}, asset_key="raw/orders")
        return 1

    for assets in ([both], [tagged]):
        assert not dg.materialize(assets, raise_on_error=False).success
