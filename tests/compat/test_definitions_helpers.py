"""Definitions helpers: implicit asset job, resolve_*_def, loading values outside a run (#12)."""

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest


def test_the_implicit_asset_job_and_resolve_helpers(dg: Any) -> None:
    @dg.asset
    def one() -> int:
        return 1

    @dg.asset
    def two(one: int) -> int:
        return one + 1

    job = dg.define_asset_job("both", selection=[one, two])

    @dg.sensor(job=job)
    def watch() -> None:
        return None

    @dg.schedule(job=job, cron_schedule="0 * * * *")
    def hourly() -> None:
        return None

    defs = dg.Definitions(assets=[one, two], jobs=[job], sensors=[watch], schedules=[hourly])
    implicit = defs.get_implicit_global_asset_job_def()
    assert isinstance(implicit, dg.JobDefinition)
    assert implicit.execute_in_process().output_for_node("two") == 2
    assert defs.resolve_sensor_def("watch").name == "watch"
    assert defs.resolve_schedule_def("hourly").name == "hourly"


def test_load_asset_value_goes_through_the_bound_io_manager(dg: Any) -> None:
    stored: dict[str, Any] = {}

    class Memory(dg.ConfigurableIOManager):
        suffix: str

        def handle_output(self, context: Any, obj: Any) -> None:
            stored["/".join(context.asset_key.path)] = obj

        def load_input(self, context: Any) -> Any:
            return stored["/".join(context.asset_key.path)] + self.suffix

    @dg.asset(key_prefix="raw")
    def name() -> str:
        return "ada"

    defs = dg.Definitions(assets=[name], resources={"io_manager": Memory(suffix="!")})
    defs.get_implicit_global_asset_job_def().execute_in_process()
    assert defs.load_asset_value(["raw", "name"]) == "ada!"
    with defs.get_asset_value_loader() as loader:
        assert loader.load_asset_value(dg.AssetKey(["raw", "name"])) == "ada!"


def test_load_asset_value_of_an_unknown_key_says_which_keys_there_are() -> None:
    import workbench as wb

    @wb.asset
    def orders() -> int:
        return 1

    with pytest.raises(wb.DefinitionError, match="did you mean 'orders'"):
        wb.Definitions(assets=[orders]).load_asset_value("order")


def test_yesterdays_value_loads_in_a_new_process_from_the_default_value_store(
    tmp_path: Path,
) -> None:
    module = tmp_path / "pipeline.py"
    module.write_text(
        textwrap.dedent(
            """
            import workbench as wb

            @wb.asset
            def totals() -> dict:
                return {"north": 3}

            defs = wb.Definitions(assets=[totals])
            """
        )
    )
    home = tmp_path / "home"
    run = "import pipeline, workbench as wb; wb.materialize(pipeline.defs.assets)"
    load = "import pipeline; print(pipeline.defs.load_asset_value('totals'))"
    for code in (run, load):
        done = subprocess.run(
            [sys.executable, "-c", code],
            cwd=tmp_path,
            env={"WORKBENCH_HOME": str(home), "PYTHONPATH": _path(tmp_path)},
            capture_output=True,
            text=True,
            check=True,
        )
    assert done.stdout.strip() == "{'north': 3}"


def _path(extra: Path) -> str:
    import os

    return os.pathsep.join([str(extra), *sys.path])


def test_an_unresolved_asset_job_is_a_definition_error() -> None:
    import workbench as wb

    @wb.asset
    def one() -> int:
        return 1

    job = wb.define_asset_job("only", selection=[one])
    with pytest.raises(wb.DefinitionError, match="must be resolved by the Definitions"):
        job.execute_in_process()


def test_the_loader_sets_up_the_io_manager_with_its_resources_and_config(dg: Any) -> None:
    happened: list[str] = []

    class Reader(dg.IOManager):
        def handle_output(self, context: Any, obj: Any) -> None:
            raise AssertionError("a loader stores nothing")

        def load_input(self, context: Any) -> Any:
            assert context.upstream_output.metadata["a"] == "b"
            return f"{context.resources.fruit}:{context.resource_config['suffix']}"

    @dg.io_manager(required_resource_keys={"fruit"}, config_schema={"suffix": str})
    def reader(init_context: Any) -> Any:
        happened.append("set up")
        yield Reader()
        happened.append("torn down")

    @dg.asset(io_manager_key="reader", metadata={"a": "b"})
    def stored() -> None:
        pass

    @dg.repository
    def repo() -> Any:
        return dg.with_resources(
            [stored],
            resource_defs={
                "reader": reader.configured({"suffix": "x"}),
                "fruit": dg.ResourceDefinition.hardcoded_resource("apple"),
            },
        )

    with repo.get_asset_value_loader() as loader:
        assert happened == []
        assert loader.load_asset_value(dg.AssetKey("stored")) == "apple:x"
        assert happened == ["set up"]
    assert happened == ["set up", "torn down"]


def test_loading_without_a_store_or_a_bound_manager_says_what_to_bind() -> None:
    import workbench as wb
    from workbench.core.instance import Instance

    @wb.asset(io_manager_key="warehouse")
    def remote() -> int:
        return 1

    @wb.asset
    def local() -> int:
        return 1

    defs = wb.Definitions(assets=[remote, local])
    with pytest.raises(wb.DagsterInvariantViolationError, match="no IO manager is bound"):
        defs.load_asset_value("remote")
    with pytest.raises(wb.DagsterInvariantViolationError, match="in memory only"):
        defs.load_asset_value("local", instance=Instance.ephemeral())
    with pytest.raises(wb.DagsterInvariantViolationError, match="partitions"):
        defs.load_asset_value("local", partition_key="2024-01-01")
