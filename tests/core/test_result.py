from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

import workbench as wb

if TYPE_CHECKING:
    from workbench.core.instance import Instance


@wb.asset
def orders() -> int:
    return 1


@wb.asset
def customers() -> int:
    return 2


@wb.asset
def summary() -> wb.MaterializeResult:
    return wb.MaterializeResult(metadata={"rows": 1})


def test_asset_value_of_a_misspelt_key_suggests_the_close_one(instance: Instance) -> None:
    result = wb.materialize([orders, customers], instance=instance)
    with pytest.raises(wb.DagsterInvariantViolationError) as caught:
        result.asset_value("order")
    assert str(caught.value) == (
        f"asset 'order' was not materialized in run {result.run_id}; did you mean 'orders'?"
    )


def test_asset_value_of_an_unselected_asset_says_how_to_get_it(instance: Instance) -> None:
    result = wb.materialize([orders, customers], selection=["orders"], instance=instance)
    with pytest.raises(wb.DagsterInvariantViolationError) as caught:
        result.asset_value("customers")
    assert str(caught.value) == (
        f"asset 'customers' was not materialized in run {result.run_id}; it materialized "
        "orders; include 'customers' in the selection to get its value"
    )


def test_output_for_node_suggests_the_close_output(instance: Instance) -> None:
    result = wb.materialize([orders, customers], instance=instance)
    with pytest.raises(wb.DagsterInvariantViolationError) as caught:
        result.output_for_node("order")
    assert str(caught.value) == (
        f"no output 'result' of node 'order' in run {result.run_id}; did you mean node 'orders'?"
    )


def test_value_of_a_materialize_result_without_one_says_what_to_return(
    instance: Instance,
) -> None:
    result = wb.materialize([summary], instance=instance)
    fix = "return the value itself (or MaterializeResult(value=...))"
    with pytest.raises(wb.DagsterInvariantViolationError, match=r"stores no value; return the"):
        result.asset_value("summary")
    with pytest.raises(wb.DagsterInvariantViolationError) as caught:
        result.output_for_node("summary")
    assert str(caught.value) == (
        f"node 'summary' returned a MaterializeResult with no value; {fix}"
    )
