"""Dagster's config schemas (``Field``, ``StringSource``, dicts of types) read with pydantic.

Function-style resources and IO managers (``@resource(config_schema=...)``) declare their
config the way Dagster did before Pythonic config: a type, a ``Field``, a dict of names to
either, ``[type]`` for a list, or a :class:`~workbench.core.config.Config` class. This module
turns such a schema into a pydantic model and validates run config with it, so the errors
read like every other config error of workbench.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from typing import Annotated, Any, cast

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    TypeAdapter,
    ValidationError,
    create_model,
)
from pydantic import Field as PydanticField

from workbench.errors import DagsterInvalidConfigError

__all__ = [
    "BoolSource",
    "ConfigType",
    "DefinitionConfigSchema",
    "Field",
    "IntSource",
    "StringSource",
    "is_schema_given",
    "validate_config",
]

_NO_DEFAULT: Any = object()


class Field:
    """One config entry of a function-style schema: its type, default and description.

    Example:
        >>> Field(int, default_value=3).is_required
        False
        >>> Field(str).is_required
        True
    """

    def __init__(
        self,
        config: Any = Any,
        default_value: Any = _NO_DEFAULT,
        is_required: bool | None = None,
        description: str | None = None,
    ) -> None:
        self.config_type = config
        self._default = default_value
        self.is_required = (default_value is _NO_DEFAULT) if is_required is None else is_required
        self.description = description

    @property
    def default_provided(self) -> bool:
        """Whether a default value was given."""
        return self._default is not _NO_DEFAULT

    @property
    def default_value(self) -> Any:
        """The default value (an error if none was given)."""
        if not self.default_provided:
            raise DagsterInvalidConfigError(
                "this Field has no default value; check field.default_provided first"
            )
        return self._default

    def __repr__(self) -> str:
        default = f", default={self._default!r}" if self.default_provided else ""
        return f"Field({_type_name(self.config_type)}{default}, is_required={self.is_required})"


def _type_name(value: Any) -> str:
    return getattr(value, "__name__", None) or repr(value)


def _from_env(kind: type) -> BeforeValidator:
    """A validator that reads ``{"env": NAME}`` from the environment (Dagster's *Source)."""

    def read(value: Any) -> Any:
        if isinstance(value, Mapping) and set(value) == {"env"}:
            name = str(value["env"])
            raw = os.environ.get(name)
            if raw is None:
                raise ValueError(f"environment variable {name!r} is not set; set {name}")
            return raw
        return value

    return BeforeValidator(read)


StringSource = Annotated[str, _from_env(str)]
"""A string given as is or as ``{"env": "NAME"}`` (read from the environment at launch)."""

IntSource = Annotated[int, _from_env(int)]
"""An integer given as is or as ``{"env": "NAME"}``."""

BoolSource = Annotated[bool, _from_env(bool)]
"""A boolean given as is or as ``{"env": "NAME"}``."""


def _annotation(schema: Any, name: str) -> Any:
    """The pydantic annotation of one schema entry."""
    if isinstance(schema, Field):
        return _annotation(schema.config_type, name)
    if isinstance(schema, Mapping):
        return _model(schema, name)
    if isinstance(schema, list) and len(schema) == 1:
        return list[_annotation(schema[0], name)]  # type: ignore[misc]
    if schema is None:
        return Any
    return schema


def _model(schema: Mapping[str, Any], name: str) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for key, entry in schema.items():
        annotation = _annotation(entry, f"{name}_{key}")
        field = entry if isinstance(entry, Field) else Field(entry)
        description = field.description
        if field.default_provided:
            fields[key] = (annotation, PydanticField(field._default, description=description))
        elif field.is_required:
            fields[key] = (annotation, PydanticField(description=description))
        else:
            fields[key] = (annotation | None, PydanticField(None, description=description))
    config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)
    return create_model(name, __config__=config, **fields)


@functools.lru_cache(maxsize=256)
def _adapter(key: _Hashable) -> TypeAdapter[Any]:
    return TypeAdapter(_annotation(key.schema, "Config"))


def is_schema_given(schema: Any) -> bool:
    """Whether a definition declares config (``None`` means it takes any config, unchecked)."""
    return schema is not None


def validate_config(schema: Any, data: Any, where: str) -> Any:
    """Validate ``data`` against a function-style schema and return plain Python data.

    Defaults are filled in; ``{"env": NAME}`` entries of ``StringSource`` fields are read.
    Optional entries that were not given are left out, as in Dagster.

    Raises:
        DagsterInvalidConfigError: every invalid entry, with its path and a fix.
    """
    from workbench.core.config import Config, build_config, describe_validation_error

    if schema is None:
        return data
    if isinstance(schema, type) and issubclass(schema, Config):
        return build_config(schema, dict(data or {}), where).model_dump()
    adapter = _adapter(_Hashable(schema))
    given = {} if data is None and isinstance(schema, Mapping) else data
    try:
        value = adapter.validate_python(given)
    except ValidationError as exc:
        raise DagsterInvalidConfigError.from_errors(
            f"{where} config is invalid:", describe_validation_error(exc)
        ) from None
    return _plain(value)


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return {
            name: _plain(item)
            for name, item in value.__dict__.items()
            if name in value.model_fields_set or type(value).model_fields[name].default is not None
        }
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


class _Hashable:
    """Wraps a schema (often an unhashable dict) so the adapter cache can key on it."""

    def __init__(self, schema: Any) -> None:
        self.schema = schema

    def __hash__(self) -> int:
        return id(self.schema)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Hashable) and other.schema is self.schema


class ConfigType:
    """A Config class seen as Dagster's config type: ``fields`` maps names to :class:`Field`."""

    def __init__(self, config_class: Any) -> None:
        self.config_class = config_class
        self.given_name: str = config_class.__name__

    @property
    def fields(self) -> dict[str, Field]:
        """Each field by the name run config uses, with its type, default and description."""
        return cast("dict[str, Field]", self.config_class.to_fields_dict())

    def __repr__(self) -> str:
        return f"ConfigType({self.given_name})"


class DefinitionConfigSchema:
    """What ``op.config_schema`` is, as in Dagster: the op's config, ``config_type.fields``.

    Attributes:
        config_class: the Config class of the op's ``config`` parameter.
        config_type: the same as Dagster's config type, whose ``fields`` name each field.
    """

    def __init__(self, config_class: Any) -> None:
        self.config_class = config_class
        self.config_type = ConfigType(config_class)

    @property
    def description(self) -> str | None:
        """The Config class's docstring, if it has one."""
        return cast("str | None", self.config_class.__doc__)

    def __repr__(self) -> str:
        return f"DefinitionConfigSchema({self.config_class.__name__})"
