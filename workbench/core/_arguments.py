"""Keyword arguments that Dagster accepts: kept, refused as not supported yet, or unknown.

Code written for Dagster passes arguments that workbench's in-process runs do not need
(``owners=``, ``kinds=``, ``pool=``): those are accepted. Arguments that would change what a
run does and that workbench cannot do yet (``partitions_def=``, ``hooks=``) are refused with a
message naming them, unless they are empty. Anything else is a typo: a ``TypeError`` with
"did you mean", as Python raises for a misspelt keyword (see #12).
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

from workbench.core._suggest import closest
from workbench.errors import DefinitionError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

__all__ = ["check_arguments", "keyword_names"]


def keyword_names(function: Callable[..., Any]) -> list[str]:
    """The keyword parameters ``function`` names (``**kwargs`` and positional-only left out)."""
    kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return [p.name for p in inspect.signature(function).parameters.values() if p.kind in kinds]


_DAGSTER_ARGUMENTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "@asset": (
        (
            "op_tags",
            "owners",
            "kinds",
            "pool",
            "automation_condition",
            "freshness_policy",
            "backfill_policy",
            "compute_kind",
            "dagster_type",
            "output_required",
        ),
        (
            "config_schema",
            "hooks",
            "partitions_def",
            "retry_policy",
            "check_specs",
            "is_virtual",
        ),
    ),
    "@job": (
        ("run_tags", "metadata", "owners"),
        (
            "logger_defs",
            "executor_def",
            "hooks",
            "op_retry_policy",
            "partitions_def",
            "input_values",
        ),
    ),
    "@multi_asset": (
        ("op_tags", "pool", "backfill_policy", "description", "code_version"),
        (
            "config_schema",
            "internal_asset_deps",
            "partitions_def",
            "hooks",
            "retry_policy",
            "check_specs",
        ),
    ),
    "@op": (
        ("version", "code_version", "pool"),
        ("config_schema", "retry_policy"),
    ),
    "@schedule": (
        ("metadata", "environment_vars", "owners"),
        ("tags_fn", "should_execute"),
    ),
    "@sensor": (
        ("tags", "metadata", "owners"),
        (),
    ),
    "Definitions": (
        (),
        ("asset_checks", "component_tree"),
    ),
    "ScheduleDefinition": (
        ("metadata", "environment_vars", "required_resource_keys", "owners"),
        ("run_config_fn", "tags_fn", "should_execute", "execution_fn"),
    ),
    "build_schedule_context": (
        ("repository_def", "instance_ref"),
        (),
    ),
    "build_sensor_context": (
        ("repository_name", "repository_def", "instance_ref", "last_sensor_start_time"),
        (),
    ),
    "define_asset_job": (
        ("run_tags", "metadata", "owners", "automation_condition"),
        ("partitions_def", "executor_def", "hooks", "op_retry_policy"),
    ),
}
"""What each callable does with Dagster's arguments it does not name: (kept, unsupported).

Kept ones describe a definition and change nothing in a workbench run; unsupported ones would
change what a run does, which workbench cannot do yet (accepted only when empty).
"""


def check_arguments(
    callable_name: str, given: Mapping[str, Any], function: Callable[..., Any]
) -> dict[str, Any]:
    """Check the keyword arguments a definition took beyond its named parameters.

    Args:
        callable_name: what was called, as users write it (``"@asset"``, ``"Definitions"``).
        given: the extra keyword arguments.
        function: the callable itself; the parameters it names are offered as suggestions.

    Returns:
        The kept arguments, by name.

    Raises:
        TypeError: an argument neither workbench nor Dagster has, with "did you mean".
        DefinitionError: an argument workbench does not support yet, given a value.
    """
    kept, unsupported = _DAGSTER_ARGUMENTS.get(callable_name, ((), ()))
    found: dict[str, Any] = {}
    for name, value in given.items():
        if name in kept:
            found[name] = value
        elif name in unsupported:
            if value is None or value is False or value == () or value == [] or value == {}:
                continue
            raise DefinitionError(
                f"{callable_name}: {name}= is not supported by workbench yet; remove it, or "
                "run these definitions on Dagster (export them with target='dagster')"
            )
        else:
            known = keyword_names(function)
            match = closest(name, [*known, *kept, *unsupported])
            hint = f"did you mean {match!r}?" if match else f"it takes {', '.join(sorted(known))}"
            raise TypeError(f"{callable_name} got an unexpected keyword argument {name!r}; {hint}")
    return found
