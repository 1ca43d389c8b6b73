"""Calling ops and assets directly, as in unit tests: built contexts and their resources."""

from __future__ import annotations

import contextlib
import copy
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from workbench.core._params import Param, Role
from workbench.core._refused import run_config_error
from workbench.core._resources import initialized
from workbench.core._strict import check_scalars
from workbench.core.config import Config, PrimitiveConfig, build_config
from workbench.core.context import (
    AssetExecutionContext,
    OpExecutionContext,
    StepContext,
    on_context,
)
from workbench.core.plain import from_launch_config
from workbench.core.resource import _Resources
from workbench.errors import (
    ConfigError,
    DagsterInvalidConfigError,
    DagsterInvalidDefinitionError,
    DagsterInvalidInvocationError,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from workbench.core.asset import AssetKey
    from workbench.core.instance import Instance

__all__ = ["build_asset_context", "build_op_context", "build_resources", "invoke"]


@contextlib.contextmanager
def build_resources(
    resources: Mapping[str, Any],
    instance: Instance | None = None,
    resource_config: Mapping[str, Any] | None = None,
) -> Iterator[Any]:
    """Set resources up outside a run, hand them over by attribute, tear them down on exit.

    Example:
        >>> from workbench import ConfigurableResource
        >>> class Greeter(ConfigurableResource):
        ...     greeting: str = "hi"
        >>> with build_resources({"greeter": Greeter()}) as resources:
        ...     resources.greeter.greeting
        'hi'
    """
    with initialized(resources, resource_config) as ready:
        yield _Resources(ready)


def _built_context(
    context_class: type[StepContext],
    name: str,
    resources: Mapping[str, Any] | None,
    resources_config: Mapping[str, Any] | None,
    config: Any,
    asset_keys: tuple[AssetKey, ...] = (),
) -> Any:
    stack = contextlib.ExitStack()
    ready = stack.enter_context(initialized(resources or {}, resources_config))
    context = context_class(
        run_id=uuid.uuid4().hex,
        step_key=name,
        resources=ready,
        op_config=config,
        asset_keys=asset_keys,
    )
    context._close = stack.close
    return context


def build_op_context(
    resources: Mapping[str, Any] | None = None,
    op_config: Any = None,
    resources_config: Mapping[str, Any] | None = None,
    instance: Instance | None = None,
    config: Any = None,
    **unsupported: Any,
) -> OpExecutionContext:
    """A context for calling an op directly: ``my_op(build_op_context(resources={...}))``.

    Resources are set up now and torn down when the context is used as a ``with`` block.
    ``instance`` is accepted for Dagster code and not used: a direct call records nothing.

    Raises:
        DagsterInvalidInvocationError: an argument workbench does not support yet.
    """
    _refuse(unsupported, "build_op_context")
    given = op_config if op_config is not None else config
    built: OpExecutionContext = _built_context(
        OpExecutionContext, "op", resources, resources_config, given
    )
    return built


def build_asset_context(
    resources: Mapping[str, Any] | None = None,
    resources_config: Mapping[str, Any] | None = None,
    asset_config: Any = None,
    instance: Instance | None = None,
    **unsupported: Any,
) -> AssetExecutionContext:
    """A context for calling an asset directly: ``my_asset(build_asset_context(...))``.

    As :func:`build_op_context`; ``asset_config`` is the asset's config.

    Raises:
        DagsterInvalidInvocationError: an argument workbench does not support yet.
    """
    _refuse(unsupported, "build_asset_context")
    built: AssetExecutionContext = _built_context(
        AssetExecutionContext, "asset", resources, resources_config, asset_config
    )
    return built


def _refuse(unsupported: Mapping[str, Any], where: str) -> None:
    if unsupported:
        names = ", ".join(sorted(unsupported))
        raise DagsterInvalidInvocationError(
            f"{where}() does not support {names} yet in workbench; remove it"
        )


def invoke(
    kind: str,
    name: str,
    fn: Callable[..., Any],
    params: Sequence[Param],
    args: Sequence[Any],
    kwargs: Mapping[str, Any],
) -> Any:
    """Call a step function directly, filling resources and config from a given context.

    Raises:
        DagsterInvalidInvocationError: the function takes a context and none was given.
        DagsterInvalidDefinitionError: a resource it needs was given neither as an argument
            nor in the context.
    """
    positional = list(args)
    given = dict(kwargs)
    bound: dict[str, Any] = {}
    context: Any = None
    context_param = next((param for param in params if param.role is Role.CONTEXT), None)
    if context_param is not None:
        if context_param.name in given:
            context = given.pop(context_param.name)
        elif positional:
            context = positional.pop(0)
        else:
            builder = "build_asset_context" if kind == "asset" else "build_op_context"
            raise DagsterInvalidInvocationError(
                f"{kind} {name!r} takes a context ({context_param.name!r}) but none was given; "
                f"call it as {name}({builder}(...), ...)"
            )
        bound[context_param.name] = context
    elif positional and isinstance(positional[0], StepContext):
        context = positional.pop(0)
    available = context.resource_values if isinstance(context, StepContext) else {}
    rest = [param for param in params if param.role is not Role.CONTEXT]
    # resources the context gives are not positional: arguments go to the other parameters
    targets = [
        param for param in rest if not (param.role is Role.RESOURCE and param.name in available)
    ]
    if len(positional) > len(targets):
        raise DagsterInvalidInvocationError(
            f"{kind} {name!r} takes {len(targets)} arguments besides its context and the "
            f"resources the context gives, but was given {len(positional)}"
        )
    bound.update((param.name, value) for param, value in zip(targets, positional, strict=False))
    bound.update(given)
    explicit = {
        param.name: bound[param.name]
        for param in rest
        if param.role is Role.RESOURCE and param.name in bound
    }
    if explicit and available:
        raise DagsterInvalidInvocationError(
            f"{kind} {name!r} was given resources both in its context and as arguments "
            f"({', '.join(sorted(explicit))}); give them in one place only"
        )
    for param in rest:
        if param.name in bound:
            if param.role is Role.CONFIG and _op_config(context) is not None:
                raise DagsterInvalidInvocationError(
                    f"{kind} {name!r} was given config both in its context and as the "
                    f"argument {param.name!r}; give it in one place only"
                )
            continue
        if param.role is Role.RESOURCE:
            if param.name in available:
                bound[param.name] = available[param.name]
            elif not param.has_default:
                raise DagsterInvalidDefinitionError(
                    f"resource {param.name!r} required by {kind} {name!r} was not provided; "
                    f"pass {param.name}=... or build_{kind}_context(resources={{"
                    f"{param.name!r}: ...}})"
                )
        elif param.role is Role.CONFIG and isinstance(context, StepContext):
            bound[param.name] = _config_value(param, context.op_config, f"{kind} {name!r}")
    if explicit and context_param is not None and isinstance(context, StepContext):
        bound[context_param.name] = _with_resources(context, explicit)
    return fn(**bound)


def _with_resources(context: StepContext, resources: Mapping[str, Any]) -> StepContext:
    """A copy of ``context`` whose ``resources`` also hold the ones given as arguments."""
    values = {**context.resource_values, **dict(resources)}
    clone = copy.copy(context)
    clone.resource_values = values
    clone.resources = _Resources({key: on_context(value) for key, value in values.items()})
    return clone


def _op_config(context: Any) -> Any:
    return context.op_config if isinstance(context, StepContext) else None


def _config_value(param: Param, given: Any, owner: str) -> Any:
    """The config a direct call passes: the context's ``op_config`` checked as a run's is.

    Raises:
        DagsterInvalidConfigError: the config does not fit the parameter's type.
    """
    cls = param.annotation
    if isinstance(given, Config) or not (isinstance(cls, type) and issubclass(cls, Config)):
        return given
    primitive = issubclass(cls, PrimitiveConfig)
    if primitive:
        data: Any = {} if given is None else {"value": given}
    elif given is None or isinstance(given, Mapping):
        data = dict(given or {})
    else:
        raise DagsterInvalidConfigError(
            f"{owner} config must map field names to values, got {type(given).__name__}; "
            f"give build_op_context(op_config={{...}})"
        )
    try:
        check_scalars(cls, data)
        built = build_config(cls, from_launch_config(cls, data), f"{owner} config")
    except ConfigError as exc:
        raise run_config_error(
            f"{owner} config is invalid:", exc.errors or [("", str(exc))], [exc]
        ) from None
    return built.value if primitive else built
