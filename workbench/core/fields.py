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

import datetime
import enum
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal, Union, cast

import pydantic
from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo

from workbench.core.config import SECRET_MARK
from workbench.core.env_var import env_var_name
from workbench.core.plain import without_secrets
from workbench.core.resource import ConfigurableResource, PartialResource

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

KINDS: Final = (
    "str", "int", "float", "bool", "enum", "literal", "date", "datetime",
    "list", "dict", "config", "union", "secret", "resource", "any",
)  # fmt: skip
"""Every kind a :class:`FieldSpec` can have."""

CONSTRAINTS: Final = (
    "ge", "gt", "le", "lt", "multiple_of", "min_length", "max_length", "pattern",
)  # fmt: skip


class _Missing:
    """The type of :data:`MISSING`: no default, or no value known."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()
"""Stands for "no default" (a required field) and "no value" (a spec built from a class)."""


@dataclass(frozen=True)
class FieldSpec:
    """One field of a Config or resource, as forms and export see it.

    Values are literal: an Enum member is its name, nested config is a dict, an EnvVar is
    ``None`` with :attr:`env_var` set, and a secret is never here (``None``, :attr:`secret` set).

    Attributes:
        path: dotted path from the top (``creds.password``); list items and dict values of
            a field ``tags`` have the path ``tags.*``.
        name: the field's own name (``*`` for an item spec).
        kind: one of :data:`KINDS`.
        annotation: the field's type as declared.
        required: whether the field has no default.
        default: the default's literal value (a default_factory is called), or MISSING.
        value: the instance's literal value, MISSING for a class (or a field not yet given to
            a PartialResource), None for a secret or an EnvVar.
        env_var: the variable's name when the value is an EnvVar.
        env_capable: whether the field may be given as an EnvVar (str, int, secret strings).
        secret: typed SecretStr, marked ``dagster__is_secret``, or given as an EnvVar.
        description: the pydantic ``Field(description=...)``.
        constraints: ``ge``, ``gt``, ``le``, ``lt``, ``multiple_of``, ``min_length``,
            ``max_length`` and ``pattern``, where given.
        choices: Enum member names or Literal values.
        optional: whether ``None`` is allowed (``X | None``).
        children: the fields of nested config or a nested resource; for a union, the fields
            of the current variant (of the first variant for a class).
        item: the spec of list items or dict values.
        variants: for a union, discriminator value (or class name) -> the variant's fields.
        discriminator: the union's discriminator field, if it has one.
    """

    path: str
    name: str
    kind: str
    annotation: Any
    required: bool = False
    default: Any = MISSING
    value: Any = MISSING
    env_var: str | None = None
    env_capable: bool = False
    secret: bool = False
    description: str | None = None
    constraints: Mapping[str, Any] = field(default_factory=dict)
    choices: tuple[Any, ...] = ()
    optional: bool = False
    children: tuple[FieldSpec, ...] = ()
    item: FieldSpec | None = None
    variants: Mapping[str, tuple[FieldSpec, ...]] = field(default_factory=dict)
    discriminator: str | None = None
    base_type: Any = field(default=None, repr=False)
    """The type with Annotated and Optional removed (the Enum, Config or item type)."""
    variant_classes: Mapping[str, type[BaseModel]] = field(default_factory=dict, repr=False)
    """For a union: discriminator value (or class name) -> the variant's class."""

    def child(self, name: str) -> FieldSpec:
        """Return the child spec called ``name``.

        Raises:
            KeyError: naming the children there are.
        """
        for spec in self.children:
            if spec.name == name:
                return spec
        names = ", ".join(spec.name for spec in self.children) or "none"
        raise KeyError(f"{self.path!r} has no field {name!r} (fields: {names})")


_RESOURCE_BASES = frozenset({"ConfigurableResourceFactory"})
"""Base class names that make a pydantic model a resource in libraries with the same model."""


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
    inner, optional, metadata = _unwrap(annotation, metadata)
    if "resource_dependency" in metadata:  # Dagster types it Union[TheResource, PartialResource]
        inner = next(iter(typing.get_args(inner)), inner)
    for item in metadata:
        if isinstance(item, FieldInfo):
            description = description or item.description
            if isinstance(item.discriminator, str):
                discriminator = discriminator or item.discriminator
    kind = _kind(inner)
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
        constraints=_constraints(metadata),
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


def _unwrap(annotation: Any, metadata: list[Any]) -> tuple[Any, bool, list[Any]]:
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


def _kind(inner: Any) -> str:
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


def _constraints(metadata: list[Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for item in metadata:
        for name in CONSTRAINTS:
            value = getattr(item, name, None)
            if value is not None and name not in found:
                found[name] = value
    return found


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


def _is_secret(info: FieldInfo) -> bool:
    extra = info.json_schema_extra
    if isinstance(extra, dict) and extra.get(SECRET_MARK):
        return True
    return _mentions(info.annotation, (SecretStr, pydantic.SecretBytes))


def _mentions(annotation: Any, targets: tuple[Any, ...]) -> bool:
    if annotation in targets:
        return True
    return any(_mentions(arg, targets) for arg in typing.get_args(annotation))


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return repr(value)


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


def to_jsonable(spec: FieldSpec) -> dict[str, Any]:
    """Return ``spec`` as a JSON-able dict (for golden files and debugging).

    MISSING appears as the string ``"<missing>"``; empty parts are left out.
    """

    def plain(value: Any) -> Any:
        return "<missing>" if value is MISSING else _jsonable(value)

    out: dict[str, Any] = {
        "path": spec.path,
        "name": spec.name,
        "kind": spec.kind,
        "annotation": format_annotation(spec.annotation),
        "required": spec.required,
        "default": plain(spec.default),
        "value": plain(spec.value),
    }
    flags = ("env_capable", "secret", "optional")
    out.update({name: True for name in flags if getattr(spec, name)})
    if spec.env_var is not None:
        out["env_var"] = spec.env_var
    if spec.description:
        out["description"] = spec.description
    if spec.constraints:
        out["constraints"] = {key: _jsonable(value) for key, value in spec.constraints.items()}
    if spec.choices:
        out["choices"] = [_jsonable(choice) for choice in spec.choices]
    if spec.discriminator is not None:
        out["discriminator"] = spec.discriminator
    if spec.variants:
        out["variants"] = {
            tag: [to_jsonable(child) for child in children]
            for tag, children in spec.variants.items()
        }
    elif spec.children:
        out["children"] = [to_jsonable(child) for child in spec.children]
    if spec.item is not None:
        out["item"] = to_jsonable(spec.item)
    return out
