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
    OutputContext,
    ValueT,
)
from workbench.errors import DagsterInvariantViolationError

if TYPE_CHECKING:
    from workbench.core.legacy import IOManagerDefinition

__all__ = [
    "ConfigurableIOManagerFactory",
    "ConfigurableLegacyIOManagerAdapter",
    "FilesystemIOManager",
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
