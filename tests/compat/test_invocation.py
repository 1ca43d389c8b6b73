"""Calling ops and assets directly with built contexts, resources and inputs (#12)."""

from typing import Any

import pytest


def adder(dg: Any, kind: str) -> tuple[Any, Any, Any]:
    class Offset(dg.ConfigurableResource):
        z: int

    decorate = dg.asset if kind == "asset" else dg.op
    build = dg.build_asset_context if kind == "asset" else dg.build_op_context

    @decorate
    def add(context, x: int, y: int, offset: Offset) -> int:
        assert context.resources.offset.z == offset.z
        return x + y + offset.z

    return add, Offset, build


@pytest.mark.parametrize("kind", ["op", "asset"])
def test_inputs_by_position_or_name_with_resources_from_the_context(dg: Any, kind: str) -> None:
    add, offset, build = adder(dg, kind)
    assert add(build(resources={"offset": offset(z=2)}), 4, 5) == 11
    assert add(build(resources={"offset": offset(z=3)}), y=1, x=2) == 6


@pytest.mark.parametrize("kind", ["op", "asset"])
def test_resources_given_as_arguments_join_the_context(dg: Any, kind: str) -> None:
    add, offset, build = adder(dg, kind)
    assert add(build(), 10, 20, offset=offset(z=30)) == 60
    assert add(build(), 10, 20, offset(z=1)) == 31


@pytest.mark.parametrize("kind", ["op", "asset"])
def test_resources_in_both_places_are_refused(dg: Any, kind: str) -> None:
    add, offset, build = adder(dg, kind)
    with pytest.raises(dg.DagsterInvalidInvocationError):
        add(build(resources={"offset": offset(z=1)}), 1, 2, offset=offset(z=2))


def test_a_resource_before_the_inputs_takes_a_positional_argument(dg: Any) -> None:
    class Offset(dg.ConfigurableResource):
        z: int

    @dg.op
    def resource_first(offset: Offset, x: int, y: int) -> int:
        return x + y + offset.z

    assert resource_first(Offset(z=2), 45, 53) == 100
    assert resource_first(dg.build_op_context(resources={"offset": Offset(z=2)}), x=4, y=5) == 11


def test_a_function_style_resource_in_a_built_context(dg: Any) -> None:
    @dg.resource
    def numbers(context: Any) -> Any:
        yield [1, 2]

    @dg.asset(required_resource_keys={"numbers"})
    def total(context) -> int:
        return sum(context.resources.numbers)

    with dg.build_op_context(resources={"numbers": numbers}) as context:
        assert total(context) == 3
