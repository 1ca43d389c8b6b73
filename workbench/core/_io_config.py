"""Per-input and per-output config for IO managers (``ops: {op: {inputs: ..., outputs: ...}}``)."""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

from workbench.core.config_schema import validate_config
from workbench.errors import ConfigError, DagsterInvalidConfigError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from workbench.core.plan import Plan, Step

__all__ = ["IOConfigKey", "io_configs"]

IOConfigKey = tuple[str, str, str]
"""(step key, ``"inputs"`` or ``"outputs"``, input or output name)."""


def _manager_key(plan: Plan, step: Step, section: str, name: str) -> str:
    if section == "outputs":
        return step.output_io_manager_keys.get(name, step.io_manager_key)
    if name in step.input_manager_keys:
        return step.input_manager_keys[name]
    source = step.sources.get(name)
    if source is not None and source.step is not None:
        upstream = next(item for item in plan.steps if item.key == source.step)
        return _manager_key(plan, upstream, "outputs", source.output)
    return "io_manager"


def _schema(manager: Any, section: str) -> Any:
    """The manager's input or output config schema (a Config class, a dict, or None)."""
    found = getattr(manager, f"{section[:-1]}_config_schema", None)
    if inspect.ismethod(found):
        return found()
    return found


def io_configs(
    plan: Plan, ops: Mapping[str, Any], bindings: Mapping[str, Any]
) -> dict[IOConfigKey, Any]:
    """Each input's and output's config from run config, checked against its IO manager.

    Raises:
        DagsterInvalidConfigError: every entry that does not fit its manager's schema, or
            names an input or output the step does not have.
    """
    found: dict[IOConfigKey, Any] = {}
    errors: list[tuple[str, str]] = []
    steps = {step.key: step for step in plan.steps}
    for step_key, entry in ops.items():
        step = steps.get(step_key)
        if step is None or not isinstance(entry, dict):
            continue  # unknown steps are reported with the op config
        for section, names in (("inputs", step.sources), ("outputs", step.outputs)):
            for name, value in (entry.get(section) or {}).items():
                where = f"ops.{step_key}.{section}.{name}"
                if name not in names:
                    errors.append((where, f"{step_key!r} has no {section[:-1]} {name!r}"))
                    continue
                manager = bindings.get(_manager_key(plan, step, section, name))
                schema = _schema(manager, section) if manager is not None else None
                try:
                    found[(step_key, section, name)] = validate_config(schema, value, where)
                except ConfigError as exc:
                    errors.extend(
                        (f"{where}.{path}" if path else where, text) for path, text in exc.errors
                    )
    if errors:
        raise DagsterInvalidConfigError.from_errors(
            "run config is invalid; nothing was run:", errors
        )
    return found
