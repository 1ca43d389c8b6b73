"""EnvVar: read as a value only when a run resolves it, in any field that holds it."""

from typing import Any

import pytest
from pydantic import Field


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WB_COUNT", "7")
    monkeypatch.setenv("WB_NAME", "ada")
    monkeypatch.delenv("WB_UNSET", raising=False)


def test_get_value_reads_now_and_an_int_envvar_gives_an_int(dg: Any) -> None:
    assert dg.EnvVar("WB_NAME").get_value() == "ada"
    assert dg.EnvVar.int("WB_COUNT").get_value() == 7
    assert dg.EnvVar("WB_UNSET").get_value() is None


def test_using_an_envvar_as_its_value_raises_runtime_error(dg: Any) -> None:
    with pytest.raises(RuntimeError):
        str(dg.EnvVar("WB_NAME"))
    with pytest.raises(RuntimeError):
        int(dg.EnvVar.int("WB_COUNT"))


def test_envvars_inside_list_and_dict_fields_are_read_at_run_time(dg: Any) -> None:
    class Hosts(dg.ConfigurableResource):
        names: list[str]
        labels: dict[str, str] = Field(default_factory=dict)

    @dg.asset
    def hosts(hosts: Hosts) -> Any:
        return (hosts.names, hosts.labels)

    resource = Hosts(names=["x", dg.EnvVar("WB_NAME")], labels={"owner": dg.EnvVar("WB_NAME")})
    result = dg.materialize([hosts], resources={"hosts": resource})
    assert result.output_for_node("hosts") == (["x", "ada"], {"owner": "ada"})


def _greeting(dg: Any) -> Any:
    """An asset that returns the name its config holds."""

    class Greeting(dg.Config):
        name: str

    @dg.asset
    def greeting(config: Greeting) -> str:
        return config.name

    return greeting


def test_an_envvar_object_in_a_run_config_dict_is_refused(dg: Any) -> None:
    greeting = _greeting(dg)
    run_config = {"ops": {"greeting": {"config": {"name": dg.EnvVar("WB_NAME")}}}}
    with pytest.raises(dg.DagsterInvalidConfigError):
        dg.materialize([greeting], run_config=run_config)
    run_config = {"ops": {"greeting": {"config": {"name": {"env": "WB_NAME"}}}}}
    assert dg.materialize([greeting], run_config=run_config).output_for_node("greeting") == "ada"


def test_an_int_envvar_in_op_config_through_run_config_is_read_before_steps(dg: Any) -> None:
    ran: list[int] = []

    class Rows(dg.Config):
        count: int

    @dg.asset
    def rows(config: Rows) -> int:
        ran.append(config.count)
        return config.count

    run_config = dg.RunConfig(ops={"rows": Rows(count=dg.EnvVar.int("WB_COUNT"))})
    assert dg.materialize([rows], run_config=run_config).output_for_node("rows") == 7
    run_config = dg.RunConfig(ops={"rows": Rows(count=dg.EnvVar.int("WB_UNSET"))})
    with pytest.raises(dg.DagsterInvalidConfigError):
        dg.materialize([rows], run_config=run_config)
    assert ran == [7]


def test_workbench_says_how_to_write_an_envvar_in_a_run_config_dict() -> None:
    import workbench as wb

    run_config = {"ops": {"greeting": {"config": {"name": wb.EnvVar("WB_NAME")}}}}
    with pytest.raises(wb.DagsterInvalidConfigError, match=r"write \{'env': 'WB_NAME'\}"):
        wb.materialize([_greeting(wb)], run_config=run_config)


def test_an_envvar_used_as_its_value_raises_the_exported_error() -> None:
    import workbench as wb

    with pytest.raises(wb.UnresolvedEnvVarError) as caught:
        str(wb.EnvVar("WB_NAME"))
    assert isinstance(caught.value, RuntimeError)  # what Dagster raises here
