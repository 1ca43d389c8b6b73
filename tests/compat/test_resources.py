"""Where resources come from: assets that bind their own (resource_defs=)."""

import warnings
from typing import Any

import pytest


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


def test_a_nested_resource_configured_at_launch_is_completed_from_run_config(dg: Any) -> None:
    class Credentials(dg.ConfigurableResource):
        key: str

    class Bucket(dg.ConfigurableResource):
        credentials: Credentials
        region: str = "eu"

    @dg.asset
    def listing(bucket: Bucket) -> str:
        return f"{bucket.credentials.key}@{bucket.region}"

    credentials = Credentials.configure_at_launch()
    resources = {"bucket": Bucket(credentials=credentials), "credentials": credentials}
    run_config = {"resources": {"credentials": {"config": {"key": "K"}}}}
    result = dg.materialize([listing], resources=resources, run_config=run_config)
    assert result.output_for_node("listing") == "K@eu"


def test_a_nested_launch_resource_not_bound_at_top_level_is_a_definition_error(dg: Any) -> None:
    class Credentials(dg.ConfigurableResource):
        key: str

    class Bucket(dg.ConfigurableResource):
        credentials: Credentials

    @dg.asset
    def listing(bucket: Bucket) -> str:
        return bucket.credentials.key

    bucket = Bucket(credentials=Credentials.configure_at_launch())
    with pytest.raises(dg.DagsterInvalidDefinitionError) as caught:
        dg.materialize([listing], resources={"bucket": bucket})
    if dg.__name__ == "workbench":
        assert "bind that same object too" in str(caught.value)
