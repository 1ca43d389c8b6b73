"""Config to plain data and back: snapshots, run config, the context's view, form edits.

One walk (:func:`_plain`) turns config into plain data; each public function picks its rules
(secrets redacted, kept or left out; keys by name or alias; enum members by name, or by value
for what the context shows, as in Dagster). :func:`from_launch_config` reads run config back.
:func:`to_json` turns any other value (field specs, run-event metadata) into JSON data by the
same rules: an Enum member by name, a date by its ISO text. See #17.
"""

from __future__ import annotations

import datetime
import enum
import hashlib
import json
import os
import typing
from collections.abc import Callable, Mapping
from typing import Any, Literal, cast

import pydantic
from pydantic import BaseModel, SecretStr

from workbench.core.config import (
    REDACTED,
    Config,
    EnvVar,
    IntEnvVar,
    _config_class_of,
    _enum_of,
    is_secret_field,
    marked_secret,
)
from workbench.core.env_var import env_var_name, resolved_env_names
from workbench.errors import DagsterInvalidConfigError

__all__ = [
    "config_hash",
    "from_launch_config",
    "metadata_json",
    "redact",
    "runtime_config",
    "to_json",
    "to_run_config",
    "without_secrets",
]


def from_launch_config(cls: type[BaseModel], data: Mapping[str, Any]) -> dict[str, Any]:
    """Read launch config written in Dagster's run-config shape for ``cls``.

    ``{"env": "NAME"}`` becomes ``EnvVar("NAME")`` (``EnvVar.int`` for an int field); an
    Enum field takes a member's *name* (Dagster's run config names members, and refuses their
    values); a discriminated union takes Dagster's selector shape, ``{"cat": {"meows": 2}}``
    (or the variant's own fields with its tag); nested config is read the same way; anything
    else is left for validation.

    Raises:
        DagsterInvalidConfigError: an enum given by value or an unknown member name.
    """
    errors: list[tuple[str, str]] = []
    result = _read_launch(cls, data, "", errors)
    if errors:
        raise DagsterInvalidConfigError.from_errors(
            f"{cls.__name__} run config is invalid:", errors
        )
    return result


def _read_launch(
    cls: type[BaseModel], data: Mapping[str, Any], prefix: str, errors: list[tuple[str, str]]
) -> dict[str, Any]:
    fields = cls.model_fields
    result: dict[str, Any] = {}
    for name, value in data.items():
        field = fields.get(name)
        annotation = field.annotation if field is not None else None
        tag = field.discriminator if field is not None else None
        if isinstance(value, Mapping) and set(value) == {"env"} and isinstance(value["env"], str):
            result[name] = (
                IntEnvVar(value["env"])
                if _accepts(annotation, int) and not (_accepts(annotation, str))
                else EnvVar(value["env"])
            )
        elif isinstance(value, Mapping) and isinstance(tag, str):
            variants = _variants_by_tag(annotation, tag)
            chosen, inner = next(iter(value.items())) if len(value) == 1 else (None, None)
            if chosen in variants and isinstance(inner, Mapping):
                # Dagster's selector shape: {"cat": {"meows": 2}}
                read = _read_launch(variants[chosen], inner, f"{prefix}{name}.{chosen}.", errors)
                result[name] = {**read, tag: chosen}
            else:
                nested = _config_class_of(annotation, value, tag)
                result[name] = (
                    value if nested is None else _read_launch(nested, value, prefix, errors)
                )
        elif isinstance(value, Mapping) and (nested := _config_class_of(annotation)) is not None:
            result[name] = _read_launch(nested, value, f"{prefix}{name}.", errors)
        elif isinstance(value, str) and (members := _enum_of(annotation)) is not None:
            result[name] = _member(members, value, f"{prefix}{name}", errors)
        elif isinstance(value, list | Mapping) and (members := _item_enum(annotation)):
            # list[Enum] and dict[str, Enum] name their members too, as in Dagster
            items: Any = value.items() if isinstance(value, Mapping) else enumerate(value)
            named: dict[Any, Any] = {
                key: _member(members, item, f"{prefix}{name}.{key}", errors)
                if isinstance(item, str)
                else item
                for key, item in items
            }
            result[name] = named if isinstance(value, Mapping) else list(named.values())
        else:
            result[name] = value
    return result


def _item_enum(annotation: Any) -> type[enum.Enum] | None:
    """The Enum a list's items or a dict's values hold (``Optional[list[Enum]]`` too)."""
    for candidate in (annotation, *typing.get_args(annotation)):
        origin = typing.get_origin(candidate)
        arguments = typing.get_args(candidate)
        if isinstance(origin, type) and arguments:
            item = arguments[-1] if issubclass(origin, Mapping) else arguments[0]
            if isinstance(item, type) and issubclass(item, enum.Enum):
                return item
    return None


def _member(members: type[enum.Enum], value: str, path: str, errors: list[tuple[str, str]]) -> Any:
    """The member ``value`` names; an unknown name is recorded in ``errors``."""
    if value in members.__members__:
        return members[value]
    names = ", ".join(members.__members__)
    by_value = members._value2member_map_.get(value)
    hint = f"give the member's name, {by_value.name!r}" if by_value else names
    errors.append(
        (
            path,
            f"{value!r} is not a member name of {members.__name__}; "
            f"run config names enum members: {hint}",
        )
    )
    return value


def _variants_by_tag(annotation: Any, tag: str) -> dict[str, type[Config]]:
    """Each variant of a discriminated union by its tag value (``{"cat": Cat, "dog": Dog}``)."""
    found: dict[str, type[Config]] = {}
    for variant in getattr(annotation, "__args__", ()):
        if (
            isinstance(variant, type)
            and issubclass(variant, Config)
            and tag in variant.model_fields
        ):
            for value in getattr(variant.model_fields[tag].annotation, "__args__", ()):
                found[str(value)] = variant
    return found


def _accepts(annotation: Any, kind: type) -> bool:
    return annotation is kind or kind in getattr(annotation, "__args__", ())


def redact(obj: Any) -> Any:
    """Return a JSON-able snapshot of config with every secret replaced.

    EnvVars become ``{"env": NAME}`` (the name is not secret, the value is); secret fields
    become :data:`REDACTED`; nested config becomes nested dicts; an Enum member its name.
    """
    return _plain(obj, secrets="redact", by_alias=False, enum_value=False)


def to_run_config(obj: BaseModel) -> dict[str, Any]:
    """``obj`` as Dagster's run config writes it: every field, defaults included, by alias.

    EnvVars become ``{"env": NAME}``, an Enum member its *name*, nested config a dict.
    A field that has a default and holds ``None`` is left out, as in Dagster, so the run
    reads the field's own default; a required field's ``None`` stays. Secrets are kept: this
    is the value a run reads back with :func:`from_launch_config`.
    """
    plain = _plain(obj, secrets="keep", by_alias=True, enum_value=False, keep_none=False)
    return cast("dict[str, Any]", plain)


def runtime_config(obj: Any) -> Any:
    """What ``context.op_config`` and ``context.resource_config`` show, as in Dagster.

    Every field by alias, defaults included, an Enum member as its *value*; secret fields
    show :data:`REDACTED`.
    """
    return _plain(obj, secrets="redact", by_alias=True, enum_value=True)


def without_secrets(obj: Any) -> Any:
    """Config as a saved form edit or an export holds it: secrets left out, EnvVars by name.

    A secret field given as an EnvVar stays (``{"env": NAME}``); one holding a value is left
    out (a ``None`` stays None); an Enum member is its name; dates are ISO strings.
    """
    return _plain(obj, secrets="omit", by_alias=False, enum_value=False)


def _plain(
    obj: Any,
    *,
    secrets: Literal["redact", "omit", "keep"],
    by_alias: bool,
    enum_value: bool,
    keep_none: bool = True,
) -> Any:
    """The one walk from config to plain data; the callers above choose its rules (#17).

    With ``keep_none=False`` a config field with a default that holds ``None`` is left out.
    """

    def walk(value: Any) -> Any:
        return _plain(
            value, secrets=secrets, by_alias=by_alias, enum_value=enum_value, keep_none=keep_none
        )

    if isinstance(obj, BaseModel):
        cls = type(obj)
        marked = marked_secret(obj)
        resolved = resolved_env_names(obj)  # Dagster keeps EnvVar.int(NAME) as 0 in the field
        out: dict[str, Any] = {}
        for name, value in obj.__dict__.items():
            field = cls.model_fields.get(name)
            if field is None:
                continue  # a library's own state: Dagster keeps resolved config here (#15)
            if value is None and not keep_none and not field.is_required():
                continue
            key = field.alias if by_alias and field.alias else name
            secret = name in marked or is_secret_field(cls, name)
            variable = env_var_name(value) or resolved.get(name)
            if variable is not None:
                out[key] = {"env": variable}
            elif secrets != "keep" and secret:
                if value is None:
                    out[key] = None
                elif secrets == "redact":
                    out[key] = REDACTED
            else:
                out[key] = walk(value)
        for name, value in (obj.__pydantic_extra__ or {}).items():
            out[name] = walk(value)
        return out
    variable = env_var_name(obj)
    if variable is not None:
        return {"env": variable}
    if isinstance(obj, SecretStr | pydantic.SecretBytes):
        return {"redact": REDACTED, "omit": None}.get(secrets, obj.get_secret_value())
    if isinstance(obj, Mapping):
        return {str(key): walk(value) for key, value in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        return [walk(value) for value in obj]
    if isinstance(obj, enum.Enum):
        return obj.value if enum_value else obj.name
    if obj is None or isinstance(obj, str | int | float | bool):
        return obj
    return obj.isoformat() if hasattr(obj, "isoformat") else repr(obj)


def to_json(value: Any, *, other: Callable[[Any], str] = repr) -> Any:
    """Return ``value`` as JSON data (for golden files, debugging and run-event metadata).

    A mapping becomes a dict with string keys, a list, tuple or set a list, an Enum member its
    name, a date or time its ISO text, a path its text; any other value becomes ``other(value)``.

    Example:
        >>> import datetime, enum
        >>> class Color(enum.Enum):
        ...     RED = "red"
        >>> to_json({"when": datetime.date(2024, 1, 2), "colors": (Color.RED,), 3: None})
        {'when': '2024-01-02', 'colors': ['RED'], '3': None}
    """
    if isinstance(value, Mapping):
        return {str(key): to_json(item, other=other) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_json(item, other=other) for item in value]
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return other(value)


def metadata_json(metadata: Mapping[str, Any]) -> dict[str, Any]:
    """Return materialization metadata as a run event stores it.

    Each value goes through :func:`to_json`; a wrapper holding its value in ``.value`` (as
    Dagster's ``MetadataValue`` does) gives that value, and any other object its text.

    Example:
        >>> metadata_json({"rows": 3, "columns": ("a", "b"), "limit": 1.5j})
        {'rows': 3, 'columns': ['a', 'b'], 'limit': '1.5j'}
    """
    return {
        str(key): to_json(
            value if isinstance(value, enum.Enum) else getattr(value, "value", value), other=str
        )
        for key, value in metadata.items()
    }


def _hashable(obj: Any) -> Any:
    if isinstance(obj, BaseModel):
        return {
            "__class__": type(obj).__qualname__,
            **{name: _hashable(value) for name, value in obj.__dict__.items()},
        }
    if isinstance(obj, SecretStr):
        return {"secret": hashlib.sha256(obj.get_secret_value().encode()).hexdigest()}
    if isinstance(obj, Mapping):
        return {str(key): _hashable(value) for key, value in obj.items()}
    if isinstance(obj, list | tuple):
        return [_hashable(value) for value in obj]
    if isinstance(obj, enum.Enum):
        return obj.name
    if obj is None or isinstance(obj, str | int | float | bool):
        return obj
    return repr(obj)


def config_hash(obj: Any) -> str:
    """A stable hash of resolved config; secrets enter only as their own hashes."""
    text = json.dumps(_hashable(obj), sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
