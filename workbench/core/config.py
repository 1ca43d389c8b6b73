"""Config, PermissiveConfig and EnvVar: typed config, secrets and their redaction.

A field given as ``EnvVar("NAME")`` keeps the variable's *name* until a run starts; then
:func:`resolve` reads the environment and validates the real value. Reading such a field
outside a run gives the variable's value, or a :class:`ConfigError` if it is not set: never
the variable's name.
"""

from __future__ import annotations

import enum
import os
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Self, TypeVar, cast

import pydantic
from pydantic import BaseModel, ConfigDict, SecretStr, TypeAdapter, ValidationError

from workbench.core._config_errors import (
    REDACTED,
    _validation_error,
    build_config,
    describe_validation_error,
    invalid_config,
    is_secret_field,
    mark_secret,
    marked_secret,
)
from workbench.core._config_errors import (
    SECRET_MARK as SECRET_MARK,  # re-exported: fields reads it from here
)
from workbench.core._config_errors import (
    _prefix as _prefix,  # re-exported: resolve reads it from here
)
from workbench.core.env_var import (
    _ENV_TYPES as _ENV_TYPES,  # re-exported: plain, resolve and secrets read it from here
)
from workbench.core.env_var import (
    EnvVar,
    IntEnvVar,
    _convert_env,
    _EnvMixin,
    env_var_names,
)
from workbench.errors import ConfigError, DagsterInvalidInvocationError

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

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
    "explicit_fields",
    "has_env_vars",
    "invalid_config",
    "is_secret_field",
    "mark_secret",
    "marked_secret",
    "primitive_config_class",
]


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
        from workbench.core.config_schema import ConfigType, Field

        fields: dict[str, Any] = {}
        for name, info in cls.model_fields.items():
            required = info.is_required()
            kind: Any = info.annotation
            if isinstance(kind, type) and issubclass(kind, Config):
                kind = ConfigType(kind)  # nested: its own ``fields``, as Dagster's Shape has
            fields[info.alias or name] = (
                Field(kind, is_required=True, description=info.description)
                if required
                else Field(
                    kind,
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


def _read_outside_run(owner: Config, field: str, value: EnvVar | IntEnvVar) -> Any:
    raw = os.environ.get(value.env_var_name)
    if raw is None:
        raise ConfigError(
            f"{type(owner).__name__}.{field} reads environment variable "
            f"{value.env_var_name!r}, which is not set; set {value.env_var_name} or pass "
            f"{field}=... directly"
        )
    return _convert_env(value, raw, field)


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


def _enum_of(annotation: Any) -> type[enum.Enum] | None:
    for candidate in (annotation, *getattr(annotation, "__args__", ())):
        if isinstance(candidate, type) and issubclass(candidate, enum.Enum):
            return candidate
    return None


def has_env_vars(obj: BaseModel) -> bool:
    """Tell whether any field of ``obj`` (or of its nested config) waits for an EnvVar."""
    return any(_contains_env(value) for value in obj.__dict__.values())
