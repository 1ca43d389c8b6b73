"""The variable behind a field given as an EnvVar: workbench's EnvVars and Dagster's alike.

Dagster's ``EnvVar`` is a ``str`` and its ``EnvVar.int`` an ``int`` with the same
``env_var_name``; a Dagster resource keeps ``EnvVar.int(NAME)`` as ``0`` in the field and the
name only in its resolved config. Forms, saved edits and exports read both here (see #15).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from workbench.core.config import _ENV_TYPES

if TYPE_CHECKING:
    from pydantic import BaseModel

__all__ = ["env_var_name", "env_var_names_held", "resolved_env_names"]


def env_var_name(value: Any) -> str | None:
    """The variable an EnvVar names (workbench's, or Dagster's, which has the same shape).

    Example:
        >>> from workbench.core.config import EnvVar
        >>> env_var_name(EnvVar("TOKEN")), env_var_name("TOKEN")
        ('TOKEN', None)
    """
    if isinstance(value, _ENV_TYPES):
        return value.env_var_name
    if isinstance(value, str | int) and type(value).__name__ in ("EnvVar", "IntEnvVar"):
        name = getattr(value, "env_var_name", None)
        return name if isinstance(name, str) else None
    return None


def env_var_names_held(model: BaseModel) -> dict[str, str]:
    """Field -> the variable it is read from, for each field of ``model`` given as an EnvVar.

    Dagster's resources keep ``EnvVar.int(NAME)`` as ``0`` in the field and the variable's
    name only in their resolved config, which is read here too (see #15).
    """
    found = resolved_env_names(model)
    for name in type(model).model_fields:
        variable = env_var_name(model.__dict__.get(name))
        if variable is not None:
            found[name] = variable
    return found


def resolved_env_names(model: BaseModel) -> dict[str, str]:
    """Field -> variable, from the resolved config a Dagster resource keeps (else empty)."""
    state = model.__dict__.get("_state__internal__")
    resolved = getattr(state, "resolved_config_dict", None)
    if not isinstance(resolved, Mapping):
        return {}
    return {
        name: given["env"]
        for name, given in resolved.items()
        if isinstance(given, Mapping) and set(given) == {"env"} and isinstance(given["env"], str)
    }
