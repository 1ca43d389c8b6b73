"""Graphs, config mappings, validate_run_config, repositories and source assets (#12)."""

from typing import Any

import pytest


def config_op(dg: Any) -> Any:
    class Settings(dg.Config):
        n: int = 1
        s: str

    @dg.op
    def read(config: Settings) -> str:
        return f"{config.s}{config.n}"

    return read, Settings


def test_validate_run_config_fills_defaults_and_refuses_bad_config(dg: Any) -> None:
    read, _ = config_op(dg)

    @dg.job
    def reads() -> None:
        read()

    checked = dg.validate_run_config(reads, {"ops": {"read": {"config": {"s": "x"}}}})
    assert checked["ops"]["read"]["config"] == {"n": 1, "s": "x"}
    with pytest.raises(dg.DagsterInvalidConfigError):
        dg.validate_run_config(reads, {"ops": {"read": {"config": {"n": "x"}}}})


def test_a_config_mapping_takes_the_simpler_config(dg: Any) -> None:
    read, settings = config_op(dg)

    class Simple(dg.Config):
        word: str

    @dg.config_mapping
    def simplified(simple: Simple) -> Any:
        return dg.RunConfig(ops={"read": settings(s=simple.word, n=5)})

    @dg.job(config=simplified)
    def mapped() -> None:
        read()

    result = mapped.execute_in_process(run_config={"word": "q"})
    assert result.output_for_node("read") == "q5"


def test_a_graph_runs_as_a_job_and_nests_in_one(dg: Any) -> None:
    read, _ = config_op(dg)

    @dg.op
    def shout(text: str) -> str:
        return text.upper()

    @dg.graph
    def loud() -> Any:
        return shout(read())

    alone = loud.to_job().execute_in_process(run_config={"ops": {"read": {"config": {"s": "x"}}}})
    assert alone.output_for_node("shout") == "X1"

    @dg.job
    def outer() -> None:
        shout(loud())

    nested = outer.execute_in_process(
        run_config={"ops": {"loud": {"ops": {"read": {"config": {"s": "y"}}}}}}
    )
    assert nested.output_for_node("loud.shout") == "Y1"
    assert nested.output_for_node("loud") == "Y1"
    assert nested.output_for_node("shout") == "Y1"


def test_op_config_schema_and_config_fields(dg: Any) -> None:
    read, settings = config_op(dg)
    fields = settings.to_fields_dict()
    assert set(fields) == {"n", "s"}
    assert fields["s"].is_required
    assert not fields["n"].is_required
    assert fields["n"].default_value == 1
    assert list(read.config_schema.config_type.fields) == list(fields)
    assert read.config_schema.config_type.fields["n"].default_value == 1


def test_bind_resources_to_jobs_and_repository(dg: Any) -> None:
    class Greeting(dg.ConfigurableResource):
        text: str

    @dg.op
    def greet(greeting: Greeting) -> str:
        return greeting.text

    @dg.job
    def greets() -> None:
        greet()

    defs = dg.Definitions(
        jobs=dg.BindResourcesToJobs([greets]), resources={"greeting": Greeting(text="hi")}
    )
    assert defs.get_job_def("greets").execute_in_process().output_for_node("greet") == "hi"

    @dg.op
    def plain() -> int:
        return 1

    @dg.job
    def plains() -> None:
        plain()

    @dg.repository
    def repo() -> list[Any]:
        return [plains]

    assert repo.has_job("plains")
    assert repo.get_job("plains").execute_in_process().output_for_node("plain") == 1


def test_an_observable_source_asset_is_a_dependency(dg: Any) -> None:
    @dg.observable_source_asset
    def upstream_file() -> Any:
        return dg.DataVersion("v3")

    @dg.asset(deps=[upstream_file])
    def reader() -> int:
        return 1

    defs = dg.Definitions(assets=[upstream_file, reader])
    assert defs.get_implicit_global_asset_job_def().execute_in_process().success


def test_a_graph_asset_runs_its_ops_with_their_resources(dg: Any) -> None:
    class Scale(dg.ConfigurableResource):
        factor: int

    @dg.asset
    def numbers() -> list[int]:
        return [1, 2, 3]

    @dg.op
    def total(values: list[int]) -> int:
        return sum(values)

    @dg.op
    def scaled(value: int, scale: Scale) -> int:
        return value * scale.factor

    @dg.graph_asset
    def scaled_total(numbers: list[int]) -> Any:
        return scaled(total(numbers))

    result = dg.materialize([numbers, scaled_total], resources={"scale": Scale(factor=10)})
    assert result.asset_value("scaled_total") == 60
    assert isinstance(scaled_total, dg.AssetsDefinition)


def test_a_graph_asset_takes_its_ops_config_nested_under_its_name(dg: Any) -> None:
    class Settings(dg.Config):
        n: int = 1

    class Offset(dg.Config):
        by: int

    @dg.op
    def start(config: Settings) -> int:
        return config.n

    @dg.op
    def shift(value: int, config: Offset) -> int:
        return value + config.by

    @dg.graph_asset
    def shifted() -> Any:
        return shift(start())

    run_config = dg.RunConfig(
        ops={"shifted": {"ops": {"start": Settings(n=5), "shift": Offset(by=2)}}}
    )
    assert dg.materialize([shifted], run_config=run_config).asset_value("shifted") == 7
    written = {"ops": {"shifted": {"ops": {"shift": {"config": {"by": 3}}}}}}
    assert dg.materialize([shifted], run_config=written).asset_value("shifted") == 4
    with pytest.raises(dg.DagsterInvalidConfigError):
        dg.materialize([shifted])  # shift's config is required


def test_repository_shapes_and_lookups() -> None:
    import workbench as wb

    @wb.op
    def one() -> int:
        return 1

    @wb.job
    def ones() -> None:
        one()

    @wb.schedule(job=ones, cron_schedule="0 * * * *")
    def hourly() -> None:
        return None

    @wb.repository(name="named")
    def by_kind() -> dict[str, Any]:
        return {"jobs": {"ones": ones}, "schedules": [hourly]}

    assert by_kind.name == "named"
    assert [job.name for job in by_kind.get_all_jobs()] == ["ones"]
    assert by_kind.get_schedule_def("hourly").name == "hourly"

    @wb.repository
    def holding() -> Any:
        return wb.Definitions(jobs=[ones])

    assert holding.has_job("ones")

    with pytest.raises(wb.DagsterInvalidDefinitionError, match="return assets, jobs"):

        @wb.repository
        def wrong() -> list[Any]:
            return [42]


def test_graph_mistakes_say_how_to_fix_them() -> None:
    import workbench as wb

    @wb.op
    def shout(text: str) -> str:
        return text.upper()

    @wb.graph
    def needs_input(text: str) -> Any:
        return shout(text)

    with pytest.raises(wb.DagsterInvalidDefinitionError, match="takes inputs"):
        needs_input.to_job()
    with pytest.raises(wb.DagsterInvalidInvocationError, match="inside a job or graph body"):
        needs_input("x")
