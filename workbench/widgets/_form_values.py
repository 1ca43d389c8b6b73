"""What a form's values are: literal config flattened to paths, kept secrets, shown text."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, SecretStr

from workbench.core.config import EnvVar, IntEnvVar
from workbench.core.fields import MISSING, FieldSpec, partial_parts
from workbench.widgets._field_editor import is_env_literal

__all__ = [
    "describe",
    "flatten",
    "is_env",
    "kept_secrets",
    "mark_secret",
    "secret_paths",
    "show_literal",
    "without_secrets",
]


def describe(exc: BaseException) -> str:
    """An exception as ``Name: message``."""
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def kept_secrets(resource: Any, specs: tuple[FieldSpec, ...]) -> dict[str, Any]:
    """Secret values the resource already has, by path (kept out of every widget)."""
    kept: dict[str, Any] = {}

    def visit(spec: FieldSpec) -> None:
        if spec.secret and spec.env_var is None and spec.kind not in ("config", "resource"):
            raw = _raw_at(resource, spec.path)
            if raw is not MISSING and raw is not None and not isinstance(raw, EnvVar | IntEnvVar):
                text = raw.get_secret_value() if isinstance(raw, SecretStr) else raw
                if text != "":  # an empty secret is not "set"
                    kept[spec.path] = raw
        for child in spec.children:
            visit(child)

    for spec in specs:
        visit(spec)
    return kept


def flatten(values: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Literal config as ``{dotted path: value}`` (an EnvVar's ``{"env": NAME}`` is one value)."""
    flat: dict[str, Any] = {}
    for name, value in values.items():
        path = f"{prefix}{name}"
        if isinstance(value, dict) and not is_env(value):
            flat.update(flatten(value, f"{path}."))
        else:
            flat[path] = value
    return flat


def is_env(value: Any) -> bool:
    """Whether a literal stands for an EnvVar (``{"env": NAME}``)."""
    return isinstance(value, dict) and set(value) == {"env"}


def show_literal(value: Any) -> str:
    """A literal as a person reads it: ``EnvVar('NAME')``, ``no value`` or its repr."""
    if is_env(value):
        return f"EnvVar({value['env']!r})"
    if value is MISSING:
        return "no value"
    return repr(value)


def _raw_at(resource: Any, path: str) -> Any:
    parts = partial_parts(resource)
    current: Any = parts[1] if parts is not None else resource
    for part in path.split("."):
        if isinstance(current, BaseModel):
            current = current.__dict__.get(part, MISSING)
        elif isinstance(current, Mapping):
            current = current.get(part, MISSING)
        else:
            return MISSING
    return current


def secret_paths(specs: tuple[FieldSpec, ...]) -> frozenset[str]:
    found: set[str] = set()
    for spec in specs:
        if spec.secret:
            found.add(spec.path)
        found |= secret_paths(spec.children)
    return frozenset(found)


def mark_secret(specs: tuple[FieldSpec, ...], paths: frozenset[str]) -> tuple[FieldSpec, ...]:
    """``specs`` with every field at ``paths`` secret (its value hidden, as a secret's is)."""
    marked = []
    for spec in specs:
        if spec.path in paths and not spec.secret:
            spec = dataclasses.replace(spec, secret=True, value=None)
        if spec.children:
            spec = dataclasses.replace(spec, children=mark_secret(spec.children, paths))
        marked.append(spec)
    return tuple(marked)


def without_secrets(
    literal: dict[str, Any], code: Mapping[str, Any], paths: Iterable[str]
) -> dict[str, Any]:
    """The literal config to save: each secret typed at ``paths`` replaced by the code's value.

    A typed secret lives in the session only; what is saved (and exported) keeps what the
    code says for that field, e.g. ``{"env": "API_KEY"}``, unless the form names a variable.
    """
    saved = copy.deepcopy(literal)
    for path in paths:
        *parents, name = path.split(".")
        into: Any = saved
        original: Any = code
        for part in parents:
            into = into.get(part) if isinstance(into, dict) else None
            original = original.get(part) if isinstance(original, Mapping) else None
        if not isinstance(into, dict) or is_env_literal(into.get(name)):
            continue
        into.pop(name, None)
        if isinstance(original, Mapping) and name in original:
            into[name] = copy.deepcopy(original[name])
    return saved
