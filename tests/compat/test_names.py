"""Names and helpers that Pythonic Dagster code uses, each behaving as Dagster's (#12)."""

from typing import Any

import pytest


def test_definitions_pass_dagsters_isinstance_checks(dg: Any) -> None:
    @dg.asset
    def one() -> int:
        return 1

    @dg.op
    def step() -> int:
        return 1

    @dg.job
    def steps() -> None:
        step()

    @dg.sensor(job=steps)
    def watch() -> None:
        return None

    assert isinstance(one, dg.AssetsDefinition)
    assert isinstance(step, dg.OpDefinition)
    assert isinstance(steps, dg.JobDefinition)
    assert isinstance(watch, dg.SensorDefinition)


def test_an_op_called_with_a_built_context_gets_its_resources(dg: Any) -> None:
    class Counter(dg.ConfigurableResource):
        start: int = 1

    @dg.op
    def count(context, counter: Counter) -> int:
        return int(counter.start + context.op_config["step"])

    @dg.op
    def without_context(counter: Counter) -> int:
        return counter.start

    context = dg.build_op_context(resources={"counter": Counter(start=3)}, op_config={"step": 2})
    assert count(context) == 5
    assert without_context(counter=Counter(start=7)) == 7
    assert without_context(dg.build_op_context(resources={"counter": Counter(start=8)})) == 8
    with pytest.raises(dg.DagsterInvalidInvocationError):
        count()
    with pytest.raises(dg.DagsterInvalidDefinitionError):
        count(dg.build_op_context())


def test_an_asset_called_with_a_built_context_gets_resources_and_config(dg: Any) -> None:
    class Prefix(dg.ConfigurableResource):
        text: str

    class Size(dg.Config):
        n: int = 2

    @dg.asset
    def labels(context: dg.AssetExecutionContext, prefix: Prefix, config: Size) -> list[str]:
        return [f"{prefix.text}{i}" for i in range(config.n)]

    context = dg.build_asset_context(resources={"prefix": Prefix(text="p")})
    assert labels(context, config=Size(n=3)) == ["p0", "p1", "p2"]


def test_a_built_context_sets_resources_up_and_tears_them_down_on_exit(dg: Any) -> None:
    log: list[str] = []

    class Conn(dg.ConfigurableResource):
        def setup_for_execution(self, context: Any) -> None:
            log.append("setup")

        def teardown_after_execution(self, context: Any) -> None:
            log.append("teardown")

    with dg.build_op_context(resources={"conn": Conn()}) as context:
        assert log == ["setup"]
        assert isinstance(context.resources.conn, Conn)
    assert log == ["setup", "teardown"]


def test_build_resources_hands_over_the_created_values(dg: Any) -> None:
    class Token(dg.ConfigurableResource):
        value: str

        def create_resource(self, context: Any) -> str:
            return f"token:{self.value}"

    class Greeter(dg.ConfigurableResource):
        greeting: str = "hi"

    with dg.build_resources({"token": Token(value="t"), "greeter": Greeter(), "raw": 5}) as res:
        assert res.token == "token:t"
        assert res.greeter.greeting == "hi"
        assert res.raw == 5


def test_a_resource_can_attach_another_object_to_the_context(dg: Any) -> None:
    class Client:
        name = "client"

    class Holder(dg.ConfigurableResource, dg.IAttachDifferentObjectToOpContext):
        def get_object_to_set_on_execution_context(self) -> Any:
            return Client()

    @dg.op(required_resource_keys={"holder"})
    def through_context(context) -> str:
        return str(context.resources.holder.name)

    @dg.op
    def through_param(holder: Holder) -> str:
        return type(holder).__name__

    @dg.job(resource_defs={"holder": Holder()})
    def both() -> None:
        through_context()
        through_param()

    result = both.execute_in_process()
    assert result.output_for_node("through_context") == "client"
    assert result.output_for_node("through_param") == "Holder"


def test_resource_dependency_holds_a_plain_or_function_style_resource(dg: Any) -> None:
    @dg.resource
    def writer(context: Any) -> Any:
        return lambda text: f"wrote {text}"

    class Postfixed(dg.ConfigurableResource):
        write: dg.ResourceDependency[Any]
        postfix: str

        def say(self, text: str) -> str:
            return str(self.write(text + self.postfix))

    @dg.asset
    def said(postfixed: Postfixed) -> str:
        return postfixed.say("hello")

    resources = {"postfixed": Postfixed(write=writer, postfix="!")}
    assert dg.materialize([said], resources=resources).asset_value("said") == "wrote hello!"


def test_a_typed_resource_factory_hands_its_created_value_to_steps(dg: Any) -> None:
    class Dsn(dg.ConfigurableResource[str]):
        host: str

        def create_resource(self, context: Any) -> str:
            return f"postgres://{self.host}"

    @dg.asset
    def dsn(db: dg.ResourceParam[str]) -> str:
        return str(db)

    assert dg.materialize([dsn], resources={"db": Dsn(host="h")}).asset_value("dsn") == (
        "postgres://h"
    )


def test_data_version_is_a_value_with_a_value_attribute(dg: Any) -> None:
    version = dg.DataVersion("v1")
    assert version.value == "v1"
    assert version == dg.DataVersion("v1")

    @dg.asset
    def versioned() -> Any:
        return dg.MaterializeResult(data_version=dg.DataVersion("v7"))

    result = dg.materialize([versioned])
    assert result.success


def test_a_data_version_object_is_recorded_as_its_text() -> None:
    import workbench as wb

    @wb.asset
    def versioned() -> Any:
        return wb.MaterializeResult(data_version=wb.DataVersion("v7"))

    result = wb.materialize([versioned])
    [event] = result.get_asset_materialization_events()
    assert event.data["data_version"] == "v7"


def test_config_field_and_string_source(dg: Any) -> None:
    assert dg.Field(int, default_value=3).default_value == 3
    assert dg.Field(str, is_required=False).is_required is False
    assert dg.Field(str).is_required is True


def test_instance_for_test_gives_an_instance_runs_are_recorded_in(dg: Any) -> None:
    @dg.asset
    def one() -> int:
        return 1

    with dg.instance_for_test() as instance:
        result = dg.materialize([one], instance=instance)
        assert result.success
        if dg.__name__ == "workbench":
            assert instance.run_store.get_run(result.run_id).job_name == "__ASSET_JOB"


def test_a_create_resource_that_yields_cleans_up_after_the_run(dg: Any) -> None:
    called: list[str] = []

    class WithCleanup(dg.ConfigurableResource[bool]):
        idx: int

        def create_resource(self, context: Any) -> Any:
            called.append(f"create {self.idx}")
            yield True
            called.append(f"cleanup {self.idx}")

    @dg.op
    def check(first: dg.ResourceParam[bool], second: dg.ResourceParam[bool]) -> None:
        assert first is True
        assert second is True
        called.append("op")

    @dg.job(resource_defs={"first": WithCleanup(idx=1), "second": WithCleanup(idx=2)})
    def both() -> None:
        check()

    assert both.execute_in_process().success
    assert called == ["create 1", "create 2", "op", "cleanup 2", "cleanup 1"]
