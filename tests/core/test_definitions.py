from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

import workbench as wb
from workbench.core.definitions import ASSET_JOB_NAME, LazyDefinitions

if TYPE_CHECKING:
    from workbench.core.instance import Instance


class Warehouse(wb.ConfigurableResource):
    name: str = "wh"


class Api(wb.ConfigurableResource):
    url: str = "http://x"


def _chain() -> dict[str, Any]:
    @wb.asset(group_name="raw")
    def raw_a() -> int:
        return 1

    @wb.asset(group_name="raw")
    def raw_b() -> int:
        return 2

    @wb.asset(group_name="mart")
    def joined(raw_a: int, raw_b: int) -> int:
        return raw_a + raw_b

    @wb.asset(group_name="mart")
    def report(joined: int) -> int:
        return joined * 10

    @wb.asset(group_name="other")
    def lonely() -> int:
        return 0

    return {item.key.to_user_string(): item for item in (raw_a, raw_b, joined, report, lonely)}


def _keys(defs: wb.Definitions, selection: wb.AssetSelection) -> set[str]:
    return {key.to_user_string() for key in selection.resolve(defs.asset_graph)}


def test_validation_lists_every_problem_in_one_error() -> None:
    @wb.asset
    def needs_warehouse(warehouse: Warehouse) -> int:
        return 1

    @wb.asset(key="dup")
    def dup_one() -> int:
        return 1

    @wb.asset(key="dup")
    def dup_two() -> int:
        return 2

    @wb.asset
    def reads_missing(missing_upstream: int) -> int:
        return missing_upstream

    @wb.asset(deps=["cycle_b"])
    def cycle_a() -> int:
        return 1

    @wb.asset(deps=["cycle_a"])
    def cycle_b() -> int:
        return 1

    defs = wb.Definitions(
        assets=[needs_warehouse, dup_one, dup_two, reads_missing, cycle_a, cycle_b],
        resources={"warehous": Warehouse(), "api": Api()},
    )
    with pytest.raises(wb.DefinitionError) as caught:
        defs.validate()
    error = caught.value
    text = str(error)
    assert text.startswith("definitions are invalid (4 problems):")
    assert len(error.problems) == 4
    assert "asset key 'dup' is defined twice" in text
    assert "asset 'reads_missing' depends on 'missing_upstream', which is not defined" in text
    assert "dependency cycle: cycle_a -> cycle_b -> cycle_a" in text or (
        "dependency cycle: cycle_b -> cycle_a -> cycle_b" in text
    )
    missing = next(line for line in error.problems if "required by" in line)
    assert "resource 'warehouse' required by asset 'needs_warehouse' is not bound" in missing
    assert "bound keys: api, warehous" in missing
    assert "did you mean 'warehous'?" in missing


def test_definitions_building_is_lazy_and_validate_returns_itself() -> None:
    @wb.asset
    def needs(warehouse: Warehouse) -> int:
        return 1

    defs = wb.Definitions(assets=[needs])
    with pytest.raises(wb.DefinitionError, match="'warehouse'"):
        wb.Definitions.validate_loadable(defs)
    good = wb.Definitions(assets=[needs], resources={"warehouse": Warehouse()})
    assert good.validate() is good


def test_unknown_upstream_did_you_mean() -> None:
    @wb.asset
    def orders() -> int:
        return 1

    @wb.asset(deps=["order"])
    def summary() -> int:
        return 1

    with pytest.raises(wb.DefinitionError, match="did you mean 'orders'"):
        wb.Definitions(assets=[orders, summary]).validate()


def test_duplicate_job_sensor_schedule_names() -> None:
    @wb.op
    def noop() -> None:
        pass

    @wb.job(name="same")
    def first_job() -> None:
        noop()

    @wb.job(name="same")
    def second_job() -> None:
        noop()

    with pytest.raises(wb.DefinitionError, match="job name 'same' is used twice"):
        wb.Definitions(jobs=[first_job, second_job]).validate()


def test_op_missing_resource_in_a_job() -> None:
    @wb.op
    def uses(api: Api) -> None:
        pass

    @wb.job
    def api_job() -> None:
        uses()

    with pytest.raises(wb.DefinitionError, match="resource 'api' required by op 'uses' of job"):
        wb.Definitions(jobs=[api_job]).validate()
    wb.Definitions(jobs=[api_job], resources={"api": Api()}).validate()


def test_merge_combines_and_detects_conflicts() -> None:
    parts = _chain()
    shared = Warehouse()
    one = wb.Definitions(assets=[parts["raw_a"]], resources={"warehouse": shared})
    two = wb.Definitions(assets=[parts["raw_b"]], resources={"warehouse": shared, "api": Api()})
    merged = wb.Definitions.merge(one, two)
    assert [item.key.to_user_string() for item in merged.assets] == ["raw_a", "raw_b"]
    assert set(merged.resources) == {"warehouse", "api"}
    equal = wb.Definitions(resources={"warehouse": Warehouse()})
    assert wb.Definitions.merge(one, equal).resources["warehouse"] is shared
    clash = wb.Definitions(resources={"warehouse": Warehouse(name="other")})
    with pytest.raises(wb.DagsterInvariantViolationError) as caught:
        wb.Definitions.merge(one, two, clash)
    assert str(caught.value) == (
        "resource key 'warehouse' is bound to different resources in Definitions object 0 and "
        "Definitions object 2; bind it in one place, or give one of them another key"
    )


def test_definitions_decorator() -> None:
    @wb.definitions
    def defs() -> wb.Definitions:
        return wb.Definitions(resources={"api": Api()})

    assert isinstance(defs, LazyDefinitions)
    built = defs()
    assert isinstance(built, wb.Definitions)
    assert set(built.resources) == {"api"}

    @wb.definitions
    def wrong() -> Any:
        return {"resources": {}}

    with pytest.raises(wb.DefinitionError, match="must return a Definitions, got dict"):
        wrong()


def test_resolve_job_def_and_get_job_def(instance: Instance) -> None:
    parts = _chain()

    @wb.op
    def hello(api: Api) -> str:
        return api.url

    @wb.job
    def hello_job() -> None:
        hello()

    mart_job = wb.define_asset_job("mart_job", selection=wb.AssetSelection.groups("mart"))
    defs = wb.Definitions(
        assets=list(parts.values()),
        jobs=[hello_job, mart_job],
        resources={"api": Api(url="http://bound")},
    )
    job = defs.resolve_job_def("hello_job")
    assert job.execute_in_process(instance=instance).output_for_node("hello") == "http://bound"
    assert defs.get_job_def("hello_job").name == "hello_job"
    with pytest.raises(wb.DefinitionError, match="did you mean 'hello_job'"):
        defs.resolve_job_def("helo_job")
    resolved = defs.resolve_job_def("mart_job")
    assert {item.key.to_user_string() for item in resolved.assets} == {"joined", "report"}
    with pytest.raises(wb.ExecutionError, match="asset 'raw_a' is not part of this run"):
        resolved.execute_in_process(instance=instance)
    everything = defs.resolve_job_def(ASSET_JOB_NAME).execute_in_process(instance=instance)
    assert everything.asset_value("report") == 30
    with pytest.raises(wb.DefinitionError, match="must be resolved by the Definitions"):
        mart_job.execute_in_process(instance=instance)


def test_asset_job_runs_its_selection(instance: Instance) -> None:
    parts = _chain()
    job = wb.define_asset_job("upto_joined", selection=wb.AssetSelection.keys("joined").upstream())
    defs = wb.Definitions(assets=list(parts.values()), jobs=[job])
    result = defs.resolve_job_def("upto_joined").execute_in_process(instance=instance)
    materialized = {e.data["asset_key"] for e in result.get_asset_materialization_events()}
    assert materialized == {"raw_a", "raw_b", "joined"}
    assert result.asset_value("joined") == 3


def test_asset_selection_algebra() -> None:
    defs = wb.Definitions(assets=list(_chain().values()))
    selection = wb.AssetSelection
    assert _keys(defs, selection.all()) == {"raw_a", "raw_b", "joined", "report", "lonely"}
    assert _keys(defs, selection.keys("joined")) == {"joined"}
    assert _keys(defs, selection.groups("raw")) == {"raw_a", "raw_b"}
    assert _keys(defs, selection.keys("joined").upstream()) == {"raw_a", "raw_b", "joined"}
    assert _keys(defs, selection.keys("raw_a").downstream()) == {"raw_a", "joined", "report"}
    assert _keys(defs, selection.keys("raw_a").downstream(depth=1)) == {"raw_a", "joined"}
    assert _keys(defs, selection.keys("lonely") | selection.groups("raw")) == {
        "lonely",
        "raw_a",
        "raw_b",
    }
    assert _keys(defs, selection.groups("mart") & selection.keys("report").upstream()) == {
        "joined",
        "report",
    }
    assert _keys(defs, selection.all() - selection.groups("mart")) == {"raw_a", "raw_b", "lonely"}
    assert _keys(defs, selection.from_string("key:raw_a+")) == {"raw_a", "joined", "report"}
    assert _keys(defs, selection.from_string("+key:joined or group:other")) == {
        "raw_a",
        "raw_b",
        "joined",
        "lonely",
    }
    with pytest.raises(wb.DefinitionError, match="did you mean 'report'"):
        _keys(defs, selection.keys("reprt"))


def test_asset_job_with_an_unknown_key_is_a_validation_problem() -> None:
    job = wb.define_asset_job("bad_job", selection=["nope"])
    with pytest.raises(wb.DefinitionError, match="job 'bad_job': selection names assets"):
        wb.Definitions(assets=list(_chain().values()), jobs=[job]).validate()


def test_listing_and_lookups() -> None:
    parts = _chain()

    @wb.sensor(job_name="x")
    def watcher() -> None:
        return None

    defs = wb.Definitions(assets=list(parts.values()), sensors=[watcher], resources={"api": Api()})
    assert defs.get_assets_def("report") is parts["report"]
    # a copy whose jobs get the definitions' resources, as Dagster resolves it (#12)
    assert defs.get_sensor_def("watcher").fn is watcher.fn
    with pytest.raises(wb.DefinitionError, match="no asset named 'nope'"):
        defs.get_assets_def("nope")
    with pytest.raises(wb.DefinitionError, match="no schedule named 's'; no schedules"):
        defs.get_schedule_def("s")
    text = defs._repr_mimebundle_()["text/plain"]
    assert "assets: raw_a, raw_b, joined, report, lonely" in text
    assert "sensors: watcher" in text
    assert "resources: api" in text
    assert "Definitions(assets=5" in repr(defs)


def test_with_resources_and_usage() -> None:
    @wb.asset
    def uses(api: Api) -> str:
        return api.url

    defs = wb.Definitions(assets=[uses]).with_resources({"api": Api()})
    defs.validate()
    assert defs.usage() == {"api": ["asset 'uses'"]}


def test_run_config_to_config_dict() -> None:
    class OpConfig(wb.Config):
        size: int = 1

    config = wb.RunConfig(ops={"op": OpConfig(size=3)}, resources={"api": Api(url="u")})
    assert config.to_config_dict() == {
        "loggers": {},
        "ops": {"op": {"config": {"size": 3}}},
        "resources": {"api": {"config": {"url": "u"}}},
        "execution": {},
    }


def test_an_asset_that_reads_itself_is_a_problem() -> None:
    @wb.asset
    def alpha(alpha: int) -> int:
        return alpha

    with pytest.raises(wb.DefinitionError, match="asset 'alpha' depends on itself through"):
        wb.Definitions(assets=[alpha]).validate()
