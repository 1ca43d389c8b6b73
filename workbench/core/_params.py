"""How a step function's parameters are read: context, resources, config or inputs."""

from __future__ import annotations

import enum
import functools
import inspect
import types
import typing
from dataclasses import dataclass
from typing import Any

from workbench.core.config import Config
from workbench.core.context import StepContext
from workbench.core.resource import RESOURCE_PARAM, ConfigurableResource
from workbench.errors import DagsterInvalidDefinitionError

if typing.TYPE_CHECKING:
    from collections.abc import Callable, Iterable

__all__ = ["Param", "Role", "read_params"]


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


def _is_context(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, StepContext)


def read_params(fn: Callable[..., Any], owner: str) -> tuple[Param, ...]:
    """Classify every parameter of a step (asset, op, sensor or schedule) function."""
    signature = _signature(fn)
    hints = _hints(fn, owner, [name for name, _ in signature])
    params: list[Param] = []
    for position, (name, has_default) in enumerate(signature):
        annotation: Any = hints.get(name)
        role = Role.INPUT
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
        elif isinstance(annotation, type) and issubclass(annotation, Config):
            role = Role.CONFIG
        params.append(Param(name, role, annotation, has_default))
    if sum(param.role is Role.CONFIG for param in params) > 1:
        raise DagsterInvalidDefinitionError(
            f"{owner} takes more than one Config parameter; gather them in one Config class"
        )
    return tuple(params)
