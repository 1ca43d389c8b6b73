"""The function-style resource API beside Pythonic resources: @resource, configured... (#12)."""

from typing import Any

import pytest

SCHEMA_RUN = {"a": 1, "s": {"env": "WB_COMPAT_S"}, "l": [1, 2], "n": {}}


def schema(dg: Any) -> dict[str, Any]:
    return {
        "a": int,
        "b": dg.Field(str, default_value="x"),
        "s": dg.StringSource,
        "l": [int],
        "n": {"inner": dg.Field(int, is_required=False)},
    }


def job_with(dg: Any, **resource_defs: Any) -> Any:
    @dg.op(required_resource_keys={"r"})
    def read(context):
        return context.resources.r

    @dg.job(resource_defs=resource_defs)
    def reads() -> None:
        read()

    return reads


def test_a_resource_function_gets_its_validated_config(
    dg: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WB_COMPAT_S", "from env")

    @dg.resource(config_schema=schema(dg))
    def echo(context: Any) -> Any:
        return context.resource_config

    result = job_with(dg, r=echo).execute_in_process(
        run_config={"resources": {"r": {"config": SCHEMA_RUN}}}
    )
    assert result.output_for_node("read") == {
        "a": 1,
        "b": "x",
        "s": "from env",
        "l": [1, 2],
        "n": {},
    }
    assert isinstance(echo, dg.ResourceDefinition)


def test_bad_resource_config_is_an_invalid_config_error(dg: Any) -> None:
    @dg.resource(config_schema=schema(dg))
    def echo(context: Any) -> Any:
        return context.resource_config

    bad = {"resources": {"r": {"config": {**SCHEMA_RUN, "a": "x", "s": "q"}}}}
    with pytest.raises(dg.DagsterInvalidConfigError):
        job_with(dg, r=echo).execute_in_process(run_config=bad)


def test_configured_fixes_or_maps_the_config(dg: Any) -> None:
    @dg.resource(config_schema=schema(dg))
    def echo(context: Any) -> Any:
        return context.resource_config

    fixed = echo.configured({"a": 2, "s": "z", "l": [], "n": {}})
    assert job_with(dg, r=fixed).execute_in_process().output_for_node("read")["a"] == 2

    @dg.configured(echo, config_schema={"x": int})
    def mapped(config: Any) -> Any:
        return {"a": config["x"] * 10, "s": "s", "l": [], "n": {}}

    result = job_with(dg, r=mapped).execute_in_process(
        run_config={"resources": {"r": {"config": {"x": 4}}}}
    )
    assert result.output_for_node("read")["a"] == 40


def test_a_generator_resource_tears_down_after_the_run(dg: Any) -> None:
    calls: list[str] = []

    @dg.resource
    def session(context: Any) -> Any:
        calls.append("open")
        yield "session"
        calls.append("close")

    result = job_with(dg, r=session).execute_in_process()
    assert result.output_for_node("read") == "session"
    assert calls == ["open", "close"]


def test_required_resource_keys_of_a_resource_are_set_up_first(dg: Any) -> None:
    @dg.resource(required_resource_keys={"base"})
    def derived(context: Any) -> str:
        return str(context.resources.base) + "+derived"

    base = dg.ResourceDefinition.hardcoded_resource("base")
    result = job_with(dg, r=derived, base=base).execute_in_process()
    assert result.output_for_node("read") == "base+derived"


def test_hardcoded_and_none_resources(dg: Any) -> None:
    assert (
        job_with(dg, r=dg.ResourceDefinition.none_resource())
        .execute_in_process()
        .output_for_node("read")
        is None
    )
    hardcoded = dg.ResourceDefinition.hardcoded_resource({"k": 1})
    assert job_with(dg, r=hardcoded).execute_in_process().output_for_node("read") == {"k": 1}


def test_a_resource_function_called_directly(dg: Any) -> None:
    @dg.resource(config_schema={"prefix": str})
    def labeller(context: Any) -> Any:
        return context.resource_config["prefix"] + "!"

    assert labeller(dg.build_init_resource_context(config={"prefix": "hey"})) == "hey!"


def test_from_resource_context_builds_a_pythonic_resource_in_a_function(dg: Any) -> None:
    log: list[str] = []

    class Conn(dg.ConfigurableResource):
        host: str

        def setup_for_execution(self, context: Any) -> None:
            log.append(f"setup {self.host}")

    @dg.resource(config_schema={"host": str})
    def conn(context: Any) -> Any:
        return Conn.from_resource_context(context)

    @dg.resource(config_schema={"host": str})
    def conn_cm(context: Any) -> Any:
        with Conn.from_resource_context_cm(context) as value:
            yield value

    for definition in (conn, conn_cm):
        result = job_with(dg, r=definition).execute_in_process(
            run_config={"resources": {"r": {"config": {"host": "db"}}}}
        )
        assert result.output_for_node("read").host == "db"
    assert log == ["setup db", "setup db"]


def test_with_resources_binds_resources_to_assets(dg: Any) -> None:
    class Greeting(dg.ConfigurableResource):
        text: str = "hello"

    @dg.asset
    def greeted(greeting: Greeting) -> str:
        return greeting.text

    [bound] = dg.with_resources(
        [greeted],
        {"greeting": Greeting()},
        resource_config_by_key={"greeting": {"config": {"text": "hi"}}},
    )
    assert isinstance(bound, dg.AssetsDefinition)
    assert dg.materialize([bound]).asset_value("greeted") == "hi"


def test_process_config_and_initialize(dg: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WB_COMPAT_TOKEN", "t-1")
    torn: list[str] = []

    class Client(dg.ConfigurableResource):
        token: str

        def create_resource(self, context: Any) -> Any:
            return f"client({self.token})"

    class Closing(Client):
        def teardown_after_execution(self, context: Any) -> None:
            torn.append(self.token)

    assert Client(token=dg.EnvVar("WB_COMPAT_TOKEN")).process_config_and_initialize() == (
        "client(t-1)"
    )
    with Closing(token=dg.EnvVar("WB_COMPAT_TOKEN")).process_config_and_initialize_cm() as client:
        assert client == "client(t-1)"
        assert torn == []
    assert torn == ["t-1"]


def test_initializing_without_a_with_block_refuses_a_resource_that_tears_down() -> None:
    import workbench as wb

    class Closing(wb.ConfigurableResource):
        def teardown_after_execution(self, context: Any) -> None:
            pass

    with pytest.raises(wb.DagsterInvariantViolationError, match="process_config_and_init"):
        Closing().process_config_and_initialize()
    with pytest.raises(wb.DagsterInvariantViolationError, match="from_resource_context_cm"):
        Closing.from_resource_context(wb.build_init_resource_context())


def test_with_replaced_resource_context(dg: Any) -> None:
    class Plain(dg.ConfigurableResource):
        pass

    context = dg.build_init_resource_context()
    assert Plain().with_replaced_resource_context(context).get_resource_context() is context


def test_a_value_read_from_the_environment_is_scrubbed_from_logs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import workbench as wb

    monkeypatch.setenv("WB_COMPAT_PASSWORD", "hunter2-secret")

    @wb.resource(config_schema={"password": wb.StringSource})
    def login(context: Any) -> str:
        return str(context.resource_config["password"])

    @wb.op(required_resource_keys={"login"})
    def leaks(context):
        context.log.info(f"password is {context.resources.login}")

    @wb.job(resource_defs={"login": login})
    def run_it() -> None:
        leaks()

    result = run_it.execute_in_process(
        run_config={"resources": {"login": {"config": {"password": {"env": "WB_COMPAT_PASSWORD"}}}}}
    )
    messages = [event.message or "" for event in result.all_events]
    assert any("password is" in message for message in messages)
    assert not any("hunter2-secret" in message for message in messages)


def test_to_config_schema_feeds_a_function_style_resource(dg: Any) -> None:
    class Text(dg.ConfigurableResource[str]):
        value: str
        repeat: list[int]

        def create_resource(self, context: Any) -> str:
            return self.value * len(self.repeat)

    @dg.resource(config_schema=Text.to_config_schema())
    def text(context: Any) -> Any:
        return Text.from_resource_context(context)

    context = dg.build_init_resource_context({"value": "ab", "repeat": [1, 2]})
    assert text(context) == "abab"


def test_the_init_context_carries_the_instance(dg: Any) -> None:
    seen: list[Any] = []

    class Spy(dg.ConfigurableResource):
        def setup_for_execution(self, context: Any) -> None:
            seen.append(context.instance)

    @dg.asset
    def spied(spy: Spy) -> None:
        pass

    with dg.instance_for_test() as instance:
        assert dg.materialize([spied], resources={"spy": Spy()}, instance=instance).success
    assert seen == [instance]
    assert dg.build_init_resource_context(instance=instance).instance is instance


def test_function_style_mistakes_say_how_to_fix_them() -> None:
    import workbench as wb

    @wb.resource(config_schema={"a": int})
    def echo(context: Any) -> Any:
        return context.resource_config

    fixed = echo.configured({"a": 1})
    job = job_with(wb, r=fixed)
    with pytest.raises(wb.DagsterInvalidConfigError, match="configured already"):
        job.execute_in_process(run_config={"resources": {"r": {"config": {"a": 2}}}})
    with pytest.raises(wb.DagsterInvalidInvocationError, match="InitResourceContext"):
        echo("not a context")  # type: ignore[arg-type]
    with pytest.raises(wb.DagsterInvalidInvocationError, match="resource definition"):
        wb.configured(object())
    assert (
        wb.ResourceDefinition.string_resource()(wb.build_init_resource_context(config="text"))
        == "text"
    )
