"""The field spec: one config field as forms and export see it, and its JSON form."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from workbench.core._annotations import format_annotation
from workbench.core.plain import to_json

if TYPE_CHECKING:
    from collections.abc import Mapping

    from pydantic import BaseModel

__all__ = ["KINDS", "MISSING", "FieldSpec", "to_jsonable"]

KINDS: Final = (
    "str", "int", "float", "bool", "enum", "literal", "date", "datetime",
    "list", "dict", "config", "union", "secret", "resource", "any",
)  # fmt: skip
"""Every kind a :class:`FieldSpec` can have."""


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


def to_jsonable(spec: FieldSpec) -> dict[str, Any]:
    """Return ``spec`` as a JSON-able dict (for golden files and debugging).

    MISSING appears as the string ``"<missing>"``; empty parts are left out.
    """

    def plain(value: Any) -> Any:
        return "<missing>" if value is MISSING else to_json(value)

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
        out["constraints"] = {key: to_json(value) for key, value in spec.constraints.items()}
    if spec.choices:
        out["choices"] = [to_json(choice) for choice in spec.choices]
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
