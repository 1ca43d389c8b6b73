from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

import workbench as wb
from workbench.core.run import EventType, RunEvent, RunRecord
from workbench.core.versions import (
    CODE_CHANGED,
    CONFIG_CHANGED,
    NEVER_MATERIALIZED,
    UPSTREAM_CHANGED,
)

if TYPE_CHECKING:
    from workbench.core.instance import Instance

RUNS: list[str] = []


class Db(wb.ConfigurableResource):
    table: str = "t"
    password: SecretStr = SecretStr("pw")


class Size(wb.Config):
    rows: int = 10


class BiggerSize(wb.Config):
    rows: int = 20


def _assets(code_version: str = "1") -> list[Any]:
    @wb.asset(code_version=code_version)
    def raw(db: Db) -> int:
        RUNS.append("raw")
        return 1

    @wb.asset(code_version="1")
    def clean(raw: int, config: Size) -> int:
        RUNS.append("clean")
        return raw + config.rows

    @wb.asset(code_version="1")
    def report(clean: int) -> int:
        RUNS.append("report")
        return clean * 2

    return [raw, clean, report]


def _stale(assets: list[Any], instance: Instance, resources: dict[str, Any]) -> dict[str, str]:
    defs = wb.Definitions(assets=assets, resources=resources)
    found = wb.stale_assets(defs, store=instance.run_store)
    return {key.to_user_string(): reason for key, reason in found.items()}


def _materialize_stale(
    assets: list[Any], instance: Instance, resources: dict[str, Any]
) -> list[str]:
    RUNS.clear()
    wb.materialize(assets, resources=resources, instance=instance, only_stale=True)
    return list(RUNS)


def test_never_materialized_then_fresh(instance: Instance) -> None:
    assets = _assets()
    resources = {"db": Db()}
    assert _stale(assets, instance, resources) == {
        "raw": NEVER_MATERIALIZED,
        "clean": NEVER_MATERIALIZED,
        "report": NEVER_MATERIALIZED,
    }
    assert _materialize_stale(assets, instance, resources) == ["raw", "clean", "report"]
    assert _stale(assets, instance, resources) == {}
    assert _materialize_stale(assets, instance, resources) == []


def test_code_version_change_makes_the_asset_and_downstream_stale(instance: Instance) -> None:
    resources = {"db": Db()}
    wb.materialize(_assets("1"), resources=resources, instance=instance)
    changed = _assets("2")
    assert _stale(changed, instance, resources) == {
        "raw": CODE_CHANGED,
        "clean": UPSTREAM_CHANGED,
        "report": UPSTREAM_CHANGED,
    }
    assert _materialize_stale(changed, instance, resources) == ["raw", "clean", "report"]
    assert _stale(changed, instance, resources) == {}


def test_source_hash_is_the_code_version_without_one(instance: Instance) -> None:
    def build(offset: int) -> Any:
        if offset == 0:

            @wb.asset(name="hashed")
            def first_version() -> int:
                return 0

            return first_version

        @wb.asset(name="hashed")
        def second_version() -> int:
            return 1 + offset

        return second_version

    wb.materialize([build(0)], instance=instance)
    assert _stale([build(0)], instance, {}) == {}
    assert _stale([build(1)], instance, {}) == {"hashed": CODE_CHANGED}


def test_resource_config_change_makes_the_asset_stale(instance: Instance) -> None:
    assets = _assets()
    wb.materialize(assets, resources={"db": Db(table="a")}, instance=instance)
    assert _stale(assets, instance, {"db": Db(table="a")}) == {}
    assert _stale(assets, instance, {"db": Db(table="b")}) == {
        "raw": CONFIG_CHANGED,
        "clean": UPSTREAM_CHANGED,
        "report": UPSTREAM_CHANGED,
    }
    assert _stale(assets, instance, {"db": Db(table="a", password="other")})["raw"] == (
        CONFIG_CHANGED
    )
    latest = instance.run_store.latest_materializations(["raw"])["raw"]
    assert latest.config_hash is not None
    assert "pw" not in latest.config_hash


def test_launch_config_is_one_off_and_leaves_the_assets_fresh(instance: Instance) -> None:
    assets = _assets()
    resources = {"db": Db()}
    result = wb.materialize(
        assets,
        resources=resources,
        run_config={
            "ops": {"clean": {"config": {"rows": 99}}},
            "resources": {"db": {"config": {"table": "one_off"}}},
        },
        instance=instance,
    )
    assert result.asset_value("clean") == 100
    assert _stale(assets, instance, resources) == {}
    latest = instance.run_store.latest_materializations(["raw", "clean"])
    # the config the run used is recorded too, beside the base config staleness compares
    assert latest["clean"].config_hash != latest["clean"].base_config_hash
    assert latest["raw"].config_hash != latest["raw"].base_config_hash


def test_a_code_change_of_a_default_makes_the_asset_stale_after_a_launch_config(
    instance: Instance,
) -> None:
    assets = _assets()
    wb.materialize(
        assets,
        resources={"db": Db()},
        run_config={"ops": {"clean": {"config": {"rows": 99}}}},
        instance=instance,
    )

    @wb.asset(code_version="1", name="clean")
    def clean_bigger(raw: int, config: BiggerSize) -> int:
        return raw + config.rows

    assert _stale([assets[0], clean_bigger, assets[2]], instance, {"db": Db()}) == {
        "clean": CONFIG_CHANGED,
        "report": UPSTREAM_CHANGED,
    }
    assert _stale(assets, instance, {"db": Db(table="changed_in_code")}) == {
        "raw": CONFIG_CHANGED,
        "clean": UPSTREAM_CHANGED,
        "report": UPSTREAM_CHANGED,
    }


def test_a_materialization_without_a_base_hash_is_compared_by_its_config_hash(
    instance: Instance,
) -> None:
    @wb.asset(code_version="1")
    def single(db: Db) -> int:
        return 1

    result = wb.materialize([single], resources={"db": Db()}, instance=instance)
    (event,) = result.get_asset_materialization_events()
    older = wb.Instance.ephemeral()  # a store with a row written before base hashes (#14)
    recorded = RunEvent(
        event.run_id,
        EventType.ASSET_MATERIALIZATION,
        data={key: value for key, value in event.data.items() if key != "base_config_hash"},
    )
    older.run_store.add_run(RunRecord(event.run_id, "__ASSET_JOB"), [recorded])
    assert older.run_store.latest_materializations()["single"].base_config_hash is None
    assert _stale([single], older, {"db": Db()}) == {}
    assert _stale([single], older, {"db": Db(table="b")}) == {"single": CONFIG_CHANGED}


def test_upstream_materialized_again_makes_downstream_stale(instance: Instance) -> None:
    assets = _assets()
    resources = {"db": Db()}
    wb.materialize(assets, resources=resources, instance=instance)
    wb.materialize(assets, resources=resources, selection=["raw"], instance=instance)
    assert _stale(assets, instance, resources) == {
        "clean": UPSTREAM_CHANGED,
        "report": UPSTREAM_CHANGED,
    }


def _pair(leaf_version: str) -> list[Any]:
    @wb.asset(code_version="1")
    def independent() -> int:
        RUNS.append("independent")
        return 5

    @wb.asset(code_version=leaf_version, deps=[independent])
    def leaf() -> int:
        RUNS.append("leaf")
        return 6

    return [independent, leaf]


def test_only_stale_runs_just_the_stale_part(instance: Instance) -> None:
    assert _materialize_stale(_pair("1"), instance, {}) == ["independent", "leaf"]
    assert _stale(_pair("2"), instance, {}) == {"leaf": CODE_CHANGED}
    assert _materialize_stale(_pair("2"), instance, {}) == ["leaf"]
    assert _materialize_stale(_pair("2"), instance, {}) == []


def test_stale_assets_respects_a_selection(instance: Instance) -> None:
    assets = _assets()
    defs = wb.Definitions(assets=assets, resources={"db": Db()})
    found = wb.stale_assets(defs, store=instance.run_store, selection=[wb.AssetKey("clean")])
    assert found == {wb.AssetKey("clean"): NEVER_MATERIALIZED}


def test_materialization_records_versions(instance: Instance) -> None:
    result = wb.materialize(_assets(), resources={"db": Db()}, instance=instance)
    by_key = {e.data["asset_key"]: e.data for e in result.get_asset_materialization_events()}
    assert by_key["raw"]["code_version"] == "1"
    assert by_key["clean"]["input_data_versions"] == {"raw": by_key["raw"]["data_version"]}
    assert by_key["report"]["input_data_versions"] == {"clean": by_key["clean"]["data_version"]}


def test_a_run_with_nothing_stale_leaves_no_trace_in_history(instance: Instance) -> None:
    @wb.asset
    def settled() -> int:
        return 1

    first = wb.materialize([settled], instance=instance, only_stale=True)
    again = wb.materialize([settled], instance=instance, only_stale=True)
    assert first.success
    assert again.success
    assert again.get_asset_materialization_events() == []
    assert [run.run_id for run in instance.run_store.list_runs()] == [first.run_id]
