"""Test helpers Dagster code uses: build_resources, built contexts, materialize_to_memory (#12)."""

from typing import Any

import pytest


def counter(dg: Any) -> Any:
    @dg.resource(config_schema={"start": int})
    def count_from(context: Any) -> int:
        return int(context.resource_config["start"])

    return count_from


def test_build_resources_takes_config_in_run_config_shape(dg: Any) -> None:
    class Warehouse(dg.ConfigurableResource):
        size: int = 1

    resources = {"start": counter(dg), "warehouse": Warehouse()}
    config = {"start": {"config": {"start": 5}}, "warehouse": {"config": {"size": 3}}}
    with dg.build_resources(resources, resource_config=config) as ready:
        assert ready.start == 5
        assert ready.warehouse.size == 3


def test_config_without_its_config_key_is_refused(dg: Any) -> None:
    with (
        pytest.raises(dg.DagsterInvalidConfigError) as caught,
        dg.build_resources({"start": counter(dg)}, resource_config={"start": {"start": 5}}),
    ):
        pass
    if dg.__name__ == "workbench":
        assert "{'config': {...}}" in str(caught.value)


def test_a_built_op_context_takes_resource_config_in_run_config_shape(dg: Any) -> None:
    @dg.op(required_resource_keys={"start"})
    def read(context):
        return int(context.resources.start)

    context = dg.build_op_context(
        resources={"start": counter(dg)}, resources_config={"start": {"config": {"start": 2}}}
    )
    assert read(context) == 2


def test_a_function_style_resource_takes_a_plain_config_value(dg: Any) -> None:
    @dg.resource(config_schema=str)
    def shout(context: Any) -> str:
        return str(context.resource_config).upper()

    @dg.op(required_resource_keys={"shout", "text"})
    def read(context):
        return f"{context.resources.shout} {context.resources.text}"

    @dg.job(resource_defs={"shout": shout, "text": dg.ResourceDefinition.string_resource()})
    def reads() -> None:
        read()

    run_config = {"resources": {"shout": {"config": "ab"}, "text": {"config": "cd"}}}
    assert reads.execute_in_process(run_config).output_for_node("read") == "AB cd"


def test_a_pythonic_resource_refuses_a_plain_config_value(dg: Any) -> None:
    class Warehouse(dg.ConfigurableResource):
        size: int = 1

    @dg.asset
    def table(warehouse: Warehouse) -> int:
        return warehouse.size

    run_config = {"resources": {"warehouse": {"config": "big"}}}
    with pytest.raises(dg.DagsterInvalidConfigError):
        dg.materialize([table], resources={"warehouse": Warehouse()}, run_config=run_config)


def test_materialize_to_memory_keeps_values_in_the_result(dg: Any) -> None:
    class Base(dg.ConfigurableResource):
        value: int

    @dg.asset
    def first(base: Base) -> int:
        return base.value

    @dg.asset
    def second(first: int) -> int:
        return first + 1

    result = dg.materialize_to_memory([first, second], resources={"base": Base(value=1)})
    assert result.success
    assert result.asset_value("second") == 2


def test_materialize_to_memory_refuses_an_io_manager(dg: Any) -> None:
    class Keep(dg.ConfigurableIOManager):
        def handle_output(self, context: Any, obj: Any) -> None:
            return None

        def load_input(self, context: Any) -> Any:
            return None

    @dg.asset
    def first() -> int:
        return 1

    with pytest.raises(dg.DagsterInvariantViolationError, match="io_manager"):
        dg.materialize_to_memory([first], resources={"io_manager": Keep()})


def test_the_init_context_names_its_run(dg: Any) -> None:
    seen: dict[str, Any] = {}

    @dg.resource
    def watcher(context: Any) -> int:
        seen["same run"] = context.dagster_run.run_id == context.run_id
        return 1

    @dg.op(required_resource_keys={"watcher"})
    def read(context):
        return int(context.resources.watcher)

    @dg.job(resource_defs={"watcher": watcher})
    def reads() -> None:
        read()

    assert reads.execute_in_process().success
    assert seen == {"same run": True}
    assert dg.build_init_resource_context().dagster_run is None


def test_a_pythonic_resource_has_a_resource_definition(dg: Any) -> None:
    class Warehouse(dg.ConfigurableResource):
        size: int = 4

    definition = Warehouse().get_resource_definition()
    assert isinstance(definition, dg.ResourceDefinition)

    @dg.op(required_resource_keys={"warehouse"})
    def read(context):
        return int(context.resources.warehouse.size)

    @dg.job(resource_defs={"warehouse": definition})
    def reads() -> None:
        read()

    assert reads.execute_in_process().output_for_node("read") == 4


def test_a_mock_resource_answers_anything(dg: Any) -> None:
    @dg.op(required_resource_keys={"client"})
    def call(context):
        context.resources.client.fetch("x")
        return bool(context.resources.client.fetch.called)

    @dg.job(resource_defs={"client": dg.ResourceDefinition.mock_resource()})
    def calls() -> None:
        call()

    assert calls.execute_in_process().output_for_node("call") is True


def test_op_config_schema_describes_nested_config(dg: Any) -> None:
    from typing import Annotated

    from pydantic import Field

    class Window(dg.Config):
        days: Annotated[int, Field(description="How many days")]

    class Report(dg.Config):
        """Config of the report."""

        title: str = Field(description="The title")
        window: Window = Field(description="The window")

    @dg.op
    def report(config: Report) -> None:
        return None

    schema = report.config_schema
    assert schema.description == "Config of the report."
    fields = schema.config_type.fields
    assert list(fields) == ["title", "window"]
    assert fields["title"].description == "The title"
    assert fields["window"].description == "The window"
    assert fields["window"].config_type.fields["days"].description == "How many days"


def test_a_step_context_annotated_with_another_type_is_refused(dg: Any) -> None:
    with pytest.raises(dg.DagsterInvalidDefinitionError):

        @dg.op
        def read(context: int) -> None:
            return None

    with pytest.raises(dg.DagsterInvalidDefinitionError):

        @dg.asset
        def table(context: str) -> None:
            return None

    @dg.asset
    def annotated(context: dg.AssetExecutionContext) -> int:
        return 1

    @dg.sensor(job_name="some_job")
    def watch(context: dg.SensorEvaluationContext) -> None:
        return None

    assert dg.materialize([annotated]).success
