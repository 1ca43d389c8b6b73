"""A config field's annotation read for forms: its kind, optionality, constraints and text."""

from __future__ import annotations

import datetime
import enum
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any, Final, Literal, Union

from pydantic import BaseModel, SecretStr

from workbench.core.resource import ConfigurableResource

__all__ = [
    "CONSTRAINTS",
    "annotation_constraints",
    "annotation_kind",
    "format_annotation",
    "unwrap_annotation",
]

CONSTRAINTS: Final = (
    "ge", "gt", "le", "lt", "multiple_of", "min_length", "max_length", "pattern",
)  # fmt: skip


_RESOURCE_BASES = frozenset({"ConfigurableResourceFactory"})
"""Base class names that make a pydantic model a resource in libraries with the same model."""


def unwrap_annotation(annotation: Any, metadata: list[Any]) -> tuple[Any, bool, list[Any]]:
    """Strip Annotated and Optional; return the inner type, optional, and all metadata."""
    optional = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            args = typing.get_args(annotation)
            annotation = args[0]
            metadata = [*metadata, *args[1:]]
        elif origin is Union or origin is types.UnionType:
            args = typing.get_args(annotation)
            rest = [arg for arg in args if arg is not type(None)]
            if len(rest) == len(args):
                return annotation, optional, metadata
            optional = True
            if len(rest) != 1:
                return Union[tuple(rest)], optional, metadata  # noqa: UP007
            annotation = rest[0]
        else:
            return annotation, optional, metadata


def annotation_kind(inner: Any) -> str:
    """The form kind (one of ``fields.KINDS``) of an unwrapped annotation."""
    origin = typing.get_origin(inner) or inner
    if origin is Literal:
        return "literal"
    if origin is Union or origin is types.UnionType:
        members = typing.get_args(inner)
        if members and all(isinstance(arg, type) and issubclass(arg, BaseModel) for arg in members):
            return "union"
        return "any"
    if not isinstance(origin, type):
        return "any"
    simple = {bool: "bool", int: "int", float: "float", str: "str", SecretStr: "secret"}
    if origin in simple:
        return simple[origin]
    checks: list[tuple[type[Any], str]] = [
        (enum.Enum, "enum"),
        (datetime.datetime, "datetime"),
        (datetime.date, "date"),
        (ConfigurableResource, "resource"),
        (BaseModel, "config"),
        (Mapping, "dict"),
        (str, "str"),
        (list, "list"),
        (tuple, "list"),
        (set, "list"),
        (frozenset, "list"),
        (Sequence, "list"),
    ]
    if issubclass(origin, BaseModel) and any(
        base.__name__ in _RESOURCE_BASES for base in origin.__mro__
    ):
        return "resource"  # a Dagster resource: the same pydantic model, another base class
    for base, kind in checks:
        if issubclass(origin, base):
            return kind
    return "any"


def annotation_constraints(metadata: list[Any]) -> dict[str, Any]:
    """The :data:`CONSTRAINTS` an annotation's metadata sets (the first of each wins)."""
    found: dict[str, Any] = {}
    for item in metadata:
        for name in CONSTRAINTS:
            value = getattr(item, name, None)
            if value is not None and name not in found:
                found[name] = value
    return found


def format_annotation(annotation: Any) -> str:
    """Write a type the way a user would (``list[str]``, ``int | None``, ``Literal['a']``)."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if annotation is type(None) or annotation is None:
        return "None"
    if annotation is Any:
        return "Any"
    if origin is typing.Annotated:
        return format_annotation(args[0])
    if origin is Union or origin is types.UnionType:
        return " | ".join(format_annotation(arg) for arg in args)
    if origin is Literal:
        return f"Literal[{', '.join(repr(arg) for arg in args)}]"
    if origin is not None:
        name = getattr(origin, "__name__", None) or repr(origin).replace("typing.", "")
        return f"{name}[{', '.join(format_annotation(arg) for arg in args)}]"
    if isinstance(annotation, type):
        return annotation.__name__
    return repr(annotation).replace("typing.", "")
