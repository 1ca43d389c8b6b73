"""The function-style resource API that codebases still mix with Pythonic resources.

``@resource`` and ``@io_manager`` turn a function of an :class:`InitResourceContext` into a
:class:`ResourceDefinition`; ``configured`` (module ``_configured``) fixes or maps its config;
``with_resources`` binds resources to assets. They run through the same lifecycle as
``ConfigurableResource``: set up once per run, torn down after it (a generator function's code
after ``yield`` is its teardown).
"""

from __future__ import annotations

import contextlib
import inspect
from typing import TYPE_CHECKING, Any, overload

from workbench.core.config_schema import validate_config
from workbench.core.resource import (
    ConfigurableResource,
    InitResourceContext,
    PartialResource,
    nested_resources,
)
from workbench.errors import DagsterInvalidInvocationError

if TYPE_CHECKING:
    from collections.abc import Callable, Generator, Iterable, Mapping, Sequence

__all__ = [
    "IOManagerDefinition",
    "ResourceDefinition",
    "io_manager",
    "resource",
    "with_resources",
]

_NOT_GIVEN: Any = object()


class ResourceDefinition:
    """A resource made by a function of its init context (Dagster's function-style API).

    Attributes:
        resource_fn: the function; it returns the resource, or yields it and then tears down.
        config_schema: the config it takes (a type, a ``Field``, a dict of them, or None).
        description: shown in listings.
        required_resource_keys: other resources it needs (``context.resources.<key>``).
        version: a version string (kept for Dagster code that sets it).

    Example:
        >>> greeting = ResourceDefinition.hardcoded_resource("hello")
        >>> greeting(None)
        'hello'
    """

    def __init__(
        self,
        resource_fn: Callable[..., Any],
        config_schema: Any = None,
        description: str | None = None,
        required_resource_keys: Iterable[str] | None = None,
        version: str | None = None,
    ) -> None:
        self.resource_fn = resource_fn
        self.config_schema = config_schema
        self.description = description
        self.required_resource_keys = frozenset(required_resource_keys or ())
        self.version = version
        self._config: Any = _NOT_GIVEN
        self._config_fn: Callable[[Any], Any] | None = None
        self._parent: ResourceDefinition | None = None

    @staticmethod
    def hardcoded_resource(value: Any, description: str | None = None) -> ResourceDefinition:
        """A resource that is always ``value``."""
        return ResourceDefinition(lambda _context: value, description=description)

    @staticmethod
    def none_resource(description: str | None = None) -> ResourceDefinition:
        """A resource that is always None (a placeholder for a key some code requires)."""
        return ResourceDefinition.hardcoded_resource(None, description)

    @staticmethod
    def mock_resource(description: str | None = None) -> ResourceDefinition:
        """A resource that is a ``unittest.mock.MagicMock`` (for tests of code that needs one)."""
        from unittest import mock

        return ResourceDefinition.hardcoded_resource(mock.MagicMock(), description)

    @staticmethod
    def string_resource(description: str | None = None) -> ResourceDefinition:
        """A resource that is its own config, a string."""
        return ResourceDefinition(
            lambda context: context.resource_config, config_schema=str, description=description
        )

    def configured(
        self,
        config_or_config_fn: Any,
        config_schema: Any = None,
        description: str | None = None,
    ) -> ResourceDefinition:
        """A copy whose config is fixed, or computed by a function from a new schema.

        Args:
            config_or_config_fn: the config, or a function from the new schema's config to it.
            config_schema: the schema the function's input follows (with a function only).
            description: a new description.
        """
        clone = self._copy()
        clone.description = description or self.description
        clone._parent = self
        if callable(config_or_config_fn):
            clone.config_schema = config_schema
            clone._config_fn = config_or_config_fn
        else:
            clone.config_schema = None
            clone._config = self._validated(config_or_config_fn, "configured resource")
        return clone

    def _copy(self) -> ResourceDefinition:
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        return clone

    def _validated(self, config: Any, where: str) -> Any:
        if self._config is not _NOT_GIVEN:
            return self._config
        value = validate_config(self.config_schema, config, where)
        if self._config_fn is not None and self._parent is not None:
            return self._parent._validated(self._config_fn(value), where)
        return value

    def with_config(self, config: Any, where: str) -> ResourceDefinition:
        """A copy bound to ``config`` from run config, validated against the schema.

        Raises:
            DagsterInvalidConfigError: the config does not fit the schema.
        """
        if self._config is not _NOT_GIVEN and config:
            from workbench.errors import DagsterInvalidConfigError

            raise DagsterInvalidConfigError(
                f"{where} is configured already and takes no run config; remove its config"
            )
        clone = self._copy()
        clone._config = self._validated(config, where)
        return clone

    @property
    def resource_config(self) -> Any:
        """The config this definition is bound to (None before a run gives it)."""
        return None if self._config is _NOT_GIVEN else self._config

    @contextlib.contextmanager
    def yield_for_execution(self, context: InitResourceContext) -> Generator[Any, None, None]:
        """Make the resource for a run, and tear it down (a generator's rest) afterwards."""
        made = self._call(context)
        if inspect.isgenerator(made):
            with contextlib.contextmanager(lambda: made)() as value:
                yield value
        elif isinstance(made, contextlib.AbstractContextManager) and not isinstance(
            made, ConfigurableResource
        ):
            with made as value:
                yield value
        else:
            yield made

    def _call(self, context: InitResourceContext | None) -> Any:
        takes_context = bool(inspect.signature(self.resource_fn).parameters)
        if not takes_context:
            return self.resource_fn()
        return self.resource_fn(context)

    def __call__(self, context: InitResourceContext | None = None) -> Any:
        """Call the resource function directly, as in a unit test."""
        if context is None and inspect.signature(self.resource_fn).parameters:
            context = InitResourceContext(resource_config=self.resource_config)
        if context is not None and not isinstance(context, InitResourceContext):
            raise DagsterInvalidInvocationError(
                f"a resource function takes an InitResourceContext, got "
                f"{type(context).__name__}; build one with build_init_resource_context(config=...)"
            )
        if context is not None and self.config_schema is not None and context.resource_config:
            config = validate_config(self.config_schema, context.resource_config, "resource")
            validated = InitResourceContext(
                resource_key=context.resource_key,
                resource_config=config,
                run_id=context.run_id,
                log=context.log,
            )
            validated.resources = context.resources
            context = validated
        return self._call(context)

    def __repr__(self) -> str:
        name = getattr(self.resource_fn, "__name__", "resource")
        return f"<{type(self).__name__} {name}>"


class IOManagerDefinition(ResourceDefinition):
    """A resource definition whose value is an IO manager (what ``@io_manager`` returns).

    Attributes:
        input_config_schema: the config of each input it loads (kept, not checked).
        output_config_schema: the config of each output it stores (kept, not checked).
    """

    def __init__(
        self,
        resource_fn: Callable[..., Any],
        config_schema: Any = None,
        description: str | None = None,
        required_resource_keys: Iterable[str] | None = None,
        version: str | None = None,
        input_config_schema: Any = None,
        output_config_schema: Any = None,
    ) -> None:
        super().__init__(
            resource_fn,
            config_schema=config_schema,
            description=description,
            required_resource_keys=required_resource_keys,
            version=version,
        )
        self.input_config_schema = input_config_schema
        self.output_config_schema = output_config_schema

    @staticmethod
    def hardcoded_io_manager(value: Any, description: str | None = None) -> IOManagerDefinition:
        """An IO manager definition that is always ``value``."""
        return IOManagerDefinition(lambda _context: value, description=description)


def _definition_decorator(
    kind: type[ResourceDefinition], fn: Callable[..., Any] | None, options: dict[str, Any]
) -> Any:
    def decorate(function: Callable[..., Any]) -> ResourceDefinition:
        definition = kind(function, **options)
        definition.__doc__ = function.__doc__
        return definition

    return decorate(fn) if fn is not None else decorate


@overload
def resource(fn: Callable[..., Any], /) -> ResourceDefinition: ...


@overload
def resource(
    fn: None = None,
    /,
    *,
    config_schema: Any = None,
    description: str | None = None,
    required_resource_keys: Iterable[str] | None = None,
    version: str | None = None,
) -> Callable[[Callable[..., Any]], ResourceDefinition]: ...


def resource(
    fn: Callable[..., Any] | None = None,
    /,
    *,
    config_schema: Any = None,
    description: str | None = None,
    required_resource_keys: Iterable[str] | None = None,
    version: str | None = None,
) -> Any:
    """Declare a resource as a function of its init context (Dagster's function-style API).

    Example:
        >>> @resource(config_schema={"prefix": str})
        ... def labeller(context):
        ...     return lambda text: context.resource_config["prefix"] + text
        >>> labeller(InitResourceContext(resource_config={"prefix": "> "}))("hi")
        '> hi'
    """
    return _definition_decorator(
        ResourceDefinition,
        fn,
        {
            "config_schema": config_schema,
            "description": description,
            "required_resource_keys": required_resource_keys,
            "version": version,
        },
    )


def io_manager(
    fn: Callable[..., Any] | None = None,
    /,
    *,
    config_schema: Any = None,
    description: str | None = None,
    required_resource_keys: Iterable[str] | None = None,
    version: str | None = None,
    input_config_schema: Any = None,
    output_config_schema: Any = None,
) -> Any:
    """Declare an IO manager as a function of its init context that returns an IOManager."""
    return _definition_decorator(
        IOManagerDefinition,
        fn,
        {
            "config_schema": config_schema,
            "description": description,
            "required_resource_keys": required_resource_keys,
            "version": version,
            "input_config_schema": input_config_schema,
            "output_config_schema": output_config_schema,
        },
    )


def with_resources(
    definitions: Sequence[Any],
    resource_defs: Mapping[str, Any],
    resource_config_by_key: Mapping[str, Any] | None = None,
) -> list[Any]:
    """Bind resources to assets: each asset gets the ones it does not bind itself.

    Args:
        definitions: assets (and asset specs, which are returned unchanged).
        resource_defs: resources by key.
        resource_config_by_key: ``{key: {"config": {...}}}`` applied to those resources.
    """
    from workbench.core.asset import Asset

    bound = dict(resource_defs)
    for key, section in (resource_config_by_key or {}).items():
        config = (section or {}).get("config")
        value = bound.get(key)
        if isinstance(value, ResourceDefinition):
            bound[key] = value.configured(config)
        elif isinstance(value, PartialResource):
            bound[key] = value.resource_class(**{**value.partial, **dict(config or {})})
        elif isinstance(value, ConfigurableResource):
            # as run config does: the config replaces the constructor's (see #12)
            bound[key] = type(value)(**{**nested_resources(value), **dict(config or {})})
    result: list[Any] = []
    for item in definitions:
        if isinstance(item, Asset):
            clone = object.__new__(Asset)
            clone.__dict__.update(item.__dict__)
            clone.resource_defs = {**bound, **item.resource_defs}
            result.append(clone)
        else:
            result.append(item)
    return result
