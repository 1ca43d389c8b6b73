"""Config values: what building config and what run config raise, and how Optional reads."""

from typing import Any, Literal

import pydantic
import pytest
from pydantic import Field, field_validator


def test_a_constraint_broken_at_construction_raises_pydantic_validation_error(dg: Any) -> None:
    class Count(dg.Config):
        n: int = Field(gt=0)

    with pytest.raises(pydantic.ValidationError) as caught:
        Count(n=0)
    assert [item["loc"] for item in caught.value.errors()] == [("n",)]
    assert "greater than 0" in str(caught.value)


def test_a_validator_literal_and_wrong_type_raise_validation_error(dg: Any) -> None:
    class Settings(dg.ConfigurableResource):
        mode: Literal["fast", "slow"] = "fast"
        port: int = 1
        name: str = "x"

        @field_validator("name")
        @classmethod
        def _no_blanks(cls, value: str) -> str:
            if " " in value:
                raise ValueError("no spaces allowed")
            return value

    with pytest.raises(pydantic.ValidationError) as caught:
        Settings(mode="medium", port="many", name="a b")
    kinds = {item["loc"][0]: item["type"] for item in caught.value.errors()}
    assert kinds == {"mode": "literal_error", "port": "int_parsing", "name": "value_error"}
    assert "no spaces allowed" in str(caught.value)


def test_a_secret_value_is_not_shown_in_a_construction_error() -> None:
    import workbench as wb

    class Login(wb.ConfigurableResource):
        token: str = Field(min_length=20, json_schema_extra={"dagster__is_secret": True})

    with pytest.raises(pydantic.ValidationError) as caught:
        Login(token="hunter2-short")
    assert "hunter2-short" not in str(caught.value)
    assert caught.value.errors()[0]["loc"] == ("token",)


def test_a_bad_run_config_value_raises_dagster_invalid_config_error(dg: Any) -> None:
    class Rows(dg.Config):
        n: int = 1

    @dg.asset
    def numbers(config: Rows) -> int:
        return config.n

    with pytest.raises(dg.DagsterInvalidConfigError):
        dg.materialize([numbers], run_config={"ops": {"numbers": {"config": {"n": "many"}}}})


def test_a_bad_launch_resource_value_raises_dagster_invalid_config_error(dg: Any) -> None:
    class Db(dg.ConfigurableResource):
        port: int

    @dg.asset
    def table(db: Db) -> int:
        return db.port

    with pytest.raises(dg.DagsterInvalidConfigError):
        dg.materialize(
            [table],
            resources={"db": Db.configure_at_launch()},
            run_config={"resources": {"db": {"config": {"port": "x"}}}},
        )
    with pytest.raises(dg.DagsterInvalidConfigError):
        dg.materialize([table], resources={"db": Db.configure_at_launch()})


def test_workbench_run_config_errors_keep_their_field_lines() -> None:
    import workbench as wb

    class Rows(wb.Config):
        rows: int = 1

    @wb.asset
    def numbers(config: Rows) -> int:
        return config.rows

    with pytest.raises(wb.DagsterInvalidConfigError) as caught:
        wb.materialize([numbers], run_config={"ops": {"numbers": {"config": {"rwos": 2, "x": 1}}}})
    assert caught.value.errors == [
        ("ops.numbers.config.rwos", "unknown field; did you mean 'rows'?"),
        ("ops.numbers.config.x", "unknown field; known fields: rows"),
    ]
    assert isinstance(caught.value, wb.ConfigError)


def test_an_optional_field_without_a_default_is_not_required(dg: Any) -> None:
    class Tags(dg.Config):
        names: list[str] | None
        limit: int | None

    assert Tags().names is None

    @dg.asset
    def tagged(config: Tags) -> Any:
        return (config.names, config.limit)

    assert dg.materialize([tagged]).output_for_node("tagged") == (None, None)


def test_a_discriminated_union_takes_dagsters_selector_shape(dg: Any) -> None:
    class Meower(dg.Config):
        pet_type: Literal["cat"] = "cat"
        meows: int

    class Barker(dg.Config):
        pet_type: Literal["dog"] = "dog"
        barks: float

    class Pet(dg.Config):
        pet: Meower | Barker = Field(discriminator="pet_type")

    @dg.asset
    def sound(config: Pet) -> str:
        pet = config.pet
        return f"meow x{pet.meows}" if isinstance(pet, Meower) else f"woof x{pet.barks}"

    run_config: dict[str, Any] = {"ops": {"sound": {"config": {"pet": {"cat": {"meows": 2}}}}}}
    assert dg.materialize([sound], run_config=run_config).output_for_node("sound") == "meow x2"
    run_config = {"ops": {"sound": {"config": {"pet": {"dog": {"barks": 1.5}}}}}}
    assert dg.materialize([sound], run_config=run_config).output_for_node("sound") == "woof x1.5"


def test_a_config_parameter_not_named_config_warns(dg: Any) -> None:
    class Rows(dg.Config):
        n: int = 1

    with pytest.warns(SyntaxWarning, match="'cfg'") as caught:

        @dg.op
        def read(cfg: Rows) -> int:
            return cfg.n

    assert type(caught[0].message).__name__ == "ConfigArgumentWarning"


def test_primitive_op_config_takes_the_value_itself(dg: Any) -> None:
    @dg.op
    def prim(config: str = "foo") -> str:
        return config

    @dg.job
    def primitive() -> None:
        prim()

    given = primitive.execute_in_process(run_config={"ops": {"prim": {"config": "bar"}}})
    assert given.output_for_node("prim") == "bar"
    assert primitive.execute_in_process().output_for_node("prim") == "foo"


def test_a_raw_dict_config_in_a_direct_call_is_built_into_its_class(dg: Any) -> None:
    class Rows(dg.Config):
        n: int
        label: str = "rows"

    @dg.op
    def count(config: Rows) -> str:
        return f"{config.label}:{config.n}"

    @dg.asset
    def counted(config: Rows) -> str:
        return f"{config.label}={config.n}"

    assert count(config={"n": 3}) == "rows:3"
    assert counted(config={"n": 4, "label": "x"}) == "x=4"
    assert count(Rows(n=5)) == "rows:5"
