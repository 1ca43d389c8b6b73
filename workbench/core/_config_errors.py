"""Config errors and secret fields: pydantic's errors as workbench's lines, secrets hidden."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

import pydantic
from pydantic import BaseModel, SecretStr, ValidationError
from pydantic_core import PydanticCustomError

from workbench.core._short import short_repr
from workbench.core._suggest import closest
from workbench.core.env_var import _EnvMixin
from workbench.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

__all__ = [
    "REDACTED",
    "SECRET_MARK",
    "build_config",
    "describe_validation_error",
    "invalid_config",
    "is_secret_field",
    "mark_secret",
    "marked_secret",
]

ConfigT = TypeVar("ConfigT", bound=BaseModel)

REDACTED = "**********"
"""What a secret value is replaced by wherever config is shown, logged or stored."""

SECRET_MARK = "dagster__is_secret"
"""Dagster's ``json_schema_extra`` key that marks a field secret."""

_MARKED_SECRET = "_workbench_secret_fields"
"""Where an instance keeps the fields marked secret on it alone (see :func:`mark_secret`)."""


def invalid_config(cls: type[BaseModel], exc: ValidationError, where: str = "") -> ConfigError:
    """Turn pydantic's error for ``cls`` into a ConfigError: one line per field, secrets hidden.

    Args:
        cls: the Config or resource class that refused its values.
        exc: pydantic's error.
        where: what to call it in the header (the class name by default).
    """
    found = describe_validation_error(exc, lambda path: _is_secret_path(cls, path.split(".")))
    error = ConfigError.from_errors(f"{where or cls.__name__} is invalid:", found)
    # kept with secret inputs hidden, for the error that is also a ValidationError (see #12)
    error.validation_error = _validation_error(cls, exc.errors(include_url=False))
    return error


def build_config(cls: type[ConfigT], data: Mapping[str, Any], where: str = "") -> ConfigT:
    """Build ``cls`` from ``data``, raising a ConfigError with workbench's lines if invalid.

    Code calling ``Config(...)`` gets pydantic's ``ValidationError``, as with Dagster; run
    config and launch config are read with this, so their errors name every field and a fix.

    Raises:
        ConfigError: every invalid field with its path, secrets hidden.
    """
    try:
        return cls(**data)
    except ValidationError as exc:
        raise invalid_config(cls, exc, where) from None


def _is_secret_path(cls: Any, path: Sequence[Any]) -> bool:
    """Whether a field path (``("creds", "password")``) leads through a secret field."""
    from workbench.core.config import _config_class_of  # config builds on this module

    for part in path:
        if not (isinstance(cls, type) and issubclass(cls, BaseModel)):
            return False
        if part not in cls.model_fields:
            return False
        if is_secret_field(cls, str(part)):
            return True
        cls = _config_class_of(cls.model_fields[str(part)].annotation)
    return False


def _validation_error(cls: type[BaseModel], errors: Sequence[Any]) -> ValidationError:
    """Pydantic's error for ``cls``, secret inputs hidden and unknown fields given a suggestion."""
    details: list[Any] = []
    for item in errors:
        loc = tuple(item["loc"])
        message = str(item["msg"])
        if item["type"] == "extra_forbidden" and len(loc) == 1 and "; " not in message:
            known = list(cls.model_fields)
            match = closest(str(loc[0]), known)
            hint = f"did you mean {match!r}?" if match else f"known fields: {', '.join(known)}"
            message = f"{message}; {hint}"
        hidden = _is_secret_path(cls, loc) or isinstance(item["input"], _EnvMixin | SecretStr)
        details.append(
            {
                "type": PydanticCustomError(item["type"], message),
                "loc": loc,
                "input": REDACTED if hidden else item["input"],
            }
        )
    return ValidationError.from_exception_data(cls.__name__, details)


def _prefix(prefix: str, errors: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(f"{prefix}.{path}" if path else prefix, text) for path, text in errors]


def describe_validation_error(
    exc: ValidationError, is_secret: Callable[[str], bool] = lambda path: False
) -> list[tuple[str, str]]:
    """Turn a pydantic error into ``(dotted path, message)`` pairs, secrets redacted.

    Args:
        exc: the pydantic error.
        is_secret: tells whether a dotted path is a secret field, whose value is not quoted.
    """
    found: list[tuple[str, str]] = []
    for item in exc.errors(include_url=False):
        path = ".".join(str(part) for part in item["loc"])
        message = str(item["msg"])
        message = message[0].lower() + message[1:] if message else message
        if item["type"] == "missing":
            message = "required; give it a value"
        elif item["type"] == "extra_forbidden":
            hint = message.partition("; ")[2]
            message = f"unknown field; {hint or 'remove it'}"
        elif not is_secret(path) and not isinstance(item["input"], dict):
            shown = item["input"]
            if isinstance(shown, SecretStr | _EnvMixin):
                shown = REDACTED
            message = f"{message}, got {short_repr(shown)}"
        found.append((path, message))
    return found


def is_secret_field(model: type[BaseModel], name: str) -> bool:
    """Tell whether a field is secret: typed SecretStr or marked ``dagster__is_secret``."""
    field = model.model_fields[name]
    extra = field.json_schema_extra
    if isinstance(extra, dict) and extra.get(SECRET_MARK):
        return True
    return _mentions_secret(field.annotation)


def mark_secret(obj: BaseModel, names: Iterable[str]) -> None:
    """Mark fields of this instance secret although its class does not say so.

    A value typed in a form for a field the code gives as ``EnvVar`` is such a field: the
    mark travels with the instance (and its copies), so reprs mask it and runs scrub it.
    """
    private = obj.__pydantic_private__
    if private is None:
        private = {}
        object.__setattr__(obj, "__pydantic_private__", private)
    private[_MARKED_SECRET] = frozenset(private.get(_MARKED_SECRET, ())) | frozenset(names)


def marked_secret(obj: BaseModel) -> frozenset[str]:
    """The fields :func:`mark_secret` marked on this instance."""
    return frozenset((obj.__pydantic_private__ or {}).get(_MARKED_SECRET, ()))


def _mentions_secret(annotation: Any) -> bool:
    if annotation is SecretStr or annotation is pydantic.SecretBytes:
        return True
    return any(_mentions_secret(arg) for arg in getattr(annotation, "__args__", ()))
