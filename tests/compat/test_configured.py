"""``configured`` on resource classes and ops, config mappings, graph run config (#12)."""

from typing import Any

import pytest


def writer_job(dg: Any) -> tuple[Any, Any]:
    class Writer(dg.ConfigurableResource):
        text: str

    @dg.op
    def write(writer: dg.ConfigurableResource) -> str:
        return str(writer.text)

    @dg.job
    def writes() -> None:
        write()

    return Writer, writes


def test_configured_resource_class_maps_a_simpler_config(dg: Any) -> None:
    Writer, writes = writer_job(dg)

    class Short(dg.Config):
        word: str

    @dg.configured(Writer)
    def as_dict(config: Short) -> dict[str, Any]:
        return {"text": config.word * 2}

    @dg.configured(Writer)
    def as_resource(config: Short) -> Any:
        return Writer(text=config.word.upper())

    @dg.configured(Writer)
    def fixed(_: Any) -> dict[str, Any]:
        return {"text": "always"}

    def run(resource: Any) -> Any:
        return writes.execute_in_process(resources={"writer": resource}).output_for_node("write")

    assert run(as_dict.configured({"word": "ab"})) == "abab"
    assert run(as_resource.configured({"word": "ab"})) == "AB"
    assert run(fixed) == "always"


def test_configured_function_resource_with_a_config_class(dg: Any) -> None:
    Writer, writes = writer_job(dg)

    @dg.resource(config_schema={"text": str})
    def legacy(context: Any) -> Any:
        return Writer(text=context.resource_config["text"])

    class Short(dg.Config):
        word: str

    @dg.configured(legacy)
    def simpler(config: Short) -> dict[str, Any]:
        return {"text": config.word + "!"}

    result = writes.execute_in_process(resources={"writer": simpler.configured({"word": "hi"})})
    assert result.output_for_node("write") == "hi!"


def test_configured_op_takes_the_simpler_config(dg: Any) -> None:
    class Full(dg.Config):
        greeting: str
        name: str

    @dg.op
    def greet(config: Full) -> str:
        return f"{config.greeting}, {config.name}"

    class Short(dg.Config):
        name: str

    @dg.configured(greet)
    def hello(config: Short) -> dict[str, Any]:
        return {"greeting": "hello", "name": config.name}

    @dg.configured(greet)
    def hi(config: Short) -> Any:
        return Full(greeting="hi", name=config.name)

    @dg.job
    def greets() -> None:
        hello()
        hi()

    run_config = dg.RunConfig(ops={"hello": Short(name="ada"), "hi": Short(name="bob")})
    result = greets.execute_in_process(run_config=run_config)
    assert result.output_for_node("hello") == "hello, ada"
    assert result.output_for_node("hi") == "hi, bob"


def test_configured_mistakes_are_refused(dg: Any) -> None:
    Writer, _ = writer_job(dg)

    class Short(dg.Config):
        word: str

    with pytest.raises(Exception, match="config_schema"):

        @dg.configured(Writer, config_schema={"word": str})
        def schema_twice(config: Short) -> Any: ...

    with pytest.raises(Exception, match="one parameter"):

        @dg.configured(Writer)
        def two_parameters(config: Short, extra: str) -> Any: ...

    with pytest.raises(Exception, match=r"config_schema|Config"):

        @dg.config_mapping(config_schema={"word": str})
        def mapping_twice(config: Short) -> Any: ...


def test_a_graph_takes_op_config_nested_under_its_name_in_a_run_config(dg: Any) -> None:
    class Size(dg.Config):
        n: int

    @dg.op
    def measure(config: Size) -> int:
        return config.n

    @dg.graph
    def inner() -> None:
        measure()

    @dg.graph
    def outer() -> None:
        inner()
        measure()

    @dg.job
    def measures() -> None:
        outer()

    run_config = dg.RunConfig(
        ops={"outer": {"ops": {"inner": {"ops": {"measure": Size(n=1)}}, "measure": Size(n=2)}}}
    )
    result = measures.execute_in_process(run_config=run_config)
    assert result.output_for_node("outer.inner.measure") == 1
    assert result.output_for_node("outer.measure") == 2


def test_a_graph_config_mapping_takes_the_graph_config_a_job_mapping_gives(dg: Any) -> None:
    class Full(dg.Config):
        text: str

    @dg.op
    def echo(config: Full) -> str:
        return config.text

    class Middle(dg.Config):
        word: str

    @dg.config_mapping
    def to_ops(config: Middle) -> dict[str, Any]:
        return {"echo": {"config": {"text": config.word * 2}}}

    @dg.graph(config=to_ops)
    def echoes() -> None:
        echo()

    class Outer(dg.Config):
        letter: str

    @dg.config_mapping
    def to_graph(config: Outer) -> Any:
        return dg.RunConfig(ops={"echoes": Middle(word=config.letter.upper())})

    @dg.job(config=to_graph)
    def wrapped() -> None:
        echoes()

    result = wrapped.execute_in_process(run_config={"letter": "a"})
    assert result.output_for_node("echoes.echo") == "AA"


def test_a_factory_resource_may_be_bound_where_its_product_is_expected(dg: Any) -> None:
    class Writer(dg.ConfigurableResource):
        text: str

    class WriterFactory(dg.ConfigurableResource):
        times: int

        def create_resource(self, context: Any) -> Any:
            return Writer(text="w" * self.times)

    @dg.op
    def write(writer: Writer) -> str:
        return writer.text

    @dg.job(resource_defs={"writer": WriterFactory(times=3)})
    def writes() -> None:
        write()

    assert writes.execute_in_process().output_for_node("write") == "www"
