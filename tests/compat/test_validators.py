"""Run config refused by a Config class's own validators and constraints (#12)."""

from typing import Any

import pytest
from pydantic import Field, ValidationError, field_validator


def greeter_job(dg: Any, seen: list[str]) -> Any:
    class Greeting(dg.Config):
        name: str
        times: int = Field(default=1, gt=0)

        @field_validator("name")
        @classmethod
        def has_a_space(cls, value: str) -> str:
            if " " not in value:
                raise ValueError("must contain a space")
            return value.title()

    @dg.op
    def greet(config: Greeting) -> str:
        seen.append(config.name)
        return config.name * config.times

    @dg.job
    def greets() -> None:
        greet()

    return greets


def run_config(**config: Any) -> dict[str, Any]:
    return {"ops": {"greet": {"config": config}}}


def test_validators_run_on_run_config(dg: Any) -> None:
    seen: list[str] = []
    result = greeter_job(dg, seen).execute_in_process(run_config(name="ada love"))
    assert result.output_for_node("greet") == "Ada Love"


@pytest.mark.parametrize(
    ("config", "message"),
    [({"name": "ada"}, "must contain a space"), ({"name": "a b", "times": 0}, "greater than 0")],
)
def test_a_value_refused_by_the_class_is_a_validation_error(
    dg: Any, config: dict[str, Any], message: str
) -> None:
    seen: list[str] = []
    with pytest.raises(ValidationError, match=message) as caught:
        greeter_job(dg, seen).execute_in_process(run_config(**config))
    assert seen == []
    assert caught.value.errors()[0]["loc"][-1] in config
    if dg.__name__ == "workbench":
        # workbench checks it before the run, so it is a run-config error as well
        assert isinstance(caught.value, dg.DagsterInvalidConfigError)
        assert "ops.greet.config" in str(caught.value)


def test_a_wrong_type_stays_an_invalid_config_error(dg: Any) -> None:
    seen: list[str] = []
    with pytest.raises(dg.DagsterInvalidConfigError) as caught:
        greeter_job(dg, seen).execute_in_process(run_config(name="a b", times="two"))
    assert not isinstance(caught.value, ValidationError)


def test_a_direct_call_with_a_refused_value_is_a_validation_error(dg: Any) -> None:
    class Size(dg.Config):
        n: int = Field(gt=0)

    @dg.op
    def measure(config: Size) -> int:
        return config.n

    with pytest.raises(ValidationError, match="greater than 0"):
        measure(dg.build_op_context(op_config={"n": 0}))


@pytest.mark.parametrize("launched", [True, False], ids=["configure_at_launch", "constructed"])
def test_resource_config_refused_by_the_class_is_a_resource_function_error(
    dg: Any, launched: bool
) -> None:
    class Pool(dg.ConfigurableResource):
        size: int = Field(default=1, gt=0)

    @dg.op
    def use(pool: Pool) -> int:
        return pool.size

    binding = Pool.configure_at_launch() if launched else Pool()

    @dg.job(resource_defs={"pool": binding})
    def uses() -> None:
        use()

    run_config = {"resources": {"pool": {"config": {"size": 0}}}}
    with pytest.raises(dg.DagsterResourceFunctionError) as caught:
        uses.execute_in_process(run_config)
    if dg.__name__ == "workbench":
        # checked before the run, so it is a run-config error as well
        assert isinstance(caught.value, dg.DagsterInvalidConfigError)
        assert "resources.pool.config.size" in str(caught.value)


def test_without_raise_on_error_a_refused_value_fails_the_run(dg: Any) -> None:
    seen: list[str] = []
    result = greeter_job(dg, seen).execute_in_process(run_config(name="ada"), raise_on_error=False)
    assert not result.success
    assert seen == []
    with pytest.raises(dg.DagsterInvalidConfigError):  # a wrong type is refused before a run
        greeter_job(dg, seen).execute_in_process(
            run_config(name="a b", times="two"), raise_on_error=False
        )


def test_a_refused_secret_is_hidden_in_the_validation_error() -> None:
    import workbench as wb

    class Login(wb.Config):
        password: str = Field(min_length=8, json_schema_extra={"dagster__is_secret": True})

    @wb.op
    def login(config: Login) -> None:
        return None

    @wb.job
    def logs_in() -> None:
        login()

    with pytest.raises(ValidationError) as caught:
        logs_in.execute_in_process({"ops": {"login": {"config": {"password": "s3cr3t!"}}}})
    assert "s3cr3t!" not in str(caught.value)
    assert "s3cr3t!" not in repr(caught.value.errors())
