"""``configured``: fix or map the config of a resource definition, a resource class or an op.

``@configured(target)`` decorates a function of one parameter that maps a simpler config to
the target's: its ``Config`` annotation (or ``config_schema=``) is the simpler schema, and it
returns the target's config as a dict, or as a built object (a Config, a resource).
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

from workbench.core._params import Role, _hints
from workbench.core.config import Config, build_config
from workbench.core.job import Op
from workbench.core.legacy import ResourceDefinition
from workbench.core.plain import from_launch_config
from workbench.core.resource import ConfigurableResource, InitResourceContext
from workbench.errors import DagsterInvalidDefinitionError, DagsterInvalidInvocationError

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["configured"]


def configured(
    configurable: Any, config_schema: Any = None, **options: Any
) -> Callable[[Any], Any]:
    """Fix a definition's config, or map it from a simpler config with a function.

    ``configured(db)({"host": "x"})`` fixes a resource definition's config. Decorating
    ``def simple(config: Simple) -> dict`` with ``@configured(Target)`` makes a definition
    whose config is ``Simple``; ``Target`` is a resource definition, a ConfigurableResource
    class or an op (the new op is named after the function).

    Raises:
        DagsterInvalidDefinitionError: the function does not take exactly one parameter, or
            gives a ``config_schema`` beside a Config-annotated parameter.
        DagsterInvalidInvocationError: ``configurable`` cannot be configured.
    """
    if not isinstance(configurable, ResourceDefinition | Op) and not _is_resource_class(
        configurable
    ):
        _unsupported(configurable)
    description = options.get("description")

    def apply(config_or_config_fn: Any) -> Any:
        if not callable(config_or_config_fn):
            if isinstance(configurable, ResourceDefinition):
                return configurable.configured(config_or_config_fn, description=description)
            if _is_resource_class(configurable):
                return _resource_class_definition(
                    configurable, lambda _config: dict(config_or_config_fn), None, description
                )
            raise DagsterInvalidDefinitionError(
                f"configured op {configurable.name!r}: a fixed config is not supported yet in "
                "workbench; decorate a function that returns the op's config instead"
            )
        mapping = config_or_config_fn
        schema = _mapping_schema(mapping, config_schema)
        config_fn = _with_config_built(mapping, schema)
        if isinstance(configurable, ResourceDefinition):
            return configurable.configured(config_fn, schema, description=description)
        if _is_resource_class(configurable):
            return _resource_class_definition(configurable, config_fn, schema, description)
        if isinstance(configurable, Op):
            return _configured_op(configurable, mapping, schema, options.get("name"))
        return _unsupported(configurable)

    return apply


def _unsupported(configurable: Any) -> Any:
    raise DagsterInvalidInvocationError(
        f"configured() takes a resource definition, a ConfigurableResource class or an op, "
        f"got {type(configurable).__name__}; for a ConfigurableResource instance, build it "
        "with the config instead"
    )


def _is_resource_class(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, ConfigurableResource)


def _mapping_schema(mapping: Callable[..., Any], config_schema: Any) -> Any:
    """The simpler config's schema: the parameter's Config class, or ``config_schema``."""
    name = getattr(mapping, "__name__", "the function")
    parameters = list(inspect.signature(mapping).parameters.values())
    if len(parameters) != 1:
        raise DagsterInvalidDefinitionError(
            f"@configured function {name!r} should have exactly one parameter, the config it "
            f"maps; it has {len(parameters)}"
        )
    annotation = _hints(mapping, f"@configured function {name!r}", [parameters[0].name]).get(
        parameters[0].name
    )
    if isinstance(annotation, type) and issubclass(annotation, Config):
        if config_schema is not None:
            raise DagsterInvalidDefinitionError(
                f"Cannot provide config_schema to @configured function with Config-annotated "
                f"param: {name!r} takes {annotation.__name__}, which is its schema already; "
                "remove config_schema="
            )
        return annotation
    return config_schema


def _with_config_built(mapping: Callable[[Any], Any], schema: Any) -> Callable[[Any], Any]:
    """``mapping``, given a built Config object when its schema is a Config class."""
    if not (isinstance(schema, type) and issubclass(schema, Config)):
        return mapping
    cls = schema

    def call(config: Any) -> Any:
        if not isinstance(config, Config):
            config = build_config(cls, from_launch_config(cls, dict(config or {})), "configured")
        return mapping(config)

    return call


def _resource_class_definition(
    resource_class: type[ConfigurableResource],
    config_fn: Callable[[Any], Any],
    schema: Any,
    description: str | None,
) -> ResourceDefinition:
    """A resource definition that builds ``resource_class`` from the mapped config."""
    where = f"configured {resource_class.__name__}"

    def open_resource(context: InitResourceContext) -> Any:
        mapped = config_fn(context.resource_config)
        if isinstance(mapped, ConfigurableResource):
            instance = mapped
        else:
            values = from_launch_config(resource_class, dict(mapped or {}))
            instance = build_config(resource_class, values, where)
        return instance.process_config_and_initialize_cm()

    return ResourceDefinition(
        open_resource, config_schema=schema, description=description or resource_class.__doc__
    )


def _configured_op(op: Op, mapping: Callable[[Any], Any], schema: Any, name: str | None) -> Op:
    """A copy of ``op`` that takes the simpler config and maps it to the op's own."""
    if not (isinstance(schema, type) and issubclass(schema, Config)):
        raise DagsterInvalidDefinitionError(
            f"configured op {op.name!r}: annotate the function's parameter with a Config "
            "class (the simpler config); a config_schema= dict is not supported for ops"
        )
    target = next((param for param in op.params if param.role is Role.CONFIG), None)
    if target is None or not issubclass(target.annotation, Config):
        raise DagsterInvalidDefinitionError(
            f"configured op {op.name!r}: the op takes no Config parameter to map to; give "
            "it a `config: MyConfig` parameter"
        )
    target_class: type[Config] = target.annotation
    owner = f"configured op {op.name!r}"

    def run(**kwargs: Any) -> Any:
        mapped = mapping(kwargs[target.name])
        if not isinstance(mapped, Config):
            mapped = build_config(
                target_class, from_launch_config(target_class, dict(mapped or {})), owner
            )
        return op.fn(**{**kwargs, target.name: mapped})

    signature = inspect.signature(op.fn)
    run.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[
            parameter.replace(annotation=schema) if parameter.name == target.name else parameter
            for parameter in signature.parameters.values()
        ]
    )
    run.__annotations__ = {
        **_hints(op.fn, owner, list(signature.parameters)),
        target.name: schema,
    }
    new_name = name or getattr(mapping, "__name__", None) or op.name
    run.__name__ = new_name
    run.__wrapped__ = op.fn  # type: ignore[attr-defined]
    from_params = {param.name for param in op.params if param.role is Role.RESOURCE}
    return Op(
        run,
        name=new_name,
        ins=op.ins,
        outs=op.outs,
        required_resource_keys=set(op.required_resource_keys) - from_params,
        description=op.description,
        tags=op.tags,
    )
