"""Enum config: members by name in constructors and run config, values in the context."""

import enum
from typing import Any

import pytest
from pydantic import Field


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


def test_a_constructor_takes_the_member_its_name_or_its_value(dg: Any) -> None:
    class Paint(dg.Config):
        color: Color = Color.BLUE

    assert Paint(color="RED").color is Color.RED
    assert Paint(color="red").color is Color.RED
    assert Paint(color=Color.RED).color is Color.RED


def _painted(dg: Any) -> Any:
    """An asset whose config holds a Color and that returns the member's name."""

    class Paint(dg.Config):
        color: Color = Color.RED

    @dg.asset
    def painted(config: Paint) -> str:
        return config.color.name

    return painted


def test_run_config_takes_the_member_name(dg: Any) -> None:
    run_config = {"ops": {"painted": {"config": {"color": "BLUE"}}}}
    result = dg.materialize([_painted(dg)], run_config=run_config)
    assert result.output_for_node("painted") == "BLUE"


def test_run_config_refuses_the_member_value(dg: Any) -> None:
    run_config = {"ops": {"painted": {"config": {"color": "blue"}}}}
    with pytest.raises(dg.DagsterInvalidConfigError):
        dg.materialize([_painted(dg)], run_config=run_config)


def test_the_context_shows_the_member_value(dg: Any) -> None:
    seen: dict[str, Any] = {}

    class Palette(dg.ConfigurableResource):
        color: Color

        def setup_for_execution(self, context: Any) -> None:
            seen.update(context.resource_config)

    class Paint(dg.Config):
        color: Color = Color.BLUE

    @dg.op
    def paint(context: dg.OpExecutionContext, palette: Palette, config: Paint) -> Any:
        return context.op_config

    @dg.job
    def painting() -> None:
        paint()

    result = painting.execute_in_process(resources={"palette": Palette(color=Color.RED)})
    assert seen == {"color": "red"}
    assert result.output_for_node("paint") == {"color": "blue"}


def test_workbench_says_which_name_to_give() -> None:
    import workbench as wb

    class Paint(wb.Config):
        color: Color = Color.RED

    @wb.asset
    def painted(config: Paint) -> str:
        return config.color.name

    with pytest.raises(wb.DagsterInvalidConfigError) as caught:
        wb.materialize([painted], run_config={"ops": {"painted": {"config": {"color": "blue"}}}})
    (path, message), *_ = caught.value.errors
    assert path == "ops.painted.config.color"
    assert "give the member's name, 'BLUE'" in message


def test_run_config_names_members_in_lists_and_dicts(dg: Any) -> None:
    class Palette(dg.Config):
        favourite: Color | None = None
        colors: list[Color]
        by_wall: dict[str, Color] = Field(default_factory=dict)

    seen: list[Any] = []

    @dg.op
    def paint(config: Palette) -> None:
        seen.append((config.favourite, config.colors, config.by_wall))

    @dg.job
    def painting() -> None:
        paint()

    given = {"colors": ["RED", "BLUE"], "by_wall": {"north": "BLUE"}}
    assert painting.execute_in_process({"ops": {"paint": {"config": given}}}).success
    assert seen == [(None, [Color.RED, Color.BLUE], {"north": Color.BLUE})]
    with pytest.raises(dg.DagsterInvalidConfigError):
        painting.execute_in_process({"ops": {"paint": {"config": {"colors": ["RED", "GREEN"]}}}})
