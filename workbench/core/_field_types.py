"""Which field types config can hold, checked when a class is first used, as Dagster does.

Dagster refuses a Config class with a field of a type run config cannot express (an arbitrary
class, say) when an op or asset takes it, and a resource with such a field when it is built.
workbench refuses the same classes at the same moments, naming the field and what to use.
"""

from __future__ import annotations

import datetime
import enum
import types
import typing
import weakref
from collections.abc import Mapping, Sequence
from typing import Any, Literal, Union

import pydantic
from pydantic import BaseModel

from workbench.core.config_schema import Field as SchemaField
from workbench.core.legacy import ResourceDefinition
from workbench.core.resource import RESOURCE_PARAM, ConfigurableResource
from workbench.errors import DagsterInvalidDefinitionError

__all__ = ["check_field_types", "check_primitive_config"]

_SCALARS: tuple[type[Any], ...] = (
    str,
    int,
    float,
    bool,
    enum.Enum,
    datetime.date,
    datetime.time,
    datetime.timedelta,
    pydantic.SecretStr,
    pydantic.SecretBytes,
    BaseModel,
)
_COLLECTIONS: tuple[type[Any], ...] = (list, tuple, set, frozenset, Sequence, dict, Mapping)
_PRIMITIVE_CONFIG: tuple[type[Any], ...] = (str, int, float, bool, list, dict)

_checked: weakref.WeakSet[type[BaseModel]] = weakref.WeakSet()


def _supported(annotation: Any, *, resource: bool) -> bool:
    """Whether a field of type ``annotation`` can be config (or, in a resource, a resource)."""
    if annotation is Any or annotation is None or annotation is type(None):
        return True
    if isinstance(annotation, typing.TypeVar | str | typing.ForwardRef):
        return True
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin is typing.Annotated:
        if any(meta is RESOURCE_PARAM for meta in arguments[1:]):
            return True
        return _supported(arguments[0], resource=resource)
    if origin is Literal:
        return True
    if origin is Union or origin is types.UnionType:
        return all(_supported(argument, resource=resource) for argument in arguments)
    if isinstance(origin, type) and issubclass(origin, _COLLECTIONS):
        return all(
            argument is Ellipsis or _supported(argument, resource=resource)
            for argument in arguments
        )
    if not isinstance(annotation, type):
        return True
    if resource and issubclass(annotation, ResourceDefinition):
        return True
    return issubclass(annotation, _SCALARS + _COLLECTIONS)


def _nested_models(annotation: Any) -> list[type[BaseModel]]:
    """The model classes ``annotation`` mentions, to check their fields in turn."""
    if isinstance(annotation, type):
        return [annotation] if issubclass(annotation, BaseModel) else []
    return [found for argument in typing.get_args(annotation) for found in _nested_models(argument)]


def check_field_types(cls: type[BaseModel], owner: str) -> None:
    """Refuse a Config or resource class with a field config cannot hold; once per class.

    Args:
        cls: the Config or ConfigurableResource class.
        owner: what uses it, for the message (an op, an asset, the class itself).

    Raises:
        DagsterInvalidDefinitionError: a field's type is not one config can express, or a
            field's default is a function-style ``Field`` instead of ``pydantic.Field``.
    """
    if cls in _checked:
        return
    resource = issubclass(cls, ConfigurableResource)
    for name, info in cls.model_fields.items():
        where = f"{owner}: field {name!r} of {cls.__name__}"
        if isinstance(info.default, SchemaField):
            raise DagsterInvalidDefinitionError(
                f"{where} has a config Field as its default; in a class, describe a field "
                f"with pydantic.Field, e.g. {name}: str = pydantic.Field(description=...)"
            )
        annotation: Any = info.annotation
        dependency = any(meta is RESOURCE_PARAM for meta in info.metadata)
        if not dependency and not _supported(annotation, resource=resource):
            fix = (
                "annotate it ResourceDependency[...] to hold another object, or use a "
                "ConfigurableResource"
                if resource
                else "use str, int, float, bool, an Enum, a nested Config class, or a list "
                "or dict of those"
            )
            raise DagsterInvalidDefinitionError(
                f"{where} has the type {getattr(annotation, '__name__', annotation)!s}, "
                f"which config cannot hold (unable to resolve config type); {fix}"
            )
        for nested in _nested_models(info.annotation):
            if nested is not cls:
                check_field_types(nested, owner)
    _checked.add(cls)


def check_primitive_config(annotation: Any, owner: str) -> None:
    """Refuse a ``config`` parameter typed with something that is neither Config nor plain.

    Raises:
        DagsterInvalidDefinitionError: for a pydantic model that is not a Config, a tuple or
            any other class, naming what to use instead.
    """
    origin = typing.get_origin(annotation) or annotation
    if annotation is Any or (isinstance(origin, type) and origin in _PRIMITIVE_CONFIG):
        return
    raise DagsterInvalidDefinitionError(
        f"{owner}: its config parameter is typed {annotation!r}, which config cannot hold; "
        "type it with a Config subclass, or with str, int, float, bool, list or dict"
    )
