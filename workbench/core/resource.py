"""ConfigurableResource, ResourceParam and the IO manager base: resources and their lifecycle."""

from __future__ import annotations

import contextlib
import inspect
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Generic, Self, TypeVar

from pydantic import ValidationError
from typing_extensions import TypeVar as DefaultedTypeVar

from workbench.core._config_errors import _validation_error
from workbench.core._contexts import (
    InitResourceContext,
    InputContext,
    OutputContext,
    RunHandle,
    build_init_resource_context,
)
from workbench.core._contexts import (
    _Resources as _Resources,  # re-exported: contexts of steps, sensors and schedules use it
)
from workbench.core.config import Config, LaunchDeferred, describe_validation_error, is_secret_field
from workbench.core.plain import redact
from workbench.errors import ConfigError, DagsterInvariantViolationError

if TYPE_CHECKING:
    from collections.abc import Generator, Iterator, Mapping

    from workbench.core.legacy import ResourceDefinition


__all__ = [
    "RESOURCE_PARAM",
    "ConfigurableIOManager",
    "ConfigurableResource",
    "IAttachDifferentObjectToOpContext",
    "IOManager",
    "InitResourceContext",
    "InputContext",
    "OutputContext",
    "PartialResource",
    "ResourceDependency",
    "ResourceParam",
    "RunHandle",
    "ValueT",
    "build_init_resource_context",
    "is_resource",
    "nested_resources",
]

T = TypeVar("T")


class _ResourceParamMarker:
    def __repr__(self) -> str:
        return "ResourceParam"


RESOURCE_PARAM = _ResourceParamMarker()

ResourceParam = Annotated[T, RESOURCE_PARAM]
"""Declares a parameter as a resource that is a plain Python object.

Example: ``client: ResourceParam[Client]``.
"""


if TYPE_CHECKING:
    ResourceDependency = Annotated[T, RESOURCE_PARAM]
else:

    class ResourceDependency:
        """A resource field holding a resource that is not a ConfigurableResource.

        ``client: ResourceDependency[Client]`` accepts a plain object or a function-style
        resource definition (set up for the run, its value given to the field).
        """

        def __class_getitem__(cls, item: Any) -> Any:
            return Annotated[Any, RESOURCE_PARAM]


ValueT = DefaultedTypeVar("ValueT", default=Any)
"""What a resource hands to steps: ``ConfigurableResource[str]`` creates a ``str``."""


class ConfigurableResource(Config, Generic[ValueT]):
    """A resource whose fields are its config schema.

    Subclass it, declare config as fields, add methods that use them, and bind an instance
    to a key in ``Definitions(resources=...)``. Hooks run once per run, only for the
    resources the run's steps need.

    Example:
        >>> class Greeter(ConfigurableResource):
        ...     greeting: str = "hello"
        ...     def greet(self, name: str) -> str:
        ...         return f"{self.greeting}, {name}"
        >>> Greeter().greet("ada")
        'hello, ada'
    """

    _kind: ClassVar[str] = "resource"

    def __init__(self, **data: Any) -> None:
        # imported here: the check reads this module's classes
        from workbench.core._field_types import check_field_types

        check_field_types(type(self), type(self).__name__)
        super().__init__(**data)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        """Called once per run before any step uses the resource."""

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        """Called once per run after every step, whether the run succeeded or not."""

    def create_resource(self, context: InitResourceContext) -> Any:
        """Return the object that steps receive; the resource itself by default."""
        return self

    @contextlib.contextmanager
    def yield_for_execution(self, context: InitResourceContext) -> Generator[Any, None, None]:
        """Set up, hand the resource to the run, and tear down, whatever happens.

        A ``create_resource`` that yields hands over what it yields; its code after the
        ``yield`` runs when the run ends.
        """
        self.setup_for_execution(context)
        try:
            created = self.create_resource(context)
            if inspect.isgenerator(created):
                with contextlib.contextmanager(lambda: created)() as value:
                    yield value
            else:
                yield created
        finally:
            self.teardown_after_execution(context)

    @classmethod
    def from_resource_context(cls, context: InitResourceContext) -> Any:
        """Build the resource from a function-style resource's context and set it up.

        For ``@resource(config_schema=MyResource.to_config_schema())`` functions that return
        ``MyResource.from_resource_context(context)``; the teardown does not run (use
        :meth:`from_resource_context_cm` for resources that tear down).
        """
        cls._refuse_teardown("from_resource_context", "from_resource_context_cm")
        instance = cls(**dict(context.resource_config or {})).with_replaced_resource_context(
            context
        )
        instance.setup_for_execution(context)
        return instance.create_resource(context)

    @classmethod
    def _refuse_teardown(cls, method: str, instead: str) -> None:
        """A value handed over without a ``with`` block must not need a teardown."""
        base = ConfigurableResource
        if (
            cls.teardown_after_execution is not base.teardown_after_execution
            or cls.yield_for_execution is not base.yield_for_execution
        ):
            raise DagsterInvariantViolationError(
                f"{cls.__name__} tears down after use, which {method}() would never do; "
                f"use {instead}() in a with block instead"
            )

    @classmethod
    @contextlib.contextmanager
    def from_resource_context_cm(cls, context: InitResourceContext) -> Iterator[Any]:
        """Like :meth:`from_resource_context`, tearing the resource down on exit."""
        instance = cls(**dict(context.resource_config or {})).with_replaced_resource_context(
            context
        )
        with instance.yield_for_execution(context) as value:
            yield value

    def with_replaced_resource_context(self, context: InitResourceContext) -> Self:
        """A copy that answers ``get_resource_context()`` with ``context``."""
        copy = self.model_copy()
        private = copy.__pydantic_private__
        if private is None:
            private = {}
            object.__setattr__(copy, "__pydantic_private__", private)
        private["_workbench_context"] = context
        return copy

    def process_config_and_initialize(self) -> Any:
        """Resolve EnvVars, set the resource up (nested ones first) and return its value.

        The teardown does not run; use :meth:`process_config_and_initialize_cm` for that.
        """
        type(self)._refuse_teardown(
            "process_config_and_initialize", "process_config_and_initialize_cm"
        )
        with self.process_config_and_initialize_cm() as value:
            return value

    @contextlib.contextmanager
    def process_config_and_initialize_cm(self) -> Iterator[Any]:
        """Resolve EnvVars, set the resource up, yield its value and tear it down on exit."""
        from workbench.core._resources import initialized

        with initialized({"resource": self}) as ready:
            yield ready["resource"]

    def get_resource_definition(self) -> ResourceDefinition:
        """This resource as a function-style :class:`ResourceDefinition` (as Dagster has it).

        Binding the definition sets this resource up and tears it down exactly as binding
        the resource itself does.
        """
        from workbench.core.legacy import ResourceDefinition

        def open_resource(context: InitResourceContext) -> Any:
            return self.with_replaced_resource_context(context).yield_for_execution(context)

        return ResourceDefinition(open_resource, description=type(self).__doc__)

    @classmethod
    def configure_at_launch(cls, **partial: Any) -> PartialResource[Any]:
        """Bind this resource class with config given (in part or whole) when a run launches."""
        return PartialResource(cls, partial)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        """Show the resource's config as a table, secrets masked and EnvVars by name."""
        from html import escape

        config = redact(self)
        name = type(self).__name__
        lines = [f"{name}"] + [f"  {field}: {value!r}" for field, value in config.items()]
        rows = "".join(
            f"<tr><td><code>{escape(field)}</code></td><td><code>{escape(repr(value))}</code>"
            "</td></tr>"
            for field, value in config.items()
        )
        html = f"<div><b>{escape(name)}</b><table>{rows}</table></div>"
        return {"text/plain": "\n".join(lines), "text/html": html}

    def get_resource_context(self) -> InitResourceContext:
        """Return the context the resource was set up with in the current run."""
        context = (
            self.__pydantic_private__.get("_workbench_context")
            if (self.__pydantic_private__)
            else None
        )
        if context is None:
            raise ConfigError(
                f"{type(self).__name__} has no resource context outside a run; "
                "call get_resource_context() from setup_for_execution or a step"
            )
        return context  # type: ignore[no-any-return]


class PartialResource(LaunchDeferred, Generic[T]):
    """A resource class whose config is completed when a run launches.

    Nested in another resource (``S3(creds=Creds.configure_at_launch())``), it must also be
    bound at top level, as in Dagster: the run completes it there and passes it in.
    """

    def __init__(self, resource_class: type[ConfigurableResource], partial: Mapping[str, Any]):
        self.resource_class = resource_class
        self.partial = dict(partial)

    def complete(
        self, config: Mapping[str, Any] | None, where: str, key: str | None = None
    ) -> ConfigurableResource:
        """Build the resource from the partial config and the launch config.

        Raises:
            ConfigError: every invalid or missing field, plus an example of the run config
                that gives the missing ones.
        """
        data = {**self.partial, **dict(config or {})}
        cls = self.resource_class
        try:
            return cls(**data)
        except (ValidationError, ConfigError) as exc:
            if isinstance(exc, ValidationError):
                errors = describe_validation_error(
                    exc,
                    lambda path: (
                        path.split(".")[0] in cls.model_fields
                        and is_secret_field(cls, path.split(".")[0])
                    ),
                )
            else:
                errors = list(exc.errors)
            missing = [
                name
                for name, field in cls.model_fields.items()
                if field.is_required() and name not in data
            ]
            if missing:
                # see #2: a launch-configured resource names the run config that completes it
                example = {"resources": {key or "KEY": {"config": dict.fromkeys(missing, "...")}}}
                errors.append(
                    (
                        "",
                        f"{cls.__name__} is configured at launch; give its config in the "
                        f"run config, for example {example!r}",
                    )
                )
            error = ConfigError.from_errors(
                f"{where} ({cls.__name__}) is configured at launch and its config is invalid; "
                f"give it under resources: {{key: {{config: ...}}}}:",
                errors,
            )
            if isinstance(exc, ValidationError) and not missing:
                # what refused it, secret inputs hidden, when nothing is missing (see #12)
                error.validation_error = _validation_error(cls, exc.errors(include_url=False))
            raise error from None

    def __repr__(self) -> str:
        return f"{self.resource_class.__name__}.configure_at_launch()"


class IOManager:
    """Stores step outputs and loads step inputs (the interface every IO manager has)."""

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        """Store ``obj``, the output described by ``context``."""
        raise NotImplementedError(f"{type(self).__name__} must define handle_output")

    def load_input(self, context: InputContext) -> Any:
        """Load the value of the upstream output described by ``context``."""
        raise NotImplementedError(f"{type(self).__name__} must define load_input")


class ConfigurableIOManager(ConfigurableResource, IOManager):
    """A resource that stores step outputs and loads step inputs.

    Bind it to ``"io_manager"`` (the default for every asset) or to an asset's
    ``io_manager_key``.
    """


class IAttachDifferentObjectToOpContext:
    """A resource that shows steps' ``context.resources`` another object than itself.

    A parameter annotated with the resource still receives the resource; only
    ``context.resources.<key>`` receives what ``get_object_to_set_on_execution_context``
    returns (say, a client the resource holds).
    """

    def get_object_to_set_on_execution_context(self) -> Any:
        """The object ``context.resources.<key>`` gives."""
        raise NotImplementedError(
            f"{type(self).__name__} must define get_object_to_set_on_execution_context"
        )


def nested_resources(bound: ConfigurableResource) -> dict[str, Any]:
    """The fields of ``bound`` given resources: dependencies, which config never replaces."""
    from workbench.core.config import explicit_fields
    from workbench.core.legacy import ResourceDefinition

    return {
        name: item
        for name, item in explicit_fields(bound).items()
        if isinstance(item, ConfigurableResource | ResourceDefinition | PartialResource)
    }


def is_resource(value: Any) -> bool:
    """Tell whether ``value`` is a workbench resource (configured or configured at launch)."""
    return isinstance(value, ConfigurableResource | PartialResource)
