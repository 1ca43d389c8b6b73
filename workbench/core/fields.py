"""Field specs: a Config or resource class (or instance) as a tree of typed fields for forms.

This module is pure (stdlib and pydantic): forms and export are built on its output alone.

Example:
    >>> from workbench.core.config import Config
    >>> class Point(Config):
    ...     x: int = 0
    >>> [(spec.path, spec.kind, spec.default) for spec in field_specs(Point)]
    [('x', 'int', 0)]
"""

from __future__ import annotations

import enum
import typing
from collections.abc import Mapping
from typing import Any, Literal, cast

import pydantic
from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo

from workbench.core._annotations import (
    annotation_constraints,
    annotation_kind,
    format_annotation,
    unwrap_annotation,
)
from workbench.core._config_errors import SECRET_MARK
from workbench.core._field_spec import KINDS, MISSING, FieldSpec, to_jsonable
from workbench.core.env_var import env_var_name
from workbench.core.plain import without_secrets
from workbench.core.resource import PartialResource

__all__ = [
    "KINDS",
    "MISSING",
    "FieldSpec",
    "env_var_name",
    "field_specs",
    "format_annotation",
    "literal_value",
    "literal_values",
    "model_field_specs",
    "partial_parts",
    "to_jsonable",
]


def partial_parts(value: Any) -> tuple[type[BaseModel], dict[str, Any]] | None:
    """The class and partial config of what ``configure_at_launch()`` returned, else None.

    Recognises workbench's PartialResource and Dagster's (``resource_cls`` and ``data``).
    """
    if isinstance(value, PartialResource):
        return value.resource_class, dict(value.partial)
    if isinstance(value, BaseModel) and type(value).__name__ == "PartialResource":
        cls, data = getattr(value, "resource_cls", None), getattr(value, "data", None)
        if isinstance(cls, type) and issubclass(cls, BaseModel) and isinstance(data, Mapping):
            return cls, dict(data)
    return None


def field_specs(target: Any) -> tuple[FieldSpec, ...]:
    """Describe every field of a Config or resource class, instance, or PartialResource.

    Args:
        target: a :class:`Config` (or resource) class or instance, or the
            :class:`PartialResource` that ``configure_at_launch()`` returns.

    Returns:
        One spec per field, in declaration order; nested config has children.

    Raises:
        TypeError: when ``target`` is none of these.
    """
    parts = partial_parts(target)
    if parts is not None:
        return _model_specs(parts[0], parts[1], "", partial=True)
    if isinstance(target, type) and issubclass(target, BaseModel):
        return _model_specs(target, None, "")
    if isinstance(target, BaseModel):
        return _model_specs(type(target), dict(target.__dict__), "")
    raise TypeError(
        f"field_specs needs a Config or resource class or instance, or a PartialResource; "
        f"got {type(target).__name__}"
    )


def model_field_specs(
    cls: type[BaseModel], values: Mapping[str, Any] | None, *, partial: bool = False
) -> tuple[FieldSpec, ...]:
    """Describe the fields of ``cls`` holding ``values`` (None: the class alone).

    For an engine that knows a resource's values better than its ``__dict__`` tells.

    Args:
        cls: a Config or resource class.
        values: field name -> value as given (EnvVars included).
        partial: the values are a ``configure_at_launch()`` partial config.
    """
    return _model_specs(cls, values, "", partial=partial)


def _model_specs(
    cls: type[BaseModel], values: Mapping[str, Any] | None, prefix: str, *, partial: bool = False
) -> tuple[FieldSpec, ...]:
    specs = []
    for name, info in cls.model_fields.items():
        if values is None or (partial and name not in values):
            value: Any = MISSING
        else:
            value = values.get(name, MISSING)
        specs.append(_field_spec(f"{prefix}{name}", name, info, value))
    return tuple(specs)


def _field_spec(path: str, name: str, info: FieldInfo, value: Any) -> FieldSpec:
    extra = info.json_schema_extra
    marked = isinstance(extra, dict) and bool(extra.get(SECRET_MARK))
    discriminator: Any = info.discriminator
    if isinstance(discriminator, pydantic.Discriminator):
        discriminator = discriminator.discriminator
    default: Any = MISSING
    if not info.is_required():
        raw = info.get_default(call_default_factory=True, validated_data={})
        default = None if marked and raw is not None else literal_value(raw)
    return _spec(
        path,
        name,
        info.annotation,
        list(info.metadata),
        value,
        required=info.is_required(),
        default=default,
        description=info.description,
        marked=marked,
        discriminator=discriminator if isinstance(discriminator, str) else None,
    )


def _spec(
    path: str,
    name: str,
    annotation: Any,
    metadata: list[Any],
    value: Any,
    *,
    required: bool = False,
    default: Any = MISSING,
    description: str | None = None,
    marked: bool = False,
    discriminator: str | None = None,
) -> FieldSpec:
    inner, optional, metadata = unwrap_annotation(annotation, metadata)
    if "resource_dependency" in metadata:  # Dagster types it Union[TheResource, PartialResource]
        inner = next(iter(typing.get_args(inner)), inner)
    for item in metadata:
        if isinstance(item, FieldInfo):
            description = description or item.description
            if isinstance(item.discriminator, str):
                discriminator = discriminator or item.discriminator
    kind = annotation_kind(inner)
    secret = marked or kind == "secret"
    env_var = env_var_name(value)
    if env_var is not None:
        secret = True
    env_capable = kind in ("str", "int", "secret") and name != "*"
    children: tuple[FieldSpec, ...] = ()
    item_spec: FieldSpec | None = None
    variants: dict[str, tuple[FieldSpec, ...]] = {}
    classes: dict[str, type[BaseModel]] = {}
    choices: tuple[Any, ...] = ()
    nested = value if isinstance(value, BaseModel | Mapping) else None
    if kind in ("config", "resource"):
        children = _model_specs(inner, _values_of(nested), f"{path}.")
    elif kind == "union":
        members = [arg for arg in typing.get_args(inner) if arg is not type(None)]
        current = None
        for member in members:
            tag = _variant_tag(member, discriminator)
            classes[tag] = member
            chosen = _is_variant(nested, member, tag, discriminator)
            if chosen and current is None:
                current = tag
            variants[tag] = _model_specs(member, _values_of(nested) if chosen else None, f"{path}.")
        children = variants[current] if current is not None else next(iter(variants.values()))
    elif kind in ("list", "dict"):
        args = typing.get_args(inner)
        item_type = (args[-1] if kind == "dict" else args[0]) if args else Any
        item_spec = _spec(f"{path}.*", "*", item_type, [], MISSING)
    elif kind == "enum":
        choices = tuple(member.name for member in inner)
    elif kind == "literal":
        choices = typing.get_args(inner)
    if value is MISSING or env_var is not None or (secret and value is not None):
        shown: Any = MISSING if value is MISSING else None
    else:
        shown = literal_value(value)
    return FieldSpec(
        path=path,
        name=name,
        kind=kind,
        annotation=annotation,
        required=required,
        default=default,
        value=shown,
        env_var=env_var,
        env_capable=env_capable,
        secret=secret,
        description=description,
        constraints=annotation_constraints(metadata),
        choices=choices,
        optional=optional,
        children=children,
        item=item_spec,
        variants=variants,
        discriminator=discriminator,
        base_type=inner,
        variant_classes=classes,
    )


def _values_of(nested: BaseModel | Mapping[str, Any] | None) -> dict[str, Any] | None:
    if nested is None:
        return None
    parts = partial_parts(nested)
    if parts is not None:
        return parts[1]
    if isinstance(nested, BaseModel):
        return dict(nested.__dict__)
    return dict(nested)


def _variant_tag(member: type[BaseModel], discriminator: str | None) -> str:
    if discriminator is not None and discriminator in member.model_fields:
        info = member.model_fields[discriminator]
        args = typing.get_args(info.annotation)
        if typing.get_origin(info.annotation) is Literal and args:
            return str(args[0])
        if not info.is_required():
            return str(info.get_default(call_default_factory=True, validated_data={}))
    return member.__name__


def _is_variant(
    nested: BaseModel | Mapping[str, Any] | None,
    member: type[BaseModel],
    tag: str,
    discriminator: str | None,
) -> bool:
    if isinstance(nested, BaseModel):
        return type(nested) is member
    if isinstance(nested, Mapping) and discriminator is not None:
        return str(nested.get(discriminator)) == tag
    return False


def literal_value(value: Any) -> Any:
    """Return ``value`` as a form holds it.

    An Enum becomes its name, config a dict, an EnvVar ``{"env": NAME}``. Secrets inside
    nested config are left out. Dates stay dates (see :func:`to_jsonable`).
    """
    name = env_var_name(value)
    if name is not None:
        return {"env": name}
    if isinstance(value, BaseModel):
        return literal_values(value)
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, SecretStr | pydantic.SecretBytes):
        return None
    if isinstance(value, Mapping):
        return {str(key): literal_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [literal_value(item) for item in value]
    return value


def literal_values(instance: BaseModel | PartialResource[Any]) -> dict[str, Any]:
    """Return the JSON-able literal config of ``instance``, with no secret in it.

    EnvVars become ``{"env": NAME}``; secret fields not given as an EnvVar are left out;
    Enums become member names, dates ISO strings, nested config dicts (see
    :func:`workbench.core.config.without_secrets`, the one walk behind it).

    Args:
        instance: a Config or resource instance, or a PartialResource (its partial config).
    """
    parts = partial_parts(instance)
    if parts is not None:
        cls, given = parts
        partial = cls.model_construct(**given)
        return {name: value for name, value in without_secrets(partial).items() if name in given}
    return cast("dict[str, Any]", without_secrets(instance))
