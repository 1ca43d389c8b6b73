"""RunConfig and run config values: defaults, equality, extras, aliases, RunRequest."""

from typing import Any

from pydantic import Field


def test_to_config_dict_keeps_defaults_and_writes_envvars_by_name(dg: Any) -> None:
    class Rows(dg.Config):
        size: int = 4
        name: str
        token: str = dg.EnvVar("ROWS_TOKEN")

    config = dg.RunConfig(ops={"rows": Rows(name="x")}).to_config_dict()
    assert config["ops"] == {
        "rows": {"config": {"size": 4, "name": "x", "token": {"env": "ROWS_TOKEN"}}}
    }


def test_run_configs_compare_by_value(dg: Any) -> None:
    first = dg.RunConfig(resources={"db": {"config": {"port": 1}}})
    assert first == dg.RunConfig(resources={"db": {"config": {"port": 1}}})
    assert first != dg.RunConfig(resources={"db": {"config": {"port": 2}}})


def test_run_request_keeps_run_config_as_a_dict(dg: Any) -> None:
    class Rows(dg.Config):
        size: int = 4

    request = dg.RunRequest(run_config=dg.RunConfig(ops={"rows": Rows()}))
    assert isinstance(request.run_config, dict)
    assert request.run_config["ops"] == {"rows": {"config": {"size": 4}}}
    assert dg.RunRequest().run_config == {}


def test_a_jobs_default_run_config_keeps_permissive_extras(dg: Any) -> None:
    class Fetch(dg.PermissiveConfig):
        region: str

    @dg.asset
    def fetched(config: Fetch) -> Any:
        return config.model_dump()

    job = dg.define_asset_job(
        "fetch", [fetched], config=dg.RunConfig(ops={"fetched": Fetch(region="north", note="job")})
    )
    defs = dg.Definitions(assets=[fetched], jobs=[job])
    result = defs.resolve_job_def("fetch").execute_in_process()
    assert result.output_for_node("fetched") == {"region": "north", "note": "job"}


def test_op_config_in_the_context_is_keyed_by_alias_with_defaults(dg: Any) -> None:
    class Table(dg.Config):
        schema_: str = Field(alias="schema", default="public")
        rows: int = 1

    @dg.op
    def describe(context: dg.OpExecutionContext, config: Table) -> Any:
        return context.op_config

    @dg.job
    def describing() -> None:
        describe()

    result = describing.execute_in_process(
        run_config={"ops": {"describe": {"config": {"schema": "raw"}}}}
    )
    assert result.output_for_node("describe") == {"schema": "raw", "rows": 1}
