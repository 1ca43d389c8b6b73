"""IO manager factories and the filesystem IO manager, with Dagster's names."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.core.resource import (
    ConfigurableIOManager,
    ConfigurableResource,
    InitResourceContext,
    InputContext,
    IOManager,
    OutputContext,
    ValueT,
)
from workbench.errors import DagsterInvariantViolationError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from workbench.core.instance import Instance
    from workbench.core.legacy import IOManagerDefinition
    from workbench.core.result import ExecuteInProcessResult

__all__ = [
    "ConfigurableIOManagerFactory",
    "ConfigurableLegacyIOManagerAdapter",
    "FilesystemIOManager",
    "materialize_to_memory",
]


class ConfigurableIOManagerFactory(ConfigurableResource[ValueT]):
    """Configurable resource whose fields configure an IO manager made per run.

    Define ``create_io_manager(context)``; steps store and load through what it returns.
    """

    def create_io_manager(self, context: InitResourceContext) -> Any:
        """Return the IO manager the run uses."""
        raise NotImplementedError(f"{type(self).__name__} must define create_io_manager")

    def create_resource(self, context: InitResourceContext) -> Any:
        """The IO manager, from :meth:`create_io_manager`."""
        return self.create_io_manager(context)


class ConfigurableLegacyIOManagerAdapter(ConfigurableIOManagerFactory[Any]):
    """Configurable fields in front of a function-style IO manager (``@io_manager``).

    Define the ``wrapped_io_manager`` property; its function receives this resource's
    fields as ``context.resource_config``.
    """

    @property
    def wrapped_io_manager(self) -> IOManagerDefinition:
        """The function-style IO manager this adapter configures."""
        raise NotImplementedError(f"{type(self).__name__} must define wrapped_io_manager")

    def create_io_manager(self, context: InitResourceContext) -> Any:
        """Call the wrapped IO manager's function with this resource's fields as config."""
        adapted = InitResourceContext(
            resource_key=context.resource_key,
            resource_config=self.model_dump(),
            run_id=context.run_id,
            log=context.log,
        )
        adapted.resources = context.resources
        return self.wrapped_io_manager(adapted)


class FilesystemIOManager(ConfigurableIOManager):
    """Pickles each output to a file under ``base_dir`` and loads inputs from there.

    Asset values go to ``base_dir/<asset key path>``; op outputs to
    ``base_dir/<run id>/<step>/<output>``.

    Attributes:
        base_dir: the directory (default: ``storage`` in the working directory).
    """

    base_dir: str | None = None

    def _root(self) -> Path:
        return Path(self.base_dir) if self.base_dir else Path.cwd() / "storage"

    def _path(self, context: OutputContext) -> Path:
        if context.asset_key is not None:
            return self._root().joinpath(*context.asset_key.path)
        return self._root() / context.run_id / context.step_key / context.name

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        """Pickle ``obj`` to its file (``None`` from an op stores nothing)."""
        if obj is None and context.asset_key is None:
            return
        path = self._path(context)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pickle.dumps(obj))
        context.add_output_metadata({"path": str(path)})

    def load_input(self, context: InputContext) -> Any:
        """Unpickle the upstream output's file."""
        upstream = context.upstream_output
        if upstream is None:
            raise DagsterInvariantViolationError(
                f"input {context.name!r} has no upstream output to load; give it a value"
            )
        path = self._path(upstream)
        if not path.exists():
            raise DagsterInvariantViolationError(
                f"no stored value for input {context.name!r} at {path}; materialize its "
                "upstream first"
            )
        return pickle.loads(path.read_bytes())


def materialize_to_memory(
    assets: Sequence[Any],
    run_config: Any = None,
    *,
    resources: Mapping[str, Any] | None = None,
    selection: Any = None,
    raise_on_error: bool = True,
    tags: Mapping[str, str] | None = None,
    instance: Instance | None = None,
) -> ExecuteInProcessResult:
    """Materialize assets with every value kept in memory, as a unit test wants.

    No IO manager stores anything: the result holds the values (``result.asset_value(key)``).
    The run is recorded in ``instance`` (default: a fresh one in memory).

    Example:
        >>> from workbench import asset
        >>> @asset
        ... def numbers() -> list[int]:
        ...     return [1, 2]
        >>> materialize_to_memory([numbers]).asset_value("numbers")
        [1, 2]

    Raises:
        DagsterInvariantViolationError: a resource is given for an IO manager key the assets
            use (it would decide where values go, which this function decides).
    """
    from workbench.core.asset import Asset
    from workbench.core.executor import materialize
    from workbench.core.instance import Instance

    manager_keys = {"io_manager"} | {
        key for item in assets if isinstance(item, Asset) for key in item.io_manager_keys.values()
    }
    for key in sorted(manager_keys & set(resources or {})):
        raise DagsterInvariantViolationError(
            f"materialize_to_memory() keeps every value in memory, but a resource is given "
            f"for the IO manager key {key!r}; leave it out, or call materialize() to use it"
        )
    store = (instance or Instance.ephemeral()).run_store
    # as in Dagster, every other IO manager key the assets name keeps its values in memory
    memory = {key: _MemoryIOManager() for key in manager_keys - {"io_manager"}}
    return materialize(
        assets,
        run_config,
        resources={**dict(resources or {}), **memory},
        selection=selection,
        raise_on_error=raise_on_error,
        tags=tags,
        instance=Instance(run_store=store),
    )


class _MemoryIOManager(IOManager):
    """Keeps each output in memory for one run (what materialize_to_memory binds)."""

    def __init__(self) -> None:
        self._values: dict[tuple[Any, ...], Any] = {}

    @staticmethod
    def _key(context: OutputContext) -> tuple[Any, ...]:
        if context.asset_key is not None:
            return ("asset", context.asset_key)
        return (context.run_id, context.step_key, context.name)

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        """Keep ``obj``."""
        self._values[self._key(context)] = obj

    def load_input(self, context: InputContext) -> Any:
        """The kept value of the upstream output."""
        upstream = context.upstream_output
        if upstream is None or self._key(upstream) not in self._values:
            raise DagsterInvariantViolationError(
                f"input {context.name!r}: its upstream value is not in memory; "
                "materialize_to_memory() loads only what the same run computed"
            )
        return self._values[self._key(upstream)]
