"""Where resources come from: assets that bind their own (resource_defs=)."""

import warnings
from typing import Any


def test_an_asset_runs_with_the_resources_it_binds_itself(dg: Any) -> None:
    class Warehouse(dg.ConfigurableResource):
        size: int = 1

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Dagster calls resource_defs= a beta parameter

        @dg.asset(resource_defs={"warehouse": Warehouse(size=5)})
        def table(warehouse: Warehouse) -> int:
            return warehouse.size

    assert dg.materialize([table]).output_for_node("table") == 5
    job = dg.define_asset_job("build", [table])
    defs = dg.Definitions(assets=[table], jobs=[job])
    assert defs.resolve_job_def("build").execute_in_process().output_for_node("table") == 5
