from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

import workbench as wb
from workbench.core.run import EventType

if TYPE_CHECKING:
    from workbench.core.instance import Instance

CALLS: list[str] = []


class Multiplier(wb.Config):
    factor: int = 2
    label: str = "x"


class Store(wb.ConfigurableResource):
    prefix: str = "store"

    def save(self, value: Any) -> str:
        return f"{self.prefix}:{value}"


@wb.op
def one() -> int:
    CALLS.append("one")
    return 1


@wb.op
def add_one(value: int) -> int:
    CALLS.append("add_one")
    return value + 1


@wb.op
def times(config: Multiplier, value: int) -> int:
    return value * config.factor


@wb.op
def total(values: list[int]) -> int:
    return sum(values)


@wb.op(out={"low": wb.Out(), "high": wb.Out()})
def split() -> tuple[int, int]:
    return 1, 100


@wb.op
def save(store: Store, value: int) -> str:
    return store.save(value)


def test_job_composes_ops_and_passes_inputs(instance: Instance) -> None:
    CALLS.clear()

    @wb.job
    def chain() -> None:
        add_one(add_one(one()))

    assert sorted(chain.nodes) == ["add_one", "add_one_2", "one"]
    result = chain.execute_in_process(instance=instance)
    assert result.success
    assert CALLS == ["one", "add_one", "add_one"]
    assert result.output_for_node("add_one") == 2
    assert result.output_for_node("add_one_2") == 3
    record = instance.run_store.get_run(result.run_id)
    assert record.job_name == "chain"


def test_fan_out_and_fan_in(instance: Instance) -> None:
    @wb.job
    def fan() -> None:
        start = one()
        total([add_one.alias(f"branch_{index}")(start) for index in range(3)])

    result = fan.execute_in_process(instance=instance)
    assert result.output_for_node("total") == 6
    assert result.output_for_node("branch_2") == 2


def test_multiple_outputs(instance: Instance) -> None:
    @wb.job
    def both() -> None:
        low, high = split()
        add_one.alias("bump_low")(low)
        add_one.alias("bump_high")(high)

    @wb.job
    def by_name() -> None:
        outputs = split()
        add_one(outputs.high)

    result = both.execute_in_process(instance=instance)
    assert result.output_for_node("split", "low") == 1
    assert result.output_for_node("split", "high") == 100
    assert result.output_for_node("bump_high") == 101
    assert by_name.execute_in_process(instance=instance).output_for_node("add_one") == 101
    with pytest.raises(wb.WorkbenchError, match=r"split\.high"):
        result.output_for_node("split")


def test_op_aliasing_twice_with_one_alias_is_an_error() -> None:
    with pytest.raises(wb.DefinitionError, match="alias 'same' twice"):

        @wb.job
        def twice() -> None:
            add_one.alias("same")(one())
            add_one.alias("same")(one())


def test_ins_and_out_declarations() -> None:
    @wb.op(ins={"value": wb.In(description="a number")}, out=wb.Out(description="plus two"))
    def plus_two(value: int) -> int:
        return value + 2

    assert plus_two.ins["value"].description == "a number"
    assert plus_two.outs["result"].description == "plus two"
    assert plus_two(1) == 3
    with pytest.raises(wb.DefinitionError, match="missing"):

        @wb.op(ins={"missing": wb.In()})
        def no_such_input(value: int) -> int:
            return value


def test_op_config_from_run_config(instance: Instance) -> None:
    @wb.job
    def configured() -> None:
        times(one())

    assert configured.execute_in_process(instance=instance).output_for_node("times") == 2
    result = configured.execute_in_process(
        run_config={"ops": {"times": {"config": {"factor": 10}}}}, instance=instance
    )
    assert result.output_for_node("times") == 10
    result = configured.execute_in_process(
        run_config=wb.RunConfig(ops={"times": Multiplier(factor=4)}), instance=instance
    )
    assert result.output_for_node("times") == 4


def test_job_default_config_and_launch_override(instance: Instance) -> None:
    @wb.job(config={"ops": {"times": {"config": {"factor": 3}}}})
    def preset() -> None:
        times(one())

    assert preset.execute_in_process(instance=instance).output_for_node("times") == 3
    result = preset.execute_in_process(
        run_config={"ops": {"times": {"config": {"factor": 5}}}}, instance=instance
    )
    assert result.output_for_node("times") == 5


def test_op_context_and_resources(instance: Instance) -> None:
    seen: dict[str, Any] = {}

    @wb.op(required_resource_keys={"store"})
    def uses_context(context: wb.OpExecutionContext) -> str:
        seen["op_name"] = context.op_name
        seen["run_id"] = context.run_id
        context.log.info("from an op")
        return str(context.resources.store.save(1))

    @wb.job(resource_defs={"store": Store(prefix="job")})
    def with_context() -> None:
        save(one())
        uses_context()

    result = with_context.execute_in_process(instance=instance)
    assert result.output_for_node("uses_context") == "job:1"
    assert result.output_for_node("save") == "job:1"
    assert seen == {"op_name": "uses_context", "run_id": result.run_id}
    logs = [e.message for e in result.all_events if e.event_type is EventType.LOG]
    assert logs == ["from an op"]
    result = with_context.execute_in_process(
        resources={"store": Store(prefix="given")}, instance=instance
    )
    assert result.output_for_node("save") == "given:1"


def test_resources_given_to_execute_in_process(instance: Instance) -> None:
    @wb.job
    def saving() -> None:
        save(one())

    result = saving.execute_in_process(resources={"store": Store(prefix="s")}, instance=instance)
    assert result.output_for_node("save") == "s:1"
    with pytest.raises(wb.DefinitionError, match="resource 'store' required by op 'save'"):
        saving.execute_in_process(instance=instance)


def test_op_selection_runs_only_the_chosen_ops(instance: Instance) -> None:
    CALLS.clear()

    @wb.job
    def two_branches() -> None:
        start = one()
        add_one(start)
        total([start])

    result = two_branches.execute_in_process(op_selection=["one", "add_one"], instance=instance)
    assert CALLS == ["one", "add_one"]
    assert result.output_for_node("add_one") == 2
    with pytest.raises(wb.WorkbenchError):
        result.output_for_node("total")
    with pytest.raises(wb.DefinitionError, match="'one', which is not selected"):
        two_branches.execute_in_process(op_selection=["add_one"], instance=instance)
    with pytest.raises(wb.DefinitionError, match="no op named 'nope'; defined: "):
        two_branches.execute_in_process(op_selection=["nope"], instance=instance)


def test_run_config_is_validated_before_any_step(instance: Instance) -> None:
    CALLS.clear()

    @wb.job
    def configured() -> None:
        times(one())

    with pytest.raises(wb.ConfigError) as caught:
        configured.execute_in_process(
            run_config={
                "ops": {"timez": {"config": {}}, "times": {"config": {"factor": "many"}}},
                "resources": {"nowhere": {"config": {"a": 1}}},
            },
            instance=instance,
        )
    text = str(caught.value)
    assert "ops.timez: no step named 'timez' in this run; did you mean 'times'?" in text
    assert "ops.times.config.factor" in text
    assert "'many'" in text
    assert "resources.nowhere" in text
    assert CALLS == []
    assert instance.run_store.list_runs() == []


def test_run_config_shape_errors() -> None:
    @wb.job
    def simple() -> None:
        one()

    with pytest.raises(wb.ConfigError, match="unknown top-level"):
        simple.execute_in_process(run_config={"opz": {}})
    with pytest.raises(wb.ConfigError, match="takes no config"):
        simple.execute_in_process(run_config={"ops": {"one": {"config": {"a": 1}}}})
    with pytest.raises(wb.ConfigError, match="dict or RunConfig"):
        simple.execute_in_process(run_config=[1])


def test_step_failure_skips_downstream_and_keeps_upstream(instance: Instance) -> None:
    @wb.op
    def explode(value: int) -> int:
        raise ValueError(f"cannot handle {value}")

    @wb.job
    def failing() -> None:
        start = one()
        add_one(explode(start))
        add_one.alias("independent")(start)

    result = failing.execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    assert result.output_for_node("one") == 1
    assert result.output_for_node("independent") == 2
    skipped = [e.step_key for e in result.all_events if e.event_type is EventType.STEP_SKIPPED]
    assert skipped == ["add_one"]
    with pytest.raises(ValueError, match="cannot handle 1") as caught:
        failing.execute_in_process(instance=instance)
    assert "(step 'explode' failed in run" in caught.value.__notes__[0]


def test_job_body_errors() -> None:
    with pytest.raises(wb.DefinitionError, match="must come from another op's output"):

        @wb.job
        def literal() -> None:
            add_one(5)

    @wb.job
    def unfed() -> None:
        add_one()

    with pytest.raises(wb.DefinitionError, match="inputs with no source: value"):
        unfed.execute_in_process()


def test_job_repr_has_text_plain() -> None:
    @wb.job
    def shown() -> None:
        add_one(one())

    assert shown._repr_mimebundle_()["text/plain"] == "Job shown (2 steps: one, add_one)"
