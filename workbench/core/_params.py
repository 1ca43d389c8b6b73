"""How a step function's parameters are read: context, resources, config or inputs."""

from __future__ import annotations

import enum
import inspect
import typing
from dataclasses import dataclass
from typing import Any

from workbench.core.config import Config
from workbench.core.resource import RESOURCE_PARAM, ConfigurableResource
from workbench.errors import DefinitionError

if typing.TYPE_CHECKING:
    from collections.abc import Callable

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


def _hints(fn: Callable[..., Any], owner: str) -> dict[str, Any]:
    try:
        return typing.get_type_hints(fn, include_extras=True)
    except Exception:
        hints: dict[str, Any] = {}
        namespace = getattr(fn, "__globals__", {})
        for name, raw in getattr(fn, "__annotations__", {}).items():
            if name == "return":
                continue  # only parameters are read; a return type may be TYPE_CHECKING-only
            if not isinstance(raw, str):
                hints[name] = raw
                continue
            try:
                hints[name] = eval(raw, namespace)
            except Exception as exc:
                raise DefinitionError(
                    f"{owner}: cannot resolve the annotation {raw!r} of parameter {name!r} "
                    f"({type(exc).__name__}: {exc}); define or import that name before "
                    f"the function"
                ) from exc
        return hints


def _is_context(annotation: Any) -> bool:
    from workbench.core.context import StepContext

    return isinstance(annotation, type) and issubclass(annotation, StepContext)


def read_params(fn: Callable[..., Any], owner: str) -> tuple[Param, ...]:
    """Classify every parameter of a step (asset, op, sensor or schedule) function."""
    hints = _hints(fn, owner)
    params: list[Param] = []
    for position, parameter in enumerate(inspect.signature(fn).parameters.values()):
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        annotation: Any = hints.get(parameter.name)
        has_default = parameter.default is not parameter.empty
        role = Role.INPUT
        if (
            _is_context(annotation)
            or (position == 0 and parameter.name in _CONTEXT_NAMES and annotation is None)
            or (position == 0 and parameter.name == "context")
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
        params.append(Param(parameter.name, role, annotation, has_default))
    if sum(param.role is Role.CONFIG for param in params) > 1:
        raise DefinitionError(
            f"{owner} takes more than one Config parameter; gather them in one Config class"
        )
    return tuple(params)
