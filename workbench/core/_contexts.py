"""The contexts resources and IO managers receive: init, output and input contexts."""

from __future__ import annotations

import dataclasses
import logging
from collections import abc
from typing import TYPE_CHECKING, Any

from workbench.errors import DagsterInvariantViolationError

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from workbench.core.asset import AssetKey

__all__ = [
    "InitResourceContext",
    "InputContext",
    "OutputContext",
    "RunHandle",
    "build_init_resource_context",
]


class InitResourceContext:
    """What a resource's setup and teardown hooks receive.

    Attributes:
        resource_key: the key the resource is bound to (None outside a run).
        resource_config: the resource's config, as a dict.
        resources: the other resources of the run, by key.
        run_id: the run being set up (None outside a run).
        log: a logger for the resource.
        instance: the instance the run records into (None outside a run).
    """

    def __init__(
        self,
        *,
        resource_key: str | None = None,
        resource_config: Any = None,
        resources: Mapping[str, Any] | None = None,
        run_id: str | None = None,
        log: logging.Logger | None = None,
        instance: Any = None,
    ) -> None:
        self.resource_key = resource_key
        # a function-style resource's config may be any value its schema allows (a str...)
        given = {} if resource_config is None else resource_config
        self.resource_config: Any = dict(given) if isinstance(given, abc.Mapping) else given
        self.resources = _Resources(resources or {})
        self.run_id = run_id
        self.log = log or logging.getLogger("workbench.resource")
        self.instance = instance

    @property
    def dagster_run(self) -> RunHandle | None:
        """The run being set up, as Dagster names it (``.run_id``); None outside a run."""
        return RunHandle(self.run_id) if self.run_id else None


@dataclasses.dataclass(frozen=True)
class RunHandle:
    """The run a resource is set up for, as ``context.dagster_run`` shows it.

    Attributes:
        run_id: the run's id.
    """

    run_id: str


class _Resources:
    """Attribute access to resources by key; an unknown key names the keys there are."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        object.__setattr__(self, "_values", dict(values))

    def __getattr__(self, name: str) -> Any:
        values = object.__getattribute__(self, "_values")
        try:
            return values[name]
        except KeyError:
            keys = ", ".join(sorted(values)) or "none"
            raise AttributeError(
                f"no resource {name!r} here (resources: {keys}); declare it as a parameter "
                f"annotated with its resource class, or in required_resource_keys"
            ) from None

    def __contains__(self, name: object) -> bool:
        return name in object.__getattribute__(self, "_values")

    def __iter__(self) -> Iterator[str]:
        return iter(object.__getattribute__(self, "_values"))

    def __repr__(self) -> str:
        return f"Resources({', '.join(object.__getattribute__(self, '_values'))})"


def build_init_resource_context(
    config: Any = None,
    resources: Mapping[str, Any] | None = None,
    instance: Any = None,
) -> InitResourceContext:
    """Build a context for calling a resource's lifecycle hooks in a test."""
    return InitResourceContext(resource_config=config, resources=resources, instance=instance)


class OutputContext:
    """What an IO manager's ``handle_output`` receives.

    ``resources`` are the resources of the run (or of the loader) by key; ``resource_config``
    is the IO manager's own config, ``config`` the output's (run config ``outputs``).
    """

    def __init__(
        self,
        *,
        asset_key: AssetKey | None,
        step_key: str,
        name: str,
        run_id: str,
        metadata: Mapping[str, Any] | None = None,
        config: Any = None,
        resources: Mapping[str, Any] | None = None,
        resource_config: Mapping[str, Any] | None = None,
    ) -> None:
        self.asset_key = asset_key
        self.step_key = step_key
        self.name = name
        self.run_id = run_id
        self.metadata = dict(metadata or {})
        self.config = config
        self.resources = _Resources(resources or {})
        self.resource_config = dict(resource_config or {})
        self.output_metadata: dict[str, Any] = {}

    def add_output_metadata(self, metadata: Mapping[str, Any]) -> None:
        """Attach metadata to the materialization this output makes."""
        self.output_metadata.update(metadata)

    @property
    def has_asset_key(self) -> bool:
        """Whether this output is an asset's."""
        return self.asset_key is not None

    def get_identifier(self) -> list[str]:
        """A path that names this output in this run: run id, step, output name."""
        return [self.run_id, self.step_key, self.name]

    def get_asset_identifier(self) -> list[str]:
        """The asset key's parts (asset outputs only)."""
        if self.asset_key is None:
            raise DagsterInvariantViolationError(
                f"output {self.name!r} of step {self.step_key!r} is not an asset's; "
                "use get_identifier()"
            )
        return list(self.asset_key.path)


class InputContext:
    """What an IO manager's ``load_input`` receives (attributes as on OutputContext)."""

    def __init__(
        self,
        *,
        asset_key: AssetKey | None,
        name: str,
        upstream_output: OutputContext | None,
        config: Any = None,
        resources: Mapping[str, Any] | None = None,
        resource_config: Mapping[str, Any] | None = None,
    ) -> None:
        self.asset_key = asset_key
        self.name = name
        self.upstream_output = upstream_output
        self.config = config
        self.resources = _Resources(resources or {})
        self.resource_config = dict(resource_config or {})

    @property
    def has_asset_key(self) -> bool:
        """Whether this input is an asset."""
        return self.asset_key is not None

    def get_identifier(self) -> list[str]:
        """The identifier of the upstream output this input loads."""
        return self._upstream().get_identifier()

    def get_asset_identifier(self) -> list[str]:
        """The asset key's parts of the asset this input loads."""
        if self.asset_key is not None:
            return list(self.asset_key.path)
        return self._upstream().get_asset_identifier()

    def _upstream(self) -> OutputContext:
        if self.upstream_output is None:
            raise DagsterInvariantViolationError(
                f"input {self.name!r} has no upstream output; it is loaded by an input manager"
            )
        return self.upstream_output
