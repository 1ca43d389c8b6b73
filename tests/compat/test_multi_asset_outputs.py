"""``@multi_asset`` outputs as Dagster runs them: IO managers, optional outputs, subsets (#13)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def memory(dg: Any) -> tuple[Any, dict[tuple[str, ...], Any]]:
    stored: dict[tuple[str, ...], Any] = {}

    class Memory(dg.ConfigurableIOManager):
        def handle_output(self, context: Any, obj: Any) -> None:
            stored[tuple(context.asset_key.path)] = obj

        def load_input(self, context: Any) -> Any:
            return ("loaded", stored[tuple(context.asset_key.path)])

    return Memory, stored


def test_each_output_is_stored_and_loaded_by_its_own_io_manager(dg: Any, memory: Any) -> None:
    memory_class, stored = memory

    @dg.multi_asset(outs={"a": dg.AssetOut(io_manager_key="memory"), "b": dg.AssetOut()})
    def split() -> tuple[int, int]:
        return 1, 2

    @dg.asset
    def both(a: Any, b: Any) -> Any:
        return (a, b)

    result = dg.materialize([split, both], resources={"memory": memory_class()})
    assert result.asset_value("both") == (("loaded", 1), 2)
    assert stored == {("a",): 1}


def test_an_output_io_manager_nothing_binds_is_a_definition_error(dg: Any) -> None:
    @dg.multi_asset(outs={"a": dg.AssetOut(io_manager_key="memory"), "b": dg.AssetOut()})
    def split() -> tuple[int, int]:
        return 1, 2

    with pytest.raises(dg.DagsterInvalidDefinitionError, match="'memory'"):
        dg.materialize([split])


def test_asset_out_describes_its_asset(dg: Any) -> None:
    @dg.multi_asset(
        outs={
            "a": dg.AssetOut(
                key_prefix="p",
                group_name="g",
                description="the a",
                metadata={"rows": 1},
                code_version="v1",
                tags={"team": "core"},
            ),
            "b": dg.AssetOut(key=["x", "b"]),
        },
        group_name=None,
    )
    def split() -> tuple[int, int]:
        return 1, 2

    specs = {tuple(spec.key.path): spec for spec in split.specs}
    assert set(specs) == {("p", "a"), ("x", "b")}
    first = specs[("p", "a")]
    assert (first.group_name, first.description, first.code_version) == ("g", "the a", "v1")
    assert first.metadata == {"rows": 1}
    assert first.tags == {"team": "core"}
    with pytest.raises(Exception, match="key"):
        dg.AssetOut(key="k", key_prefix="p")


def test_an_optional_output_may_be_left_out_and_a_required_one_may_not(dg: Any) -> None:
    @dg.multi_asset(outs={"a": dg.AssetOut(is_required=False), "b": dg.AssetOut()})
    def optional() -> Any:
        yield dg.Output(2, output_name="b")

    result = dg.materialize([optional])
    assert result.asset_value("b") == 2
    assert len(result.get_asset_materialization_events()) == 1

    @dg.multi_asset(outs={"a": dg.AssetOut(), "b": dg.AssetOut()})
    def required() -> Any:
        yield dg.Output(2, output_name="b")

    assert not dg.materialize([required], raise_on_error=False).success


def _subsettable(dg: Any, calls: list[Any]) -> Any:
    @dg.multi_asset(
        outs={"a": dg.AssetOut(is_required=False), "b": dg.AssetOut(is_required=False)},
        can_subset=True,
    )
    def pair(context):
        calls.append((sorted(context.selected_output_names), sorted(context.selected_asset_keys)))
        for name in sorted(context.selected_output_names):
            yield dg.Output(name.upper(), output_name=name)

    return pair


def test_a_subsettable_multi_asset_runs_only_the_selected_outputs(dg: Any) -> None:
    calls: list[Any] = []
    pair = _subsettable(dg, calls)
    result = dg.materialize([pair], selection=["a"])
    assert calls == [(["a"], [dg.AssetKey("a")])]
    assert result.asset_value("a") == "A"
    assert len(result.get_asset_materialization_events()) == 1
    calls.clear()
    whole = dg.materialize([pair])
    assert calls == [(["a", "b"], [dg.AssetKey("a"), dg.AssetKey("b")])]
    assert (whole.asset_value("a"), whole.asset_value("b")) == ("A", "B")


def test_a_subset_step_that_yields_an_unselected_output_fails(dg: Any) -> None:
    @dg.multi_asset(
        outs={"a": dg.AssetOut(is_required=False), "b": dg.AssetOut(is_required=False)},
        can_subset=True,
    )
    def eager() -> Any:
        yield dg.Output(1, output_name="a")
        yield dg.Output(2, output_name="b")

    assert not dg.materialize([eager], selection=["a"], raise_on_error=False).success


def test_part_of_a_multi_asset_without_can_subset_cannot_be_selected(dg: Any) -> None:
    @dg.multi_asset(outs={"a": dg.AssetOut(), "b": dg.AssetOut()})
    def whole() -> tuple[int, int]:
        return 1, 2

    with pytest.raises(dg.DagsterInvalidDefinitionError):
        dg.materialize([whole], selection=["a"])
    job = dg.define_asset_job(
        "whole_job", selection=dg.AssetSelection.assets("a").required_multi_asset_neighbors()
    )
    result = dg.Definitions(assets=[whole], jobs=[job]).resolve_job_def("whole_job")
    assert result.execute_in_process().asset_value("b") == 2


def test_multi_asset_description_and_code_version_fill_each_asset_without_its_own(
    dg: Any,
) -> None:
    @dg.multi_asset(
        outs={"a": dg.AssetOut(code_version="own", description="mine"), "b": dg.AssetOut()},
        code_version="shared",
        description="both",
    )
    def split() -> tuple[int, int]:
        return 1, 2

    specs = {spec.key: spec for spec in split.specs}
    assert (specs[dg.AssetKey("a")].code_version, specs[dg.AssetKey("b")].code_version) == (
        "own",
        "shared",
    )
    assert (specs[dg.AssetKey("a")].description, specs[dg.AssetKey("b")].description) == (
        "mine",
        "both",
    )
    with pytest.raises(Exception, match="group_name"):

        @dg.multi_asset(outs={"a": dg.AssetOut(group_name="x")}, group_name="y")
        def grouped() -> int:
            return 1


def test_a_subset_run_still_needs_every_required_output(dg: Any) -> None:
    # as in Dagster: can_subset outputs are declared is_required=False to be left out
    @dg.multi_asset(outs={"a": dg.AssetOut(), "b": dg.AssetOut()}, can_subset=True)
    def pair() -> Any:
        yield dg.Output(1, output_name="a")

    assert not dg.materialize([pair], selection=["a"], raise_on_error=False).success


def test_materialize_to_memory_keeps_outputs_of_named_io_managers_in_memory(dg: Any) -> None:
    @dg.multi_asset(outs={"a": dg.AssetOut(io_manager_key="memory"), "b": dg.AssetOut()})
    def split() -> tuple[int, int]:
        return 1, 2

    @dg.asset
    def total(a: int, b: int) -> int:
        return a + b

    assert dg.materialize_to_memory([split, total]).asset_value("total") == 3
