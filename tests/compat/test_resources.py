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


def _bucket(dg: Any) -> tuple[Any, Any, Any]:
    """A Credentials resource, a Bucket resource nesting it, and an asset listing the bucket."""

    class Credentials(dg.ConfigurableResource):
        key: str

    class Bucket(dg.ConfigurableResource):
        credentials: Credentials
        region: str = "eu"

    @dg.asset
    def listing(bucket: Bucket) -> str:
        return f"{bucket.credentials.key}@{bucket.region}"

    return Credentials, Bucket, listing


def test_a_nested_resource_configured_at_launch_is_completed_from_run_config(dg: Any) -> None:
    Credentials, Bucket, listing = _bucket(dg)
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


def test_a_resource_that_fails_before_it_yields_is_a_resource_function_error(dg: Any) -> None:
    import contextlib

    class Flaky(dg.ConfigurableResource):
        @contextlib.contextmanager
        def yield_for_execution(self, context: Any) -> Any:
            # no yield: the failure comes as the resource is opened, before anything is set up
            raise RuntimeError("cannot connect")

    @dg.op
    def use(flaky: Flaky) -> None:
        return None

    @dg.job(resource_defs={"flaky": Flaky()})
    def flaky_job() -> None:
        use()

    with pytest.raises(dg.DagsterResourceFunctionError):
        flaky_job.execute_in_process()


def test_merging_two_resources_on_one_key_is_an_invariant_violation(dg: Any) -> None:
    class Warehouse(dg.ConfigurableResource):
        name: str = "main"

    one = dg.Definitions(resources={"warehouse": Warehouse()})
    other = dg.Definitions(resources={"warehouse": Warehouse(name="other")})
    with pytest.raises(dg.DagsterInvariantViolationError, match="warehouse"):
        dg.Definitions.merge(one, other)


def test_a_launch_configured_resource_nested_two_levels_down_gets_its_config(dg: Any) -> None:
    class Credentials(dg.ConfigurableResource):
        username: str

    class Connection(dg.ConfigurableResource):
        credentials: Credentials
        host: str

    class Database(dg.ConfigurableResource):
        connection: Connection

    @dg.asset
    def table(database: Database) -> str:
        return f"{database.connection.credentials.username}@{database.connection.host}"

    credentials = Credentials.configure_at_launch()
    database = Database(connection=Connection(credentials=credentials, host="h"))
    defs = dg.Definitions(
        assets=[table], resources={"credentials": credentials, "database": database}
    )
    run_config = {"resources": {"credentials": {"config": {"username": "ada"}}}}
    result = defs.resolve_implicit_global_asset_job_def().execute_in_process(run_config)
    assert result.output_for_node("table") == "ada@h"


def test_a_function_style_resource_nested_in_another_gets_its_top_level_config(dg: Any) -> None:
    from collections.abc import Callable

    @dg.resource(config_schema={"prefix": str})
    def prefixer(context: Any) -> Callable[[str], str]:
        prefix = context.resource_config["prefix"]
        return lambda text: f"{prefix}{text}"

    class Labeller(dg.ConfigurableResource):
        prefix_with: dg.ResourceDependency[Callable[[str], str]]

    @dg.asset
    def label(labeller: Labeller) -> Any:
        return labeller.prefix_with("x")

    resources = {"prefixer": prefixer, "labeller": Labeller(prefix_with=prefixer)}
    run_config = {"resources": {"prefixer": {"config": {"prefix": "p-"}}}}
    result = dg.materialize([label], resources=resources, run_config=run_config)
    assert result.output_for_node("label") == "p-x"


def _warehouse(dg: Any) -> tuple[Any, Any]:
    """A resource with two defaulted fields, and an asset that returns both."""

    class Warehouse(dg.ConfigurableResource):
        size: int = 1
        name: str = "class"

    @dg.asset
    def table(warehouse: Warehouse) -> tuple[int, str]:
        return (warehouse.size, warehouse.name)

    return Warehouse, table


def test_run_config_replaces_the_constructors_config(dg: Any) -> None:
    Warehouse, table = _warehouse(dg)
    bound = {"warehouse": Warehouse(name="built")}

    def run(config: dict[str, Any] | None) -> Any:
        run_config = None if config is None else {"resources": {"warehouse": {"config": config}}}
        return dg.materialize([table], resources=bound, run_config=run_config)

    assert run(None).output_for_node("table") == (1, "built")
    # a field the run config leaves out takes the class default, not the constructor's value
    assert run({"size": 5}).output_for_node("table") == (5, "class")
    assert run({}).output_for_node("table") == (1, "class")


def test_run_config_must_give_a_required_field_the_constructor_gave(dg: Any) -> None:
    class Warehouse(dg.ConfigurableResource):
        size: int = 1
        name: str

    @dg.asset
    def table(warehouse: Warehouse) -> str:
        return warehouse.name

    run_config = {"resources": {"warehouse": {"config": {"size": 5}}}}
    with pytest.raises(dg.DagsterInvalidConfigError) as caught:
        dg.materialize([table], resources={"warehouse": Warehouse(name="a")}, run_config=run_config)
    assert "name" in str(caught.value)


def test_run_config_of_a_resource_keeps_the_resources_it_nests(dg: Any) -> None:
    Credentials, Bucket, listing = _bucket(dg)
    bucket = Bucket(credentials=Credentials(key="K"), region="us")
    run_config = {"resources": {"bucket": {"config": {"region": "ap"}}}}
    result = dg.materialize([listing], resources={"bucket": bucket}, run_config=run_config)
    assert result.output_for_node("listing") == "K@ap"


def test_with_resources_config_replaces_the_constructors_config(dg: Any) -> None:
    Warehouse, table = _warehouse(dg)
    bound = dg.with_resources(
        [table],
        {"warehouse": Warehouse(name="built")},
        resource_config_by_key={"warehouse": {"config": {"size": 5}}},
    )
    assert dg.materialize(bound).output_for_node("table") == (5, "class")
