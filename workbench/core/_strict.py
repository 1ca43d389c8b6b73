"""Run config is type-checked strictly, as Dagster checks it: ``"2"`` is not an int.

Python code building a Config (``MyConfig(n="2")``) stays lax, as pydantic and Dagster are;
only config read from a run config, launch config or a built context is checked here.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any, Union

from pydantic import BaseModel

from workbench.core._short import short_repr
from workbench.errors import DagsterInvalidConfigError

__all__ = ["check_scalars"]

_EXPECTED: dict[type[Any], tuple[str, tuple[type[Any], ...]]] = {
    bool: ("true or false", (bool,)),
    int: ("a whole number", (int,)),
    float: ("a number", (int, float)),
}


def check_scalars(cls: type[BaseModel], data: Any, where: str = "") -> None:
    """Refuse run config whose numbers and booleans are given as other types.

    Args:
        cls: the Config or resource class the values are for.
        data: the values as run config gives them (field names or aliases to values).
        where: the path to prefix each error with.

    Raises:
        DagsterInvalidConfigError: one line per value of the wrong type, with its path.
    """
    errors = _model_errors(cls, data, where)
    if errors:
        raise DagsterInvalidConfigError.from_errors(f"config of {cls.__name__} is invalid:", errors)


def _model_errors(cls: type[BaseModel], data: Any, path: str) -> list[tuple[str, str]]:
    if not isinstance(data, Mapping):
        return []
    errors: list[tuple[str, str]] = []
    for name, info in cls.model_fields.items():
        key = info.alias if info.alias and info.alias in data else name
        if key in data:
            errors += _value_errors(info.annotation, data[key], f"{path}{key}")
    return errors


def _value_errors(annotation: Any, value: Any, path: str) -> list[tuple[str, str]]:
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _value_errors(arguments[0], value, path)
    if origin is Union or origin is types.UnionType:
        members = [member for member in arguments if member is not type(None)]
        if value is None or len(members) != 1:
            return []
        return _value_errors(members[0], value, path)
    sequence = isinstance(origin, type) and issubclass(origin, Sequence | set | frozenset)
    if sequence and arguments and isinstance(value, list):
        return [
            error
            for index, item in enumerate(value)
            for error in _value_errors(arguments[0], item, f"{path}.{index}")
        ]
    mapping = isinstance(origin, type) and issubclass(origin, Mapping)
    if mapping and len(arguments) == 2 and isinstance(value, Mapping):
        return [
            error
            for key, item in value.items()
            for error in _value_errors(arguments[1], item, f"{path}.{key}")
        ]
    if not isinstance(annotation, type) or issubclass(annotation, enum.Enum):
        return []
    if issubclass(annotation, BaseModel):
        return _model_errors(annotation, value, f"{path}.")
    expected = _EXPECTED.get(annotation)
    if expected is None or value is None or isinstance(value, Mapping):
        return []  # other types are pydantic's to check; a mapping may be {"env": NAME}
    text, kinds = expected
    if isinstance(value, kinds) and (annotation is bool or not isinstance(value, bool)):
        return []
    return [(path, f"must be {text}, got {short_repr(value)}; give the value itself, unquoted")]
