"""Config, PermissiveConfig and EnvVar: typed config, secrets and their redaction.

A field given as ``EnvVar("NAME")`` keeps the variable's *name* until a run starts; then
:func:`resolve` reads the environment and validates the real value. Reading such a field
outside a run gives the variable's value, or a :class:`ConfigError` if it is not set: never
the variable's name.
"""

from __future__ import annotations

import enum
import hashlib
import json
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, cast

import pydantic
from pydantic import BaseModel, ConfigDict, SecretStr, TypeAdapter, ValidationError

from workbench.core._short import short_repr
from workbench.core._suggest import closest
from workbench.errors import ConfigError

if TYPE_CHECKING:
    from typing import Self

__all__ = [
    "REDACTED",
    "Config",
    "EnvVar",
    "IntEnvVar",
    "PermissiveConfig",
    "config_hash",
    "describe_validation_error",
    "from_launch_config",
    "has_env_vars",
    "is_secret_field",
    "mark_secret",
    "marked_secret",
    "redact",
    "resolve",
]

REDACTED = "**********"
"""What a secret value is replaced by wherever config is shown, logged or stored."""

SECRET_MARK = "dagster__is_secret"
"""Dagster's ``json_schema_extra`` key that marks a field secret."""

_MARKED_SECRET = "_workbench_secret_fields"
"""Where an instance keeps the fields marked secret on it alone (see :func:`mark_secret`)."""


class _EnvMixin:
    """What :class:`EnvVar` and :class:`IntEnvVar` share: a name, never a silent value."""

    env_var_name: str

    def get_value(self, default: str | None = None) -> str | None:
        """Return the variable's current value, or ``default`` when it is not set."""
        return os.environ.get(self.env_var_name, default)

    def _refuse(self) -> str:
        raise ConfigError(
            f"EnvVar({self.env_var_name!r}) has no value until a run starts; "
            f"use .get_value() to read {self.env_var_name} now, or .env_var_name for its name"
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.env_var_name!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.env_var_name,))


class EnvVar(_EnvMixin, str):
    """A config value read from an environment variable when a run starts.

    Example:
        >>> EnvVar("API_TOKEN").env_var_name
        'API_TOKEN'
    """

    def __new__(cls, name: str) -> EnvVar:
        """Refer to the environment variable ``name`` (it need not be set yet)."""
        if not isinstance(name, str) or not name:  # type: ignore[redundant-expr]
            raise TypeError(f"EnvVar needs a variable name, got {name!r}")
        instance = super().__new__(cls, name)
        instance.env_var_name = name
        return instance

    def __str__(self) -> str:
        return self._refuse()

    def __format__(self, spec: str) -> str:
        return self._refuse()

    @classmethod
    def int(cls, name: str) -> IntEnvVar:
        """An integer config value read from an environment variable when a run starts."""
        return IntEnvVar(name)


class IntEnvVar(_EnvMixin, int):
    """An int config value read from an environment variable; made by :meth:`EnvVar.int`."""

    def __new__(cls, name: str) -> IntEnvVar:
        """Refer to the environment variable ``name``, read as an int (it need not be set yet)."""
        if not isinstance(name, str) or not name:  # type: ignore[redundant-expr]
            raise TypeError(f"EnvVar.int needs a variable name, got {name!r}")
        instance = super().__new__(cls, 0)
        instance.env_var_name = name
        return instance

    def __str__(self) -> str:
        return self._refuse()

    def __format__(self, spec: str) -> str:
        return self._refuse()

    def __reduce__(self) -> tuple[Any, ...]:
        return (IntEnvVar, (self.env_var_name,))


_ENV_TYPES = (EnvVar, IntEnvVar)


def _contains_env(value: Any) -> bool:
    if isinstance(value, _ENV_TYPES):
        return True
    if type(value) is dict:
        return any(_contains_env(item) for item in value.values())
    if type(value) in (list, tuple):
        return any(_contains_env(item) for item in value)
    if isinstance(value, Config):
        return value._has_env
    return False


class _Nesting(threading.local):
    depth = 0


_nesting = _Nesting()
"""How deep in config validation this thread is: only the outermost call makes a ConfigError."""


class Config(BaseModel):
    """Typed config: the base of resources, op and asset config, and nested config.

    Fields are pydantic fields. Instances are immutable. A ``str`` or ``int`` field may be
    given as :class:`EnvVar`, which is resolved when a run starts.
    """

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        arbitrary_types_allowed=True,
        validate_default=False,
    )

    _has_env: bool = pydantic.PrivateAttr(default=False)
    _kind: ClassVar[str] = "config"

    def __init__(self, **data: Any) -> None:
        if any(_contains_env(value) for value in data.values()):
            _init_with_env(self, data)
            return
        if _nesting.depth:
            super().__init__(**data)
            return
        _nesting.depth += 1
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise _config_error(type(self), exc) from None
        finally:
            _nesting.depth -= 1

    def __getattribute__(self, name: str) -> Any:
        value = object.__getattribute__(self, name)
        if type(value) is EnvVar or type(value) is IntEnvVar:
            return _read_outside_run(self, name, value)
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_"):
            super().__setattr__(name, value)
            return
        kind = type(self)._kind
        raise ConfigError(
            f"{kind} {type(self).__name__!r} is immutable, so field {name!r} cannot be set; "
            f"build a new one with .model_copy(update={{{name!r}: ...}}), or keep run-time "
            "state in a private attribute (_name: T = PrivateAttr())"
        )

    def __delattr__(self, name: str) -> None:
        self.__setattr__(name, None)

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        """What repr() and str() show: a secret field's value masked, as SecretStr masks its own.

        A field marked ``dagster__is_secret`` holds a plain ``str``, which pydantic would
        print (and ``print(resource)`` in a notebook would save); see #11.
        """
        cls = type(self)
        marked = marked_secret(self)
        for name, value in super().__repr_args__():
            if (
                name in cls.model_fields
                and value is not None
                and not isinstance(value, SecretStr | _EnvMixin)
                and (name in marked or is_secret_field(cls, name))
            ):
                yield name, REDACTED
            else:
                yield name, value


class PermissiveConfig(Config):
    """Config that also accepts fields it does not declare; they appear in ``model_dump()``."""

    model_config = ConfigDict(extra="allow")


def _config_error(cls: type[BaseModel], exc: ValidationError, where: str = "") -> ConfigError:
    secret = {name for name in cls.model_fields if is_secret_field(cls, name)}
    found = describe_validation_error(exc, lambda path: path.split(".")[0] in secret)
    return ConfigError.from_errors(f"{where or cls.__name__} is invalid:", found)


def _read_outside_run(owner: Config, field: str, value: EnvVar | IntEnvVar) -> Any:
    raw = os.environ.get(value.env_var_name)
    if raw is None:
        raise ConfigError(
            f"{type(owner).__name__}.{field} reads environment variable "
            f"{value.env_var_name!r}, which is not set; set {value.env_var_name} or pass "
            f"{field}=... directly"
        )
    return _convert_env(value, raw, field)


def _convert_env(value: EnvVar | IntEnvVar, raw: str, path: str) -> str | int:
    if isinstance(value, IntEnvVar):
        try:
            return int(raw.strip())
        except ValueError:
            raise ConfigError(
                f"{path}: environment variable {value.env_var_name!r} must hold an integer; "
                f"set it to a whole number"
            ) from None
    return raw


@cache
def _field_adapter(cls: type[BaseModel], name: str) -> TypeAdapter[Any]:
    field = cls.model_fields[name]
    return TypeAdapter(Annotated[field.annotation, field])  # type: ignore[arg-type]


def _init_with_env(self: Config, data: dict[str, Any]) -> None:
    """Build an instance whose env-valued fields wait for a run; check every other field."""
    cls = type(self)
    fields = cls.model_fields
    errors: list[tuple[str, str]] = []
    values: dict[str, Any] = {}
    for name, value in data.items():
        if name not in fields:
            if cls.model_config.get("extra") == "allow":
                values[name] = value
                continue
            errors.append((name, _unknown_field(cls, name)))
            continue
        if isinstance(value, _ENV_TYPES):
            values[name] = value
        elif type(value) is dict and _contains_env(value):
            field = fields[name]
            discriminator = field.discriminator if isinstance(field.discriminator, str) else None
            target = _config_class_of(field.annotation, value, discriminator)
            if target is None:
                errors.append((name, "EnvVar can be used only in str and int fields"))
                continue
            try:
                values[name] = target(**value)
            except ConfigError as exc:
                errors.extend((f"{name}.{path}", text) for path, text in exc.errors)
        elif isinstance(value, Config) or not _contains_env(value):
            try:
                values[name] = _field_adapter(cls, name).validate_python(value)
            except ValidationError as exc:
                hide = _always(is_secret_field(cls, name))
                errors.extend(_prefix(name, describe_validation_error(exc, hide)))
        else:
            errors.append((name, "EnvVar can be used only in str and int fields"))
    for name, field in fields.items():
        if name not in values and field.is_required():
            errors.append((name, "required; give a value or an EnvVar"))
    if errors:
        raise ConfigError.from_errors(f"{cls.__name__} is invalid:", errors)
    built = cls.model_construct(_fields_set=set(data), **values)
    object.__setattr__(self, "__dict__", built.__dict__)
    object.__setattr__(self, "__pydantic_fields_set__", built.__pydantic_fields_set__)
    object.__setattr__(self, "__pydantic_extra__", built.__pydantic_extra__)
    object.__setattr__(self, "__pydantic_private__", built.__pydantic_private__)
    self._has_env = True


def explicit_fields(value: BaseModel) -> dict[str, Any]:
    """The fields given explicitly when ``value`` was built (as written, EnvVars included)."""
    return {name: value.__dict__[name] for name in value.model_fields_set if name in value.__dict__}


def _always(answer: bool) -> Callable[[str], bool]:
    return lambda path: answer


def _config_class_of(
    annotation: Any, data: Mapping[str, Any] | None = None, discriminator: str | None = None
) -> type[Config] | None:
    """The Config class a dict value of a field builds (for a union, the variant it names)."""
    if isinstance(annotation, type) and issubclass(annotation, Config):
        return annotation
    variants = [
        arg
        for arg in getattr(annotation, "__args__", ())
        if isinstance(arg, type) and issubclass(arg, Config)
    ]
    if discriminator and data is not None and discriminator in data:
        for variant in variants:
            field = variant.model_fields.get(discriminator)
            allowed = getattr(field.annotation, "__args__", ()) if field is not None else ()
            if data[discriminator] in allowed or (field and field.default == data[discriminator]):
                return variant
    return variants[0] if variants else None


def _unknown_field(cls: type[BaseModel], name: str) -> str:
    known = list(cls.model_fields)
    match = closest(name, known)
    hint = f"did you mean {match!r}?" if match else f"known fields: {', '.join(known)}"
    return f"unknown field; {hint}"


def _prefix(prefix: str, errors: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(f"{prefix}.{path}" if path else prefix, text) for path, text in errors]


def from_launch_config(cls: type[BaseModel], data: Mapping[str, Any]) -> dict[str, Any]:
    """Read launch config written in Dagster's run-config shape for ``cls``.

    ``{"env": "NAME"}`` becomes ``EnvVar("NAME")`` (``EnvVar.int`` for an int field), an
    Enum field given a member's *name* gets that member (Dagster writes enums by name, as
    :func:`redact` does), and nested config is read the same way; anything else is left
    for validation.
    """
    fields = cls.model_fields
    result: dict[str, Any] = {}
    for name, value in data.items():
        field = fields.get(name)
        annotation = field.annotation if field is not None else None
        if isinstance(value, Mapping) and set(value) == {"env"} and isinstance(value["env"], str):
            result[name] = (
                IntEnvVar(value["env"])
                if _accepts(annotation, int) and not (_accepts(annotation, str))
                else EnvVar(value["env"])
            )
        elif (
            isinstance(value, Mapping)
            and (
                nested := _config_class_of(
                    annotation,
                    value,
                    field.discriminator
                    if field is not None and isinstance(field.discriminator, str)
                    else None,
                )
            )
            is not None
        ):
            result[name] = from_launch_config(nested, value)
        elif isinstance(value, str) and (members := _enum_of(annotation)) is not None:
            result[name] = members.__members__.get(value, value)
        else:
            result[name] = value
    return result


def _accepts(annotation: Any, kind: type) -> bool:
    return annotation is kind or kind in getattr(annotation, "__args__", ())


def _enum_of(annotation: Any) -> type[enum.Enum] | None:
    for candidate in (annotation, *getattr(annotation, "__args__", ())):
        if isinstance(candidate, type) and issubclass(candidate, enum.Enum):
            return candidate
    return None


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
            message = "unknown field; remove it"
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


def has_env_vars(obj: BaseModel) -> bool:
    """Tell whether any field of ``obj`` (or of its nested config) waits for an EnvVar."""
    return any(_contains_env(value) for value in obj.__dict__.values())


def redact(obj: Any) -> Any:
    """Return a JSON-able snapshot of config with every secret replaced.

    EnvVars become ``{"env": NAME}`` (the name is not secret, the value is); secret fields
    become :data:`REDACTED`; nested config becomes nested dicts.
    """
    if isinstance(obj, BaseModel):
        cls = type(obj)
        marked = marked_secret(obj)
        out: dict[str, Any] = {}
        for name, value in obj.__dict__.items():
            if name in marked or (name in cls.model_fields and is_secret_field(cls, name)):
                if isinstance(value, _ENV_TYPES):
                    out[name] = {"env": value.env_var_name}
                else:
                    out[name] = None if value is None else REDACTED
            else:
                out[name] = redact(value)
        for name, value in (obj.__pydantic_extra__ or {}).items():
            out[name] = redact(value)
        return out
    if isinstance(obj, _ENV_TYPES):
        return {"env": obj.env_var_name}
    if isinstance(obj, SecretStr | pydantic.SecretBytes):
        return REDACTED
    if isinstance(obj, Mapping):
        return {str(key): redact(value) for key, value in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        return [redact(value) for value in obj]
    if isinstance(obj, enum.Enum):
        return obj.name
    if obj is None or isinstance(obj, str | int | float | bool):
        return obj
    return str(obj) if hasattr(obj, "isoformat") else repr(obj)


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


def resolve(obj: Self, where: str, environ: Mapping[str, str] | None = None) -> Self:  # type: ignore[misc]
    """Return ``obj`` with every EnvVar read from the environment and the result validated.

    Args:
        obj: a Config or resource instance.
        where: what to call it in errors, e.g. ``"resource 'warehouse'"``.
        environ: the environment to read (``os.environ`` by default).

    Raises:
        ConfigError: listing every missing variable and every invalid resolved value.
    """
    if not obj._has_env:
        return obj
    env = os.environ if environ is None else environ
    errors: list[tuple[str, str]] = []
    resolved = _resolve_model(obj, "", env, errors)
    if errors:
        raise ConfigError.from_errors(f"{where} ({type(obj).__name__}) is invalid:", errors)
    return cast("Self", resolved)  # type: ignore[misc]


def _resolve_model(
    obj: Config, prefix: str, env: Mapping[str, str], errors: list[tuple[str, str]]
) -> Config:
    cls = type(obj)
    values: dict[str, Any] = {}
    for name, value in obj.__dict__.items():
        path = f"{prefix}{name}"
        if isinstance(value, _ENV_TYPES):
            raw = env.get(value.env_var_name)
            if raw is None:
                errors.append(
                    (
                        path,
                        f"environment variable {value.env_var_name!r} is not set; "
                        f"set {value.env_var_name} or give {name}=... a value",
                    )
                )
                continue
            try:
                values[name] = _convert_env(value, raw, path)
            except ConfigError as exc:
                errors.append((path, str(exc).split(": ", 1)[1]))
        elif isinstance(value, Config) and value._has_env:
            values[name] = _resolve_model(value, f"{path}.", env, errors)
        else:
            values[name] = value
    values.update(obj.__pydantic_extra__ or {})
    if errors:
        return obj
    _nesting.depth += 1
    try:
        result = cls.__pydantic_validator__.validate_python(values)
    except ValidationError as exc:
        secret = {name for name in cls.model_fields if is_secret_field(cls, name)}
        secret |= {name for name, value in obj.__dict__.items() if isinstance(value, _ENV_TYPES)}
        found = describe_validation_error(exc, lambda path: path.split(".")[0] in secret)
        errors.extend(_prefix(prefix.rstrip("."), found) if prefix else found)
        return obj
    finally:
        _nesting.depth -= 1
    object.__setattr__(result, "__pydantic_private__", dict(obj.__pydantic_private__ or {}))
    result._has_env = False
    return cast("Config", result)
