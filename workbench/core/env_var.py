"""``EnvVar`` and ``EnvVar.int``: config values read from the environment when a run starts."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, NoReturn

from pydantic import BaseModel

from workbench.errors import ConfigError, UnresolvedEnvVarError

__all__ = [
    "EnvVar",
    "IntEnvVar",
    "env_var_name",
    "env_var_names",
    "env_var_names_held",
    "resolved_env_names",
]


class _EnvMixin:
    """What :class:`EnvVar` and :class:`IntEnvVar` share: a name, never a silent value."""

    env_var_name: str

    def get_value(self, default: Any = None) -> Any:
        """Return the variable's current value, or ``default`` when it is not set."""
        return os.environ.get(self.env_var_name, default)

    def _refuse(self) -> NoReturn:
        raise UnresolvedEnvVarError(
            f"{self!r} has no value until a run starts; use .get_value() to read "
            f"{self.env_var_name} now, or .env_var_name for its name"
        )

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _EnvMixin):
            return type(self) is type(other) and self.env_var_name == other.env_var_name
        return NotImplemented

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.env_var_name))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.env_var_name!r})"

    def __str__(self) -> str:
        return self._refuse()

    def __format__(self, spec: str) -> str:
        return self._refuse()

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.env_var_name,))


class EnvVar(_EnvMixin, str):
    """A config value read from an environment variable when a run starts.

    Example:
        >>> EnvVar("API_TOKEN").env_var_name
        'API_TOKEN'
    """

    def __new__(cls, name: str) -> EnvVar:
        """Refer to the environment variable ``name`` (it need not be set yet)."""
        if not isinstance(name, str) or not name:  # type: ignore[redundant-expr]
            raise TypeError(f"EnvVar needs a variable name, got {name!r}")
        instance = super().__new__(cls, name)
        instance.env_var_name = name
        return instance

    @classmethod
    def int(cls, name: str) -> IntEnvVar:
        """An integer config value read from an environment variable when a run starts."""
        return IntEnvVar(name)


class IntEnvVar(_EnvMixin, int):
    """An int config value read from an environment variable; made by :meth:`EnvVar.int`."""

    def __new__(cls, name: str) -> IntEnvVar:
        """Refer to the environment variable ``name``, read as an int (it need not be set yet)."""
        if not isinstance(name, str) or not name:  # type: ignore[redundant-expr]
            raise TypeError(f"EnvVar.int needs a variable name, got {name!r}")
        instance = super().__new__(cls, 0)
        instance.env_var_name = name
        return instance

    def __int__(self) -> int:
        return self._refuse()

    def __index__(self) -> int:
        return self._refuse()

    def get_value(self, default: Any = None) -> Any:
        """Return the variable's current value as an int, or ``default`` when it is not set.

        Raises:
            ConfigError: the variable holds something that is not a whole number.
        """
        raw = os.environ.get(self.env_var_name)
        return default if raw is None else _convert_env(self, raw, self.env_var_name)

    def __reduce__(self) -> tuple[Any, ...]:
        return (IntEnvVar, (self.env_var_name,))


_ENV_TYPES = (EnvVar, IntEnvVar)


def _convert_env(value: EnvVar | IntEnvVar, raw: str, path: str) -> str | int:
    if isinstance(value, IntEnvVar):
        try:
            return int(raw.strip())
        except ValueError:
            raise ConfigError(
                f"{path}: environment variable {value.env_var_name!r} must hold an integer; "
                f"set it to a whole number"
            ) from None
    return raw


def env_var_names(value: Any) -> list[str]:
    """The names of the EnvVar objects inside ``value`` (dicts, lists and config walked)."""
    if isinstance(value, _ENV_TYPES):
        return [value.env_var_name]
    if isinstance(value, BaseModel):
        value = value.__dict__
    if isinstance(value, Mapping):
        return [name for item in value.values() for name in env_var_names(item)]
    if isinstance(value, list | tuple):
        return [name for item in value for name in env_var_names(item)]
    return []


def env_var_name(value: Any) -> str | None:
    """The variable an EnvVar names (workbench's, or Dagster's, which has the same shape).

    Example:
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
