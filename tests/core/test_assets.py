from __future__ import annotations

import datetime
import enum
import logging
import pathlib
from typing import TYPE_CHECKING, Any

import pytest

import workbench as wb
from workbench.core.run import EventType

if TYPE_CHECKING:
    from workbench.core.instance import Instance

ORDER: list[str] = []


class Greeter(wb.ConfigurableResource):
    greeting: str = "hello"


class Scale(wb.Config):
    factor: int = 2


def test_asset_key_forms() -> None:
    key = wb.AssetKey(["raw", "orders"])
    assert key.path == ("raw", "orders")
    assert key.to_user_string() == "raw/orders"
    assert wb.AssetKey.from_user_string("raw/orders") == key
    # as in Dagster, a string is one key part; only from_user_string reads a path (#13)
    assert wb.AssetKey.from_coercible("raw/orders") == wb.AssetKey(["raw/orders"])
    assert wb.AssetKey.from_coercible(["raw", "orders"]) == key
    assert wb.AssetKey("orders").with_prefix("raw") == key
    assert hash(key) == hash(wb.AssetKey(["raw", "orders"]))
    assert key.to_python_identifier() == "raw__orders"
    with pytest.raises(TypeError):
        wb.AssetKey([])


def test_upstream_by_parameter_name(instance: Instance) -> None:
    @wb.asset
    def numbers() -> list[int]:
        return [1, 2, 3]

    @wb.asset
    def total(numbers: list[int]) -> int:
        return sum(numbers)

    result = wb.materialize([total, numbers], instance=instance)
    assert result.asset_value("total") == 6
    assert result.output_for_node("numbers") == [1, 2, 3]
    assert total.upstream_keys == (wb.AssetKey("numbers"),)


def test_deps_orders_without_passing_a_value(instance: Instance) -> None:
    ORDER.clear()

    @wb.asset
    def table() -> None:
        ORDER.append("table")

    @wb.asset(deps=[table])
    def report() -> str:
        ORDER.append("report")
        return "done"

    @wb.asset(deps=["report"])
    def email() -> None:
        ORDER.append("email")

    result = wb.materialize([email, report, table], instance=instance)
    assert ORDER == ["table", "report", "email"]
    assert result.asset_value("report") == "done"
    assert report.upstream_keys == (wb.AssetKey("table"),)


def test_ins_asset_in_with_a_multi_part_key_and_key_prefix(instance: Instance) -> None:
    @wb.asset(key_prefix=["raw", "shop"])
    def orders() -> list[int]:
        return [5, 6]

    @wb.asset(ins={"source": wb.AssetIn(key=["raw", "shop", "orders"])}, key_prefix="clean")
    def cleaned(source: list[int]) -> list[int]:
        return [value * 10 for value in source]

    @wb.asset(ins={"cleaned": wb.AssetIn(key_prefix="clean")})
    def summary(cleaned: list[int]) -> int:
        return sum(cleaned)

    assert orders.key == wb.AssetKey(["raw", "shop", "orders"])
    assert cleaned.key.to_user_string() == "clean/cleaned"
    result = wb.materialize([orders, cleaned, summary], instance=instance)
    assert result.asset_value(["clean", "cleaned"]) == [50, 60]
    assert result.asset_value(["raw", "shop", "orders"]) == [5, 6]
    assert result.asset_value(wb.AssetKey("summary")) == 110
    keys = {event.data["asset_key"] for event in result.get_asset_materialization_events()}
    assert keys == {"raw/shop/orders", "clean/cleaned", "summary"}


def test_ins_naming_an_unknown_parameter_is_a_definition_error() -> None:
    with pytest.raises(wb.DefinitionError, match="nothere"):

        @wb.asset(ins={"nothere": wb.AssetIn(key="x")})
        def lonely() -> None:
            pass


def test_group_description_metadata_and_code_version() -> None:
    @wb.asset(
        group_name="marts",
        description="the description",
        metadata={"owner": "team-a"},
        code_version="v7",
    )
    def mart() -> int:
        return 1

    @wb.asset
    def documented() -> int:
        """From the docstring."""
        return 1

    (spec,) = mart.specs
    assert mart.group_name == "marts"
    assert spec.description == "the description"
    assert spec.metadata == {"owner": "team-a"}
    assert mart.code_version_of(mart.key) == "v7"
    assert documented.description == "From the docstring."
    assert documented.group_name == "default"
    assert len(documented.code_version_of(documented.key)) == 12


def test_required_resource_keys_with_context_resources(instance: Instance) -> None:
    @wb.asset(required_resource_keys={"greeter"})
    def greeting(context: wb.AssetExecutionContext) -> str:
        return f"{context.resources.greeter.greeting} world"

    assert greeting.required_resource_keys == {"greeter"}
    result = wb.materialize(
        [greeting], resources={"greeter": Greeter(greeting="hi")}, instance=instance
    )
    assert result.asset_value("greeting") == "hi world"
    with pytest.raises(wb.DefinitionError, match="resource 'greeter' required by asset 'greeting'"):
        wb.materialize([greeting], instance=instance)


def test_undeclared_resource_on_context_is_a_clear_step_error(instance: Instance) -> None:
    @wb.asset
    def sneaky(context: wb.AssetExecutionContext) -> str:
        return str(context.resources.greeter)

    result = wb.materialize(
        [sneaky], resources={"greeter": Greeter()}, instance=instance, raise_on_error=False
    )
    assert not result.success
    (failure,) = result.failures
    assert "no resource 'greeter' here" in failure.message


def test_asset_context_exposes_run_id_key_and_log(
    instance: Instance, caplog: pytest.LogCaptureFixture
) -> None:
    seen: dict[str, Any] = {}

    @wb.asset(key_prefix="ctx")
    def probe(context: wb.AssetExecutionContext) -> int:
        seen["run_id"] = context.run_id
        seen["key"] = context.asset_key
        context.log.info("processing %d rows", 42)
        context.log.warning("careful")
        return 1

    with caplog.at_level(logging.INFO, logger="workbench.run"):
        result = wb.materialize([probe], instance=instance)
    assert seen == {"run_id": result.run_id, "key": wb.AssetKey(["ctx", "probe"])}
    logs = [e for e in result.all_events if e.event_type is EventType.LOG]
    assert [(e.message, e.data["level"], e.step_key) for e in logs] == [
        ("processing 42 rows", "INFO", "ctx__probe"),
        ("careful", "WARNING", "ctx__probe"),
    ]
    stored = instance.run_store.get_events(result.run_id, event_types=[EventType.LOG])
    assert [event.message for event in stored] == ["processing 42 rows", "careful"]
    assert "processing 42 rows" in caplog.text


def test_context_log_is_quiet_by_default(
    instance: Instance, capsys: pytest.CaptureFixture[str]
) -> None:
    @wb.asset
    def chatty(context: wb.AssetExecutionContext) -> None:
        context.log.info("should not be printed")

    wb.materialize([chatty], instance=instance)
    captured = capsys.readouterr()
    assert "should not be printed" not in captured.out + captured.err


def test_materialize_result_with_metadata(instance: Instance) -> None:
    @wb.asset
    def written() -> wb.MaterializeResult:
        return wb.MaterializeResult(metadata={"rows": 10, "path": "/tmp/x"})

    result = wb.materialize([written], instance=instance)
    (event,) = result.get_asset_materialization_events()
    assert event.data["metadata"] == {"rows": 10, "path": "/tmp/x"}
    with pytest.raises(wb.WorkbenchError, match="MaterializeResult"):
        result.asset_value("written")
    latest = instance.run_store.latest_materializations(["written"])
    assert latest["written"].metadata == {"rows": 10, "path": "/tmp/x"}


class Tier(enum.Enum):
    GOLD = "gold"


def test_metadata_is_stored_as_json_with_enums_by_name(instance: Instance) -> None:
    # one rule for every stored form: an Enum member by name, a date by ISO text (#17)
    @wb.asset
    def described() -> wb.MaterializeResult:
        return wb.MaterializeResult(
            metadata={
                "tier": Tier.GOLD,
                "day": datetime.date(2024, 1, 2),
                "shape": {"rows": 2, "columns": ("a", "b")},
                "where": pathlib.PurePosixPath("/data/x"),
            }
        )

    wb.materialize([described], instance=instance)
    latest = instance.run_store.latest_materializations(["described"])
    assert latest["described"].metadata == {
        "tier": "GOLD",
        "day": "2024-01-02",
        "shape": {"rows": 2, "columns": ["a", "b"]},
        "where": "/data/x",
    }


def test_add_output_metadata_and_output(instance: Instance) -> None:
    @wb.asset
    def counted(context: wb.AssetExecutionContext) -> list[int]:
        context.add_output_metadata({"count": 3})
        return [1, 2, 3]

    @wb.asset
    def wrapped() -> wb.Output:
        return wb.Output("value", metadata={"kind": "wrapped"})

    result = wb.materialize([counted, wrapped], instance=instance)
    by_key = {e.data["asset_key"]: e.data for e in result.get_asset_materialization_events()}
    assert by_key["counted"]["metadata"] == {"count": 3}
    assert by_key["wrapped"]["metadata"] == {"kind": "wrapped"}
    assert result.asset_value("counted") == [1, 2, 3]
    assert result.asset_value("wrapped") == "value"


def test_multi_asset_with_specs(instance: Instance) -> None:
    @wb.multi_asset(
        specs=[wb.AssetSpec("left", group_name="pair"), wb.AssetSpec(["nested", "right"])]
    )
    def pair() -> Any:
        yield wb.MaterializeResult(asset_key="left", metadata={"side": "l"})
        yield wb.MaterializeResult(asset_key=["nested", "right"], metadata={"side": "r"})

    @wb.asset(deps=[wb.AssetKey(["nested", "right"])])
    def after_right() -> str:
        return "after"

    assert pair.keys == (wb.AssetKey("left"), wb.AssetKey(["nested", "right"]))
    result = wb.materialize([pair, after_right], instance=instance)
    by_key = {e.data["asset_key"]: e.data for e in result.get_asset_materialization_events()}
    assert by_key["left"]["metadata"] == {"side": "l"}
    assert by_key["nested/right"]["metadata"] == {"side": "r"}
    assert result.asset_value("after_right") == "after"


def test_multi_asset_with_outs(instance: Instance) -> None:
    @wb.multi_asset(outs={"low": wb.AssetOut(), "high": wb.AssetOut(key_prefix="band")})
    def split() -> tuple[int, int]:
        return 1, 9

    @wb.asset(ins={"high": wb.AssetIn(key=["band", "high"])})
    def spread(low: int, high: int) -> int:
        return high - low

    result = wb.materialize([split, spread], instance=instance)
    assert result.asset_value("low") == 1
    assert result.asset_value(["band", "high"]) == 9
    assert result.asset_value("spread") == 8


def test_multi_asset_needs_specs_or_outs() -> None:
    with pytest.raises(wb.DefinitionError, match="specs= or outs="):
        wb.multi_asset()


def test_config_parameter_from_run_config_and_defaults(instance: Instance) -> None:
    @wb.asset
    def scaled(config: Scale) -> int:
        return 10 * config.factor

    assert wb.materialize([scaled], instance=instance).asset_value("scaled") == 20
    result = wb.materialize(
        [scaled], run_config={"ops": {"scaled": {"config": {"factor": 5}}}}, instance=instance
    )
    assert result.asset_value("scaled") == 50
    result = wb.materialize(
        [scaled], run_config=wb.RunConfig(ops={"scaled": Scale(factor=7)}), instance=instance
    )
    assert result.asset_value("scaled") == 70


def test_asset_spec_stub_cannot_be_materialized_but_can_be_a_dep(instance: Instance) -> None:
    external = wb.AssetSpec("external")

    @wb.asset(deps=[external])
    def reads_external() -> int:
        return 1

    result = wb.materialize([external, reads_external], instance=instance)
    assert result.asset_value("reads_external") == 1
    with pytest.raises(wb.DefinitionError, match="AssetSpec without a function"):
        wb.materialize([external, reads_external], selection=["external"], instance=instance)


def test_calling_an_asset_directly_runs_the_function() -> None:
    @wb.asset
    def double(value: int) -> int:
        return value * 2

    assert double(4) == 8
    assert double.key == wb.AssetKey("double")
    bundle = double._repr_mimebundle_()
    assert bundle["text/plain"].startswith("Asset double")


def test_same_name_upstream_in_another_prefix_resolves(instance: Instance) -> None:
    @wb.asset(key_prefix="raw")
    def events() -> list[str]:
        return ["e"]

    @wb.asset
    def counted_events(events: list[str]) -> int:
        return len(events)

    result = wb.materialize([events, counted_events], instance=instance)
    assert result.asset_value("counted_events") == 1
