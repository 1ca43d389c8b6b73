"""Loading materialized asset values outside a run, through each asset's IO manager."""

from __future__ import annotations

import contextlib
import os
from typing import TYPE_CHECKING, Any, Self

from workbench.core._resources import prepare_resources
from workbench.core.asset import AssetKey
from workbench.core.config import Config
from workbench.core.instance import default_instance
from workbench.core.legacy import ResourceDefinition
from workbench.core.resource import InputContext, OutputContext
from workbench.errors import DagsterInvariantViolationError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from workbench.core.definitions import Definitions
    from workbench.core.instance import Instance

__all__ = ["AssetValueLoader"]


class AssetValueLoader:
    """Loads asset values through their IO managers, each set up once per ``with`` block.

    Example:
        >>> import workbench as wb
        >>> @wb.asset
        ... def answer() -> int:
        ...     return 42
        >>> defs = wb.Definitions(assets=[answer])
        >>> _ = wb.materialize([answer])
        >>> with defs.get_asset_value_loader() as loader:
        ...     loader.load_asset_value("answer")
        42
    """

    def __init__(self, defs: Definitions, instance: Instance | None = None) -> None:
        self._defs = defs
        self._instance = instance
        self._stack = contextlib.ExitStack()
        self._managers: dict[str, tuple[Any, dict[str, Any], dict[str, Any]]] = {}

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stack.close()
        self._managers.clear()

    def _manager(
        self, key: str, carried: Mapping[str, Any], resource_config: Mapping[str, Any] | None
    ) -> tuple[Any, dict[str, Any], dict[str, Any]]:
        """The IO manager bound to ``key`` (set up once), its resources and its config."""
        if key not in self._managers:
            bindings = {**dict(carried), **self._defs.resources}
            if key not in bindings:
                self._managers[key] = (self._default_manager(key), {}, {})
            else:
                launch = {
                    name: {"config": (section or {}).get("config")}
                    for name, section in (resource_config or {}).items()
                }
                prepared = prepare_resources(bindings, [key], launch, os.environ)
                ready = self._stack.enter_context(prepared.setup(None, [key], None))
                config = _config_of(prepared.resolved.get(key))
                self._managers[key] = (ready[key], dict(ready), config)
        return self._managers[key]

    def _default_manager(self, key: str) -> Any:
        if key != "io_manager":
            raise DagsterInvariantViolationError(
                f"no IO manager is bound to {key!r}; bind one in "
                f"Definitions(resources={{{key!r}: ...}})"
            )
        manager = (self._instance or default_instance()).io_manager
        if manager is None:
            raise DagsterInvariantViolationError(
                "this instance keeps asset values in memory only, so none outlive their run; "
                "use the default instance (WORKBENCH_HOME) or bind an io_manager"
            )
        return manager

    def load_asset_value(
        self,
        asset_key: AssetKey | str | Sequence[str],
        *,
        python_type: type | None = None,
        partition_key: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        resource_config: Mapping[str, Any] | None = None,
    ) -> Any:
        """Load the latest stored value of ``asset_key``.

        ``resource_config`` gives the IO manager's (and its resources') config, as
        ``run_config["resources"]`` would.

        Raises:
            DefinitionError: no asset has that key.
        """
        key = AssetKey.from_coercible(asset_key)
        graph = self._defs.asset_graph
        if key not in graph.assets:
            self._defs.get_assets_def(key)  # raises, naming the keys there are
        owner = graph.assets.get(key)  # None for an AssetSpec: stored by "io_manager"
        if partition_key is not None:
            raise DagsterInvariantViolationError(
                "workbench has no partitions yet; call load_asset_value without partition_key"
            )
        manager_key, carried = graph.storage_of(key)
        manager, resources, config = self._manager(manager_key, carried, resource_config)
        spec = graph.specs.get(key)
        upstream = OutputContext(
            asset_key=key,
            step_key=owner.name if owner else key.to_python_identifier(),
            name=owner.output_names[owner.keys.index(key)] if owner else "result",
            run_id="",
            metadata={**dict(spec.metadata if spec else {}), **dict(metadata or {})},
            resources=resources,
            resource_config=config,
        )
        context = InputContext(
            asset_key=key,
            name=key.to_python_identifier(),
            upstream_output=upstream,
            resources=resources,
            resource_config=config,
        )
        return manager.load_input(context)


def _config_of(value: Any) -> dict[str, Any]:
    """A bound resource's config as its IO manager's ``context.resource_config``."""
    if isinstance(value, ResourceDefinition):
        config = value.resource_config
        return dict(config) if isinstance(config, dict) else {}
    if isinstance(value, Config):
        return value.model_dump()
    return {}
