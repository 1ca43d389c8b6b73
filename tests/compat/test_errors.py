"""Errors code can catch: the same ``except`` clauses work for workbench and Dagster (#12)."""

import contextlib
import re
from collections.abc import Iterator
from typing import Any

import pytest

import workbench as wb
from workbench.core.run import EventType


def test_an_op_error_is_raised_as_the_users_own_exception(dg: Any) -> None:
    @dg.op
    def bad() -> None:
        raise KeyError("mine")

    @dg.job
    def broken() -> None:
        bad()

    with pytest.raises(KeyError, match="mine") as caught:
        broken.execute_in_process()
    assert type(caught.value) is KeyError
    assert not broken.execute_in_process(raise_on_error=False).success


def test_an_asset_error_is_raised_as_the_users_own_exception(dg: Any) -> None:
    class Mine(Exception):
        pass

    @dg.asset
    def fails() -> None:
        raise Mine("bad row 7")

    with pytest.raises(Mine, match="bad row 7"):
        dg.materialize([fails])


def test_the_raised_step_error_says_where_it_happened() -> None:
    @wb.asset
    def fails() -> None:
        raise LookupError("missing row")

    with pytest.raises(LookupError) as caught:
        wb.materialize([fails])
    assert any("step 'fails' failed in run" in note for note in caught.value.__notes__)


class Broken(wb.ConfigurableResource):
    def setup_for_execution(self, context: Any) -> None:
        raise ValueError("cannot connect")


def test_a_failed_setup_raises_resource_function_error_with_the_cause(dg: Any) -> None:
    class Failing(dg.ConfigurableResource):
        def setup_for_execution(self, context: Any) -> None:
            raise ValueError("cannot connect")

    @dg.op
    def uses(conn: Failing) -> int:
        return 1

    @dg.job
    def run_it() -> None:
        uses()

    with pytest.raises(dg.DagsterResourceFunctionError) as caught:
        run_it.execute_in_process(resources={"conn": Failing()})
    assert isinstance(caught.value.__cause__, ValueError)
    assert not run_it.execute_in_process(
        resources={"conn": Failing()}, raise_on_error=False
    ).success


def test_the_setup_error_names_the_resource_key() -> None:
    @wb.asset
    def needs(conn: Broken) -> None:
        pass

    with pytest.raises(wb.DagsterResourceFunctionError, match=r"resource 'conn' .*cannot connect"):
        wb.materialize([needs], resources={"conn": Broken()})
    assert issubclass(wb.DagsterResourceFunctionError, wb.ExecutionError)


def _run_with_leaky_teardown(dg: Any) -> Any:
    """Materialize an asset (value 5) with a resource ``leaky`` whose teardown raises."""

    class Leaky(dg.ConfigurableResource):
        def teardown_after_execution(self, context: Any) -> None:
            raise ValueError("cannot close")

    @dg.asset
    def value(leaky: Leaky) -> int:
        return 5

    return dg.materialize([value], resources={"leaky": Leaky()})


def test_a_raising_teardown_is_logged_and_the_run_succeeds(dg: Any) -> None:
    result = _run_with_leaky_teardown(dg)
    assert result.success
    assert result.asset_value("value") == 5
    assert any(
        re.search(r"Teardown of resources \[.*\] failed", event.message or "")
        for event in result.all_events
    )


def test_setup_and_teardown_are_recorded_as_events(caplog: pytest.LogCaptureFixture) -> None:
    result = _run_with_leaky_teardown(wb)
    kinds = [event.event_type for event in result.all_events]
    assert kinds.index(EventType.RESOURCE_SETUP) < kinds.index(EventType.STEP_START)
    teardown = next(e for e in result.all_events if e.event_type is EventType.RESOURCE_TEARDOWN)
    assert "Teardown of resources ['leaky'] failed: ValueError: cannot close (in Leaky)" in (
        teardown.message or ""
    )
    assert "cannot close" in caplog.text


def test_misused_results_and_contexts_raise_invariant_violations(dg: Any) -> None:
    @dg.op
    def one() -> int:
        return 1

    @dg.job
    def ones() -> None:
        one()

    result = ones.execute_in_process()
    with pytest.raises(dg.DagsterInvariantViolationError):
        result.output_for_node("nope")

    @dg.multi_asset(specs=[dg.AssetSpec("left"), dg.AssetSpec("right")])
    def both(context):
        context.asset_key  # noqa: B018 -- reading it is what raises

    with pytest.raises(dg.DagsterInvariantViolationError, match="asset_key"):
        dg.materialize([both])


def test_an_op_given_too_many_arguments_is_an_invalid_invocation(dg: Any) -> None:
    @dg.op
    def one() -> int:
        return 1

    with pytest.raises(dg.DagsterInvalidInvocationError):
        one(1, 2)


def test_a_missing_resource_is_an_invalid_definition(dg: Any) -> None:
    class Writer(dg.ConfigurableResource):
        prefix: str

    @dg.op
    def write(writer: Writer) -> None:
        pass

    @dg.job
    def writes() -> None:
        write()

    with pytest.raises(dg.DagsterInvalidDefinitionError, match="'writer' required by op 'write'"):
        writes.execute_in_process()


def test_a_dependency_cycle_is_an_invalid_definition() -> None:
    # Dagster raises toposort's CircularDependencyError here; workbench names the cycle
    @wb.asset(deps=["second"])
    def first() -> None:
        pass

    @wb.asset(deps=[first])
    def second() -> None:
        pass

    with pytest.raises(wb.DagsterInvalidDefinitionError, match="cycle"):
        wb.materialize([first, second])


def test_a_yield_for_execution_that_raises_before_or_after_its_yield(dg: Any) -> None:
    log: list[str] = []

    class Before(dg.ConfigurableResource):
        @contextlib.contextmanager
        def yield_for_execution(self, context: Any) -> Iterator[Any]:
            log.append("start")
            if log:  # always: the setup fails before it yields
                raise RuntimeError("cannot start")
            yield self

    class After(dg.ConfigurableResource):
        @contextlib.contextmanager
        def yield_for_execution(self, context: Any) -> Iterator[Any]:
            log.append("start")
            yield self
            log.append("after")
            raise RuntimeError("cannot stop")

    @dg.op
    def uses(res: dg.ConfigurableResource) -> None:
        log.append("op")

    @dg.job
    def run_it() -> None:
        uses()

    with pytest.raises(dg.DagsterResourceFunctionError):
        run_it.execute_in_process(resources={"res": Before()})
    assert log == ["start"]
    log.clear()
    assert run_it.execute_in_process(resources={"res": After()}).success
    assert log == ["start", "op", "after"]


def test_an_unknown_name_is_an_invariant_violation(dg: Any) -> None:
    @dg.op
    def one() -> int:
        return 1

    @dg.job
    def ones() -> None:
        one()

    defs = dg.Definitions(jobs=[ones])
    with pytest.raises(dg.DagsterInvariantViolationError):
        defs.get_job_def("onse")
    with pytest.raises(dg.DagsterInvariantViolationError):
        defs.get_sensor_def("nope")
    with pytest.raises(dg.DagsterInvariantViolationError):
        defs.get_assets_def("nope")


def test_setting_a_field_of_config_or_a_resource_is_an_invalid_invocation(dg: Any) -> None:
    class Settings(dg.Config):
        n: int = 1

    class Conn(dg.ConfigurableResource):
        host: str = "h"

    with pytest.raises(dg.DagsterInvalidInvocationError):
        Settings().n = 2
    with pytest.raises(dg.DagsterInvalidInvocationError):
        Conn().host = "other"


class _Unsupported:
    """A class config cannot hold."""


def _refuse_config_type(
    dg: Any, decorator: Any, annotation: Any, error: type[Exception], match: str | None = None
) -> None:
    """Decorating a function whose ``config`` is typed ``annotation`` raises ``error``."""

    def takes(config: Any) -> None:
        return None

    takes.__annotations__["config"] = annotation
    with pytest.raises(error, match=match):
        decorator(takes)


def test_config_with_a_field_config_cannot_hold_is_refused_when_used(dg: Any) -> None:
    class Flat(dg.Config):
        thing: _Unsupported

    class Inner(dg.Config):
        thing: list[_Unsupported]

    class Outer(dg.Config):
        inner: Inner | None = None

    for config_class in (Flat, Outer):
        _refuse_config_type(dg, dg.op, config_class, dg.DagsterError, match="thing")
    _refuse_config_type(dg, dg.asset, Flat, dg.DagsterError, match="thing")


def test_config_parameters_typed_with_other_classes_are_refused(dg: Any) -> None:
    import pydantic

    class Model(pydantic.BaseModel):
        name: str

    for annotation in (_Unsupported, Model, tuple[str, str]):
        _refuse_config_type(dg, dg.op, annotation, dg.DagsterError)
    _refuse_config_type(dg, dg.asset, _Unsupported, dg.DagsterError)


def test_a_resource_with_a_field_config_cannot_hold_is_refused_when_built(dg: Any) -> None:
    class Client(dg.ConfigurableResource):
        connection: _Unsupported

    class Wrapper(dg.ConfigurableResource):
        connection: dg.ResourceDependency[_Unsupported]

    with pytest.raises(dg.DagsterError, match="ResourceDependency"):
        Client(connection=_Unsupported())
    held = _Unsupported()
    assert Wrapper(connection=held).connection is held


def test_a_function_style_field_as_a_class_default_is_refused(dg: Any) -> None:
    class Settings(dg.Config):
        name: str = dg.Field(str, description="the name")

    class Store(dg.ConfigurableResource):
        name: str = dg.Field(str, description="the name")

    _refuse_config_type(
        dg, dg.op, Settings, dg.DagsterInvalidDefinitionError, match=r"pydantic\.Field"
    )
    with pytest.raises(dg.DagsterInvalidDefinitionError, match=r"pydantic\.Field"):
        Store(name="x")


def test_a_parameter_typed_with_a_resource_definition_class_is_refused(dg: Any) -> None:
    class Definition(dg.ResourceDefinition):
        pass

    with pytest.raises(dg.DagsterInvalidDefinitionError, match="ResourceParam"):

        @dg.op
        def takes(client: Definition) -> None:
            return None


def test_resources_named_both_ways_are_refused(dg: Any) -> None:
    class Store(dg.ConfigurableResource):
        name: str = "x"

    with pytest.raises(Exception, match=r"decorator|required_resource_keys"):

        @dg.asset(required_resource_keys={"other"})
        def table(store: Store) -> None:
            return None

    with pytest.raises(Exception, match=r"decorator|required_resource_keys"):

        @dg.op(required_resource_keys={"other"})
        def step(store: Store) -> None:
            return None
