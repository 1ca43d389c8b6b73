"""How a step function's parameters are read: context, resources, config or inputs."""

from __future__ import annotations

import enum
import functools
import inspect
import os
import sys
import types
import typing
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from workbench.core._field_types import check_field_types, check_primitive_config
from workbench.core.config import Config, primitive_config_class
from workbench.core.context import StepContext
from workbench.core.legacy import ResourceDefinition
from workbench.core.resource import RESOURCE_PARAM, ConfigurableResource
from workbench.errors import (
    ConfigArgumentWarning,
    ConfigError,
    DagsterInvalidConfigError,
    DagsterInvalidDefinitionError,
)

if typing.TYPE_CHECKING:
    from collections.abc import Callable, Iterable

__all__ = ["Param", "Role", "read_params", "resource_keys", "with_config_built"]


class Role(enum.Enum):
    """What a parameter receives when the step runs."""

    CONTEXT = "context"
    RESOURCE = "resource"
    CONFIG = "config"
    INPUT = "input"


@dataclass(frozen=True, slots=True)
class Param:
    """One parameter of a step function.

    Attributes:
        name: the parameter's name.
        role: what it receives.
        annotation: the resolved annotation (a resource or Config class, or anything).
        has_default: whether the function gives it a default.
    """

    name: str
    role: Role
    annotation: Any = None
    has_default: bool = False

    @property
    def resource_class(self) -> type[ConfigurableResource] | None:
        """The resource class a resource parameter expects, if it names one."""
        if isinstance(self.annotation, type) and issubclass(self.annotation, ConfigurableResource):
            return self.annotation
        return None


_CONTEXT_NAMES = frozenset({"context", "ctx", "_context", "_"})


@functools.lru_cache(maxsize=4096)
def _compiled(text: str) -> types.CodeType:
    return compile(text, "<annotation>", "eval")


def _hints(fn: Callable[..., Any], owner: str, names: Iterable[str]) -> dict[str, Any]:
    """The parameters' annotations, strings evaluated in the function's module (as typing does).

    Only parameters are read: a return type may be imported for type checking only. Each
    string is compiled once per process; it is evaluated every time, since a notebook may
    have redefined the class it names.
    """
    raw_annotations = getattr(fn, "__annotations__", None) or {}
    namespace = getattr(fn, "__globals__", {})
    hints: dict[str, Any] = {}
    for name in names:
        if name not in raw_annotations:
            continue
        raw = raw_annotations[name]
        if not isinstance(raw, str):
            hints[name] = raw
            continue
        try:
            hints[name] = eval(_compiled(raw), namespace)
        except Exception as exc:
            raise DagsterInvalidDefinitionError(
                f"{owner}: cannot resolve the annotation {raw!r} of parameter {name!r} "
                f"({type(exc).__name__}: {exc}); define or import that name before "
                f"the function"
            ) from exc
    return hints


def _signature(fn: Callable[..., Any]) -> list[tuple[str, bool]]:
    """Each named parameter with whether it has a default (``*args``/``**kwargs`` left out)."""
    code = getattr(fn, "__code__", None)
    if type(fn) is not types.FunctionType or code is None or hasattr(fn, "__wrapped__"):
        return [
            (parameter.name, parameter.default is not parameter.empty)
            for parameter in inspect.signature(fn).parameters.values()
            if parameter.kind not in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD)
        ]
    positional = code.co_varnames[: code.co_argcount]
    keyword_only = code.co_varnames[code.co_argcount : code.co_argcount + code.co_kwonlyargcount]
    first_default = len(positional) - len(fn.__defaults__ or ())
    keyword_defaults = fn.__kwdefaults__ or {}
    return [
        *((name, index >= first_default) for index, name in enumerate(positional)),
        *((name, name in keyword_defaults) for name in keyword_only),
    ]


def _user_stacklevel() -> int:
    """The ``stacklevel`` that points a warning at the user's line, past workbench's frames."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    frame, level = sys._getframe(1), 1
    while frame.f_back is not None and frame.f_code.co_filename.startswith(package):
        frame, level = frame.f_back, level + 1
    return level


def _is_config(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, Config)


def _is_context(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, StepContext)


def read_params(
    fn: Callable[..., Any], owner: str, *, step_context: bool = True
) -> tuple[Param, ...]:
    """Classify every parameter of a step (asset, op, sensor or schedule) function.

    Args:
        fn: the function.
        owner: what to call it in errors (``"op 'load'"``).
        step_context: a first parameter named ``context`` must be an op's or asset's context
            (sensors and schedules, whose contexts differ, pass False).

    Raises:
        DagsterInvalidDefinitionError: a parameter cannot be read (see the message).
    """
    signature = _signature(fn)
    hints = _hints(fn, owner, [name for name, _ in signature])
    params: list[Param] = []
    for position, (name, has_default) in enumerate(signature):
        annotation: Any = hints.get(name)
        role = Role.INPUT
        if step_context and position == 0 and name == "context":
            _check_context_annotation(annotation, owner)
        if (
            _is_context(annotation)
            or (position == 0 and name in _CONTEXT_NAMES and annotation is None)
            or (position == 0 and name == "context")
        ):
            role = Role.CONTEXT
        elif typing.get_origin(annotation) is typing.Annotated and any(
            meta is RESOURCE_PARAM for meta in annotation.__metadata__
        ):
            role = Role.RESOURCE
            annotation = annotation.__origin__
        elif isinstance(annotation, type) and issubclass(annotation, ConfigurableResource):
            role = Role.RESOURCE
        elif isinstance(annotation, type) and issubclass(annotation, ResourceDefinition):
            raise DagsterInvalidDefinitionError(
                f"{owner}: parameter {name!r} is typed with the resource definition class "
                f"{annotation.__name__}, whose value it cannot know; annotate it "
                "ResourceParam[Any] (or the type of the value the resource gives)"
            )
        elif name == "config" and annotation is not None and not _is_config(annotation):
            # Dagster's primitive op config: `def op(config: str = "foo")` (see #12)
            check_primitive_config(annotation, owner)
            role = Role.CONFIG
            default = inspect.signature(fn).parameters[name].default if has_default else ...
            annotation = primitive_config_class(annotation, default, owner)
        elif _is_config(annotation):
            check_field_types(annotation, owner)
            role = Role.CONFIG
            if name != "config":
                # Dagster warns here too; workbench still passes the config (see #12)
                warnings.warn(
                    f"parameter {name!r} of {owner} is typed with the Config class "
                    f"{annotation.__name__}; name it 'config', as Dagster reads config only "
                    "from a parameter of that name",
                    ConfigArgumentWarning,
                    stacklevel=_user_stacklevel(),
                )
        params.append(Param(name, role, annotation, has_default))
    if sum(param.role is Role.CONFIG for param in params) > 1:
        raise DagsterInvalidDefinitionError(
            f"{owner} takes more than one Config parameter; gather them in one Config class"
        )
    return tuple(params)


def _check_context_annotation(annotation: Any, owner: str) -> None:
    """As Dagster: a step's ``context`` is unannotated or typed with a step context class."""
    if annotation is None or _is_context(annotation):
        return
    raise DagsterInvalidDefinitionError(
        f"{owner}: parameter 'context' is annotated {getattr(annotation, '__name__', annotation)!r}"
        "; annotate it AssetExecutionContext or OpExecutionContext, or leave it unannotated"
    )


def resource_keys(
    params: tuple[Param, ...], required_resource_keys: Iterable[str] | None, owner: str
) -> frozenset[str]:
    """The resource keys a step needs: from its parameters, or from the decorator.

    Raises:
        DagsterInvalidDefinitionError: both name resources, which Dagster refuses too.
    """
    from_params = {param.name for param in params if param.role is Role.RESOURCE}
    given = set(required_resource_keys or ())
    if from_params and given:
        raise DagsterInvalidDefinitionError(
            f"{owner} names resources both in required_resource_keys= "
            f"({', '.join(sorted(given))}) and as parameters ({', '.join(sorted(from_params))}); "
            "use one of the two: parameters typed with resource classes, or "
            "context.resources.<key> with required_resource_keys="
        )
    return frozenset(from_params | given)


def with_config_built(
    params: tuple[Param, ...], owner: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """The arguments of a direct call, a config given as a plain dict built into its class.

    ``my_op(config={"n": 3})`` gets ``MyConfig(n=3)``, as Dagster converts it.

    Raises:
        DagsterInvalidConfigError: the dict does not fit the config class.
    """
    from workbench.core.config import build_config
    from workbench.core.plain import from_launch_config

    index = next((i for i, param in enumerate(params) if param.role is Role.CONFIG), None)
    if index is None:
        return args, kwargs
    param = params[index]
    cls = param.annotation

    def build(value: Any) -> Any:
        if not isinstance(value, Mapping):
            return value
        try:
            return build_config(cls, from_launch_config(cls, value), f"{owner} config")
        except ConfigError as exc:
            raise DagsterInvalidConfigError(str(exc), exc.errors) from None

    if index < len(args):
        args = (*args[:index], build(args[index]), *args[index + 1 :])
    elif param.name in kwargs:
        kwargs = {**kwargs, param.name: build(kwargs[param.name])}
    return args, kwargs
