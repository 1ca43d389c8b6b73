"""Config, PermissiveConfig and EnvVar: typed config, secrets and their redaction.

A field given as ``EnvVar("NAME")`` keeps the variable's *name* until a run starts; then
:func:`resolve` reads the environment and validates the real value. Reading such a field
outside a run gives the variable's value, or a :class:`ConfigError` if it is not set: never
the variable's name.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import cache
from typing import Annotated, Any, ClassVar, NoReturn, Self, TypeVar, cast

import pydantic
from pydantic import BaseModel, ConfigDict, SecretStr, TypeAdapter, ValidationError
from pydantic_core import PydanticCustomError

from workbench.core._short import short_repr
from workbench.core._suggest import closest
from workbench.errors import ConfigError, DagsterInvalidInvocationError, UnresolvedEnvVarError

ConfigT = TypeVar("ConfigT", bound=BaseModel)

__all__ = [
    "REDACTED",
    "Config",
    "EnvVar",
    "IntEnvVar",
    "LaunchDeferred",
    "PermissiveConfig",
    "PrimitiveConfig",
    "build_config",
    "describe_validation_error",
    "env_var_names",
    "has_env_vars",
    "invalid_config",
    "is_secret_field",
    "mark_secret",
    "marked_secret",
    "primitive_config_class",
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

    def get_value(self, default: Any = None) -> Any:
        """Return the variable's current value, or ``default`` when it is not set."""
        return os.environ.get(self.env_var_name, default)

    def _refuse(self) -> NoReturn:
        raise UnresolvedEnvVarError(
            f"{self!r} has no value until a run starts; use .get_value() to read "
            f"{self.env_var_name} now, or .env_var_name for its name"
        )

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _EnvMixin):
            return type(self) is type(other) and self.env_var_name == other.env_var_name
        return NotImplemented

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.env_var_name))

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

    def __int__(self) -> int:
        return self._refuse()

    def __index__(self) -> int:
        return self._refuse()

    def get_value(self, default: Any = None) -> Any:
        """Return the variable's current value as an int, or ``default`` when it is not set.

        Raises:
            ConfigError: the variable holds something that is not a whole number.
        """
        raw = os.environ.get(self.env_var_name)
        return default if raw is None else _convert_env(self, raw, self.env_var_name)

    def __reduce__(self) -> tuple[Any, ...]:
        return (IntEnvVar, (self.env_var_name,))


_ENV_TYPES = (EnvVar, IntEnvVar)


class LaunchDeferred:
    """A field value completed when a run launches (a nested ``configure_at_launch()``)."""


def _is_deferred(value: Any) -> bool:
    """Whether ``value`` (or something inside it) gets its value only when a run starts."""
    return isinstance(value, LaunchDeferred) or _contains_env(value)


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
        # workbench's own classes build their validators on first use, so that touching the
        # core costs no schema building; a user's class is built when defined (see below, #16)
        defer_build=True,
    )

    _has_env: bool = pydantic.PrivateAttr(default=False)
    _kind: ClassVar[str] = "config"

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        """Give every ``Optional`` field without a default the default None, as Dagster does.

        A user's class is built at once, as pydantic builds it, so that its errors show where
        it is defined; workbench's own classes wait for their first use (``defer_build``, #16).
        """
        super().__pydantic_init_subclass__(**kwargs)
        optional = [
            field
            for field in cls.model_fields.values()
            if field.is_required() and _allows_none(field.annotation)
        ]
        for field in optional:
            field.default = None
        if optional:
            cls.model_rebuild(force=True, raise_errors=False)
        elif not cls.__module__.startswith("workbench."):
            cls.model_rebuild(raise_errors=False)

    @pydantic.model_validator(mode="before")
    @classmethod
    def _enum_members_by_name(cls, data: Any) -> Any:
        """Let an Enum field be given a member's name (``"RED"``) as well as the member."""
        return _with_enum_members(cls, data)

    def __init__(self, **data: Any) -> None:
        if any(
            _contains_env(value) or isinstance(value, LaunchDeferred) for value in data.values()
        ):
            _init_with_env(self, data)
            return
        try:
            super().__init__(**data)
        except ValidationError as exc:
            # pydantic's own error, as Dagster raises it; secrets hidden, names suggested
            raise _validation_error(type(self), exc.errors(include_url=False)) from None

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
        raise DagsterInvalidInvocationError(
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

    @classmethod
    def to_fields_dict(cls) -> dict[str, Any]:
        """Each field as Dagster's config ``Field``: its type, default, need and description.

        Keys are the names run config uses (a field's alias, if it has one).
        """
        from workbench.core.config_schema import Field

        fields: dict[str, Any] = {}
        for name, info in cls.model_fields.items():
            required = info.is_required()
            fields[info.alias or name] = (
                Field(info.annotation, is_required=True, description=info.description)
                if required
                else Field(
                    info.annotation,
                    default_value=info.get_default(call_default_factory=True),
                    description=info.description,
                )
            )
        return fields

    @classmethod
    def to_config_schema(cls) -> type[Self]:
        """The schema to give a function-style ``@resource(config_schema=...)``: this class."""
        return cls


class PrimitiveConfig(Config):
    """The config of a step whose ``config`` parameter has a plain type (``config: str``).

    Run config gives the value itself (``{"ops": {"op": {"config": "bar"}}}``); the step
    receives ``value``. Made by :func:`primitive_config_class`.
    """

    value: Any = None


def primitive_config_class(annotation: Any, default: Any, owner: str) -> type[PrimitiveConfig]:
    """A PrimitiveConfig class whose ``value`` field has ``annotation`` and ``default``."""
    field: Any = (annotation, default)
    return cast(
        "type[PrimitiveConfig]",
        pydantic.create_model(f"{owner} config", __base__=PrimitiveConfig, value=field),
    )


class PermissiveConfig(Config):
    """Config that also accepts fields it does not declare; they appear in ``model_dump()``."""

    model_config = ConfigDict(extra="allow")


def invalid_config(cls: type[BaseModel], exc: ValidationError, where: str = "") -> ConfigError:
    """Turn pydantic's error for ``cls`` into a ConfigError: one line per field, secrets hidden.

    Args:
        cls: the Config or resource class that refused its values.
        exc: pydantic's error.
        where: what to call it in the header (the class name by default).
    """
    found = describe_validation_error(exc, lambda path: _is_secret_path(cls, path.split(".")))
    return ConfigError.from_errors(f"{where or cls.__name__} is invalid:", found)


def build_config(cls: type[ConfigT], data: Mapping[str, Any], where: str = "") -> ConfigT:
    """Build ``cls`` from ``data``, raising a ConfigError with workbench's lines if invalid.

    Code calling ``Config(...)`` gets pydantic's ``ValidationError``, as with Dagster; run
    config and launch config are read with this, so their errors name every field and a fix.

    Raises:
        ConfigError: every invalid field with its path, secrets hidden.
    """
    try:
        return cls(**data)
    except ValidationError as exc:
        raise invalid_config(cls, exc, where) from None


def _is_secret_path(cls: Any, path: Sequence[Any]) -> bool:
    """Whether a field path (``("creds", "password")``) leads through a secret field."""
    for part in path:
        if not (isinstance(cls, type) and issubclass(cls, BaseModel)):
            return False
        if part not in cls.model_fields:
            return False
        if is_secret_field(cls, str(part)):
            return True
        cls = _config_class_of(cls.model_fields[str(part)].annotation)
    return False


def _validation_error(cls: type[BaseModel], errors: Sequence[Any]) -> ValidationError:
    """Pydantic's error for ``cls``, secret inputs hidden and unknown fields given a suggestion."""
    details: list[Any] = []
    for item in errors:
        loc = tuple(item["loc"])
        message = str(item["msg"])
        if item["type"] == "extra_forbidden" and len(loc) == 1 and "; " not in message:
            known = list(cls.model_fields)
            match = closest(str(loc[0]), known)
            hint = f"did you mean {match!r}?" if match else f"known fields: {', '.join(known)}"
            message = f"{message}; {hint}"
        hidden = _is_secret_path(cls, loc) or isinstance(item["input"], _EnvMixin | SecretStr)
        details.append(
            {
                "type": PydanticCustomError(item["type"], message),
                "loc": loc,
                "input": REDACTED if hidden else item["input"],
            }
        )
    return ValidationError.from_exception_data(cls.__name__, details)


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
    """Build an instance whose env-valued fields wait for a run; check every other field.

    Raises:
        ValidationError: every invalid field, as pydantic reports it.
    """
    cls = type(self)
    data = _with_enum_members(cls, data)
    fields = cls.model_fields
    errors: list[Any] = []
    values: dict[str, Any] = {}
    for name, value in data.items():
        if name not in fields:
            if cls.model_config.get("extra") == "allow":
                values[name] = value
            else:
                errors.append(
                    _error("extra_forbidden", "Extra inputs are not permitted", name, value)
                )
            continue
        if isinstance(value, (*_ENV_TYPES, LaunchDeferred)):
            values[name] = value
        elif type(value) is dict and _contains_env(value):
            field = fields[name]
            discriminator = field.discriminator if isinstance(field.discriminator, str) else None
            target = _config_class_of(field.annotation, value, discriminator)
            if target is None:
                # a dict of values, some read from the environment: checked when resolved
                values[name] = value
                continue
            try:
                values[name] = target(**value)
            except ValidationError as exc:
                errors.extend(_nested(name, exc))
        elif isinstance(value, Config) or not _contains_env(value):
            try:
                values[name] = _field_adapter(cls, name).validate_python(value)
            except ValidationError as exc:
                errors.extend(_nested(name, exc))
        else:
            # a list holding EnvVars: its items are checked when a run resolves them
            values[name] = value
    for name, field in fields.items():
        if name not in values and field.is_required():
            errors.append(_error("missing", "Field required", name, data))
    if errors:
        raise _validation_error(cls, errors)
    built = cls.model_construct(_fields_set=set(data), **values)
    object.__setattr__(self, "__dict__", built.__dict__)
    object.__setattr__(self, "__pydantic_fields_set__", built.__pydantic_fields_set__)
    object.__setattr__(self, "__pydantic_extra__", built.__pydantic_extra__)
    object.__setattr__(self, "__pydantic_private__", built.__pydantic_private__)
    self._has_env = True


_EXTRA = "Extra inputs are not permitted"


def _error(kind: str, message: str, name: str, value: Any) -> dict[str, Any]:
    return {"type": kind, "loc": (name,), "msg": message, "input": value}


def _nested(name: str, exc: ValidationError) -> list[dict[str, Any]]:
    return [{**item, "loc": (name, *item["loc"])} for item in exc.errors(include_url=False)]


def _allows_none(annotation: Any) -> bool:
    return annotation is None or type(None) in getattr(annotation, "__args__", ())


def _with_enum_members(cls: type[BaseModel], data: Any) -> Any:
    """``data`` with each Enum field given by member *name* turned into that member."""
    if not isinstance(data, dict):
        return data
    converted = dict(data)
    for name, field in cls.model_fields.items():
        key = field.alias if field.alias in data else name
        value = data.get(key)
        members = _enum_of(field.annotation) if isinstance(value, str) else None
        if members is None or not isinstance(value, str) or value in members._value2member_map_:
            continue
        if value in members.__members__:
            converted[key] = members[value]
    return converted


def explicit_fields(value: BaseModel) -> dict[str, Any]:
    """The fields given explicitly when ``value`` was built (as written, EnvVars included)."""
    return {name: value.__dict__[name] for name in value.model_fields_set if name in value.__dict__}


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


def _prefix(prefix: str, errors: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(f"{prefix}.{path}" if path else prefix, text) for path, text in errors]


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
            hint = message.partition("; ")[2]
            message = f"unknown field; {hint or 'remove it'}"
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


def env_var_names(value: Any) -> list[str]:
    """The names of the EnvVar objects inside ``value`` (dicts, lists and config walked)."""
    if isinstance(value, _ENV_TYPES):
        return [value.env_var_name]
    if isinstance(value, BaseModel):
        value = value.__dict__
    if isinstance(value, Mapping):
        return [name for item in value.values() for name in env_var_names(item)]
    if isinstance(value, list | tuple):
        return [name for item in value for name in env_var_names(item)]
    return []


def has_env_vars(obj: BaseModel) -> bool:
    """Tell whether any field of ``obj`` (or of its nested config) waits for an EnvVar."""
    return any(_contains_env(value) for value in obj.__dict__.values())
