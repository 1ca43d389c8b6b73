"""Run-time resolution: every EnvVar in config read from the environment, then validated."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, cast

from pydantic import ValidationError

from workbench.core.config import (
    Config,
    _contains_env,
    _prefix,
    describe_validation_error,
    is_secret_field,
)
from workbench.core.env_var import _ENV_TYPES, _convert_env
from workbench.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Self

__all__ = ["resolve"]


def resolve(obj: Self, where: str, environ: Mapping[str, str] | None = None) -> Self:  # type: ignore[misc]
    """Return ``obj`` with every EnvVar read from the environment and the result validated.

    Args:
        obj: a Config or resource instance.
        where: what to call it in errors, e.g. ``"resource 'warehouse'"``.
        environ: the environment to read (``os.environ`` by default).

    Raises:
        ConfigError: listing every missing variable and every invalid resolved value.
    """
    if not obj._has_env:
        return obj
    env = os.environ if environ is None else environ
    errors: list[tuple[str, str]] = []
    resolved = _resolve_model(obj, "", env, errors)
    if errors:
        raise ConfigError.from_errors(f"{where} ({type(obj).__name__}) is invalid:", errors)
    return cast("Self", resolved)  # type: ignore[misc]


def _resolve_value(
    value: Any, path: str, field: str, env: Mapping[str, str], errors: list[tuple[str, str]]
) -> Any:
    """``value`` with its EnvVars read (inside nested config, lists and dicts too)."""
    if isinstance(value, _ENV_TYPES):
        raw = env.get(value.env_var_name)
        if raw is None:
            errors.append(
                (
                    path,
                    f"environment variable {value.env_var_name!r} is not set; "
                    f"set {value.env_var_name} or give {field}=... a value",
                )
            )
            return value
        try:
            return _convert_env(value, raw, path)
        except ConfigError as exc:
            errors.append((path, str(exc).split(": ", 1)[1]))
            return value
    if isinstance(value, Config) and value._has_env:
        return _resolve_model(value, f"{path}.", env, errors)
    if type(value) is dict and _contains_env(value):
        return {
            key: _resolve_value(item, f"{path}.{key}", field, env, errors)
            for key, item in value.items()
        }
    if type(value) in (list, tuple) and _contains_env(value):
        return type(value)(
            _resolve_value(item, f"{path}.{index}", field, env, errors)
            for index, item in enumerate(value)
        )
    return value


def _resolve_model(
    obj: Config, prefix: str, env: Mapping[str, str], errors: list[tuple[str, str]]
) -> Config:
    cls = type(obj)
    values: dict[str, Any] = {}
    for name, value in obj.__dict__.items():
        values[name] = _resolve_value(value, f"{prefix}{name}", name, env, errors)
    values.update(obj.__pydantic_extra__ or {})
    if errors:
        return obj
    try:
        result = cls.__pydantic_validator__.validate_python(values)
    except ValidationError as exc:
        secret = {name for name in cls.model_fields if is_secret_field(cls, name)}
        secret |= {name for name, value in obj.__dict__.items() if isinstance(value, _ENV_TYPES)}
        found = describe_validation_error(exc, lambda path: path.split(".")[0] in secret)
        errors.extend(_prefix(prefix.rstrip("."), found) if prefix else found)
        return obj
    object.__setattr__(result, "__pydantic_private__", dict(obj.__pydantic_private__ or {}))
    result._has_env = False
    return cast("Config", result)
