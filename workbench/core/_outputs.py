"""What a step returned, read against the outputs it declares and the run selected."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workbench.core.asset import MaterializeResult, Output, version_text
from workbench.core.keys import path_hint
from workbench.errors import ExecutionError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from workbench.core.plan import Step

__all__ = ["NO_VALUE", "Outcome", "step_outputs"]

NO_VALUE: Any = MaterializeResult._NO_VALUE
"""The value of an output that stores none (a MaterializeResult without ``value=``)."""

Outcome = tuple[Any, dict[str, Any], str | None]
"""One output: its value, its metadata and its data version."""


def step_outputs(step: Step, result: Any, run_id: str) -> dict[str, Outcome]:
    """What a step returned, by output name: ``(value, metadata, data version)``.

    Raises:
        ExecutionError: the result does not fit the step's outputs, names one the run did
            not select, or leaves out a required one.
    """
    # an asset step maps what it returns onto every output it declares, then keeps the
    # selected ones (a can_subset multi_asset may run only some); see #13
    names = step.asset.output_names if step.asset is not None else step.outputs
    items = (
        result
        if isinstance(result, list)
        and step.asset is not None
        and all(isinstance(item, MaterializeResult | Output) for item in result)
        and result
        else None
    )
    if items is None and len(names) > 1:
        if isinstance(result, tuple) and len(result) == len(names):
            items = [Output(value, name) for name, value in zip(names, result, strict=True)]
        elif isinstance(result, list) and all(isinstance(item, Output) for item in result):
            items = result
        else:
            raise ExecutionError(
                f"step {step.key!r} declares outputs {', '.join(names)}; return a tuple of "
                f"{len(names)} values (or yield Output/MaterializeResult for each)",
                run_id=run_id,
                step=step.key,
            )
    if items is None:
        items = [result]
    outputs: dict[str, Outcome] = {}
    for item in items:
        name = _output_name(step, item, names, run_id)
        if isinstance(item, MaterializeResult):
            value = item.value if item.has_value else NO_VALUE
            outputs[name] = (value, item.metadata, version_text(item.data_version))
        elif isinstance(item, Output):
            outputs[name] = (item.value, item.metadata, version_text(item.data_version))
        else:
            outputs[name] = (item, {}, None)
    _check_selected(step, outputs, names, run_id)
    return outputs


def _output_name(step: Step, item: Any, names: tuple[str, ...], run_id: str) -> str:
    """The output an item a step returned is for."""
    if isinstance(item, MaterializeResult) and item.asset_key is not None:
        assert step.asset is not None
        by_key = dict(zip(step.asset.keys, step.asset.output_names, strict=True))
        if item.asset_key not in by_key:
            hint = path_hint(item.asset_key, by_key) or "it declares: " + ", ".join(
                key.to_user_string() for key in by_key
            )
            raise ExecutionError(
                f"step {step.key!r} returned a MaterializeResult for {item.asset_key!r}, "
                f"which it does not declare; {hint}",
                run_id=run_id,
                step=step.key,
            )
        return by_key[item.asset_key]
    if isinstance(item, Output):
        if item.output_name not in names and len(names) != 1:
            raise ExecutionError(
                f"step {step.key!r} has no output {item.output_name!r}; outputs: "
                f"{', '.join(names)}",
                run_id=run_id,
                step=step.key,
            )
        return item.output_name if item.output_name in names else names[0]
    return names[0]


def _check_selected(
    step: Step, outputs: Mapping[str, Any], names: tuple[str, ...], run_id: str
) -> None:
    """Every required output returned, and none the run did not select (as in Dagster)."""
    if step.asset is None:
        return
    extra = [name for name in outputs if name not in step.outputs]
    if extra:
        raise ExecutionError(
            f"step {step.key!r} returned output {', '.join(map(repr, extra))}, which this "
            f"run did not select (selected: {', '.join(step.outputs)}); yield only the "
            "outputs in context.selected_output_names",
            run_id=run_id,
            step=step.key,
        )
    missing = [
        name for name in names if name not in outputs and name not in step.asset.optional_outputs
    ]
    if missing:
        raise ExecutionError(
            f"step {step.key!r} did not return required output "
            f"{', '.join(map(repr, missing))}; return it, or declare it "
            "AssetOut(is_required=False) if the step may leave it out",
            run_id=run_id,
            step=step.key,
        )
