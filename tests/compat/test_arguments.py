"""Keyword arguments: Dagster's are accepted or refused by name, typos get "did you mean"."""

from collections.abc import Callable
from typing import Any

import pytest

import workbench as wb

TYPOS: dict[str, tuple[Callable[[Any], Any], str]] = {
    "asset": (lambda dg: dg.asset(grup_name="raw"), "group_name"),
    "multi_asset": (
        lambda dg: dg.multi_asset(specs=[dg.AssetSpec("a")], grup_name="raw"),
        "group_name",
    ),
    "op": (lambda dg: dg.op(nmae="x"), "name"),
    "job": (lambda dg: dg.job(nmae="x"), "name"),
    "define_asset_job": (lambda dg: dg.define_asset_job("x", selction="*"), "selection"),
    "sensor": (lambda dg: dg.sensor(jbo=None), "job"),
    "schedule": (lambda dg: dg.schedule("* * * * *", jbo=None), "job"),
    "ScheduleDefinition": (
        lambda dg: dg.ScheduleDefinition(cron_schedule="* * * * *", job_name="x", nmae="y"),
        "name",
    ),
    "build_sensor_context": (lambda dg: dg.build_sensor_context(cursr="x"), "cursor"),
    "Definitions": (lambda dg: dg.Definitions(asets=[]), "assets"),
}


@pytest.mark.parametrize("name", sorted(TYPOS))
def test_a_misspelt_keyword_raises_type_error(dg: Any, name: str) -> None:
    call = TYPOS[name][0]
    with pytest.raises(TypeError, match="unexpected keyword argument"):
        call(dg)


@pytest.mark.parametrize("name", sorted(set(TYPOS) - {"Definitions"}))
def test_workbench_suggests_the_keyword_meant(name: str) -> None:
    call, meant = TYPOS[name]
    with pytest.raises(TypeError, match=f"did you mean {meant!r}"):
        call(wb)


def test_an_asset_with_dagsters_descriptive_arguments_still_runs(dg: Any) -> None:
    @dg.asset(owners=["team:data"], kinds={"python"}, op_tags={"k": "v"}, group_name="raw")
    def tagged() -> int:
        return 1

    result = dg.materialize([tagged])
    assert result.success
    assert result.output_for_node("tagged") == 1


def test_an_argument_workbench_cannot_honour_yet_is_refused_by_name() -> None:
    with pytest.raises(wb.DefinitionError, match=r"partitions_def= is not supported"):
        wb.asset(partitions_def=object())
    with pytest.raises(wb.DefinitionError, match=r"asset_checks= is not supported"):
        wb.Definitions(asset_checks=[object()])
    # empty, it asks for nothing and is accepted
    assert wb.asset(partitions_def=None) is not None


def test_definitions_keep_executor_and_loggers() -> None:
    executor, loggers = object(), {"console": object()}
    defs = wb.Definitions(executor=executor, loggers=loggers)
    assert defs.executor is executor
    assert defs.loggers == loggers


def _nightly_by_job_name(dg: Any) -> tuple[Any, Any]:
    """A job ``nightly`` (its op ``one`` returns 1) and a schedule naming it by job_name."""

    @dg.op
    def one() -> int:
        return 1

    @dg.job
    def nightly() -> None:
        one()

    return nightly, dg.ScheduleDefinition(cron_schedule="0 0 * * *", job_name="nightly")


def test_schedule_definition_by_job_name(dg: Any) -> None:
    _, schedule = _nightly_by_job_name(dg)
    assert schedule.name == "nightly_schedule"
    assert schedule.job_name == "nightly"


def test_a_schedule_by_job_name_launches_that_job() -> None:
    from workbench.core.tick import tick

    nightly, schedule = _nightly_by_job_name(wb)
    defs = wb.Definitions(jobs=[nightly], schedules=[schedule])
    (run,) = tick(defs, "nightly_schedule", launch=True).runs
    assert run.output_for_node("one") == 1
