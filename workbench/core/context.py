"""The context a step receives: run id, resources, config, log and output metadata."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Self

from workbench.core.resource import IAttachDifferentObjectToOpContext, _Resources
from workbench.core.run import EventType, RunEvent
from workbench.errors import DagsterInvariantViolationError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from workbench.core.asset import AssetKey

__all__ = [
    "AssetExecutionContext",
    "OpExecutionContext",
    "RunLog",
    "StepContext",
    "on_context",
]

logger = logging.getLogger("workbench.run")


class RunLog:
    """``context.log``: goes to Python logging (``workbench.run``) and to the run's events.

    Quiet by default: workbench adds no handler, so nothing is printed unless the user
    configures logging.
    """

    def __init__(
        self,
        run_id: str,
        step_key: str | None,
        emit: Callable[[RunEvent], None],
        scrub: Callable[[str], str],
    ) -> None:
        self._run_id = run_id
        self._step_key = step_key
        self._emit = emit
        self._scrub = scrub

    def _log(self, level: int, message: object, *args: object) -> None:
        text = str(message) % args if args else str(message)
        text = self._scrub(text)
        if logger.isEnabledFor(level):
            logger.log(level, "[%s] %s", self._step_key or self._run_id[:8], text)
        self._emit(
            RunEvent(
                self._run_id,
                EventType.LOG,
                step_key=self._step_key,
                message=text,
                data={"level": logging.getLevelName(level)},
            )
        )

    def debug(self, message: object, *args: object) -> None:
        """Log at DEBUG."""
        self._log(logging.DEBUG, message, *args)

    def info(self, message: object, *args: object) -> None:
        """Log at INFO."""
        self._log(logging.INFO, message, *args)

    def warning(self, message: object, *args: object) -> None:
        """Log at WARNING."""
        self._log(logging.WARNING, message, *args)

    warn = warning

    def error(self, message: object, *args: object) -> None:
        """Log at ERROR."""
        self._log(logging.ERROR, message, *args)

    def exception(self, message: object, *args: object) -> None:
        """Log at ERROR (the traceback stays in the step's failure event)."""
        self._log(logging.ERROR, message, *args)

    def critical(self, message: object, *args: object) -> None:
        """Log at CRITICAL."""
        self._log(logging.CRITICAL, message, *args)


def on_context(value: Any) -> Any:
    """What ``context.resources.<key>`` gives for a resource (see IAttachDifferent...)."""
    if isinstance(value, IAttachDifferentObjectToOpContext):
        return value.get_object_to_set_on_execution_context()
    return value


def _nothing() -> None:
    """A context made by a run has no resources of its own to tear down."""


class StepContext:
    """What a step function receives as ``context``.

    Attributes:
        run_id: the run.
        resources: the run's resources by key (``context.resources.my_conn``).
        log: logs to Python logging and the run's events.
        op_config: the step's config as a dict (or None).
        step_key: the step's name.
        resource_values: the resources themselves (``resources`` may show another object
            for a resource that is an IAttachDifferentObjectToOpContext).
    """

    def __init__(
        self,
        *,
        run_id: str,
        step_key: str,
        resources: Mapping[str, Any],
        log: RunLog | None = None,
        op_config: Any = None,
        asset_keys: tuple[AssetKey, ...] = (),
        tags: Mapping[str, str] | None = None,
        output_names: tuple[str, ...] = ("result",),
    ) -> None:
        self.run_id = run_id
        self.step_key = step_key
        self.resources = _Resources({key: on_context(value) for key, value in resources.items()})
        self.resource_values = dict(resources)
        self.log = log or RunLog(run_id, step_key, lambda event: None, lambda text: text)
        self.op_config = op_config
        self.run_tags = dict(tags or {})
        self._asset_keys = asset_keys
        self._output_names = output_names
        self.output_metadata: dict[str, dict[str, Any]] = {}
        self._close: Callable[[], None] = _nothing

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Tear down the resources a built context set up (``build_op_context``)."""
        self._close()

    @property
    def asset_key(self) -> AssetKey:
        """The asset this step materializes (one-asset steps only)."""
        if len(self._asset_keys) != 1:
            keys = ", ".join(key.to_user_string() for key in self._asset_keys) or "none"
            raise DagsterInvariantViolationError(
                f"step {self.step_key!r} materializes {len(self._asset_keys)} assets "
                f"({keys}); use context.asset_keys"
            )
        return self._asset_keys[0]

    @property
    def asset_keys(self) -> tuple[AssetKey, ...]:
        """The assets this step materializes."""
        return self._asset_keys

    @property
    def selected_asset_keys(self) -> set[AssetKey]:
        """The assets this run asks of the step (some of a ``can_subset`` multi_asset's)."""
        return set(self._asset_keys)

    @property
    def selected_output_names(self) -> set[str]:
        """The outputs this run asks of the step (some of a ``can_subset`` multi_asset's)."""
        return set(self._output_names)

    @property
    def op_name(self) -> str:
        """The step's name."""
        return self.step_key

    def add_output_metadata(
        self, metadata: Mapping[str, Any], output_name: str | None = None
    ) -> None:
        """Attach metadata to an output's materialization (the only output by default)."""
        self.output_metadata.setdefault(output_name or "result", {}).update(metadata)

    def get_output_metadata(self, output_name: str = "result") -> dict[str, Any] | None:
        """The metadata added to an output so far, or None if none was added."""
        return self.output_metadata.get(output_name)

    def add_asset_metadata(
        self, metadata: Mapping[str, Any], asset_key: Any = None, partition_key: str | None = None
    ) -> None:
        """Attach metadata to an asset's materialization (the only asset by default).

        Raises:
            DagsterInvariantViolationError: the step does not materialize ``asset_key``.
        """
        from workbench.core.keys import AssetKey, path_hint

        key = self.asset_key if asset_key is None else AssetKey.from_coercible(asset_key)
        if self._asset_keys and key not in self._asset_keys:
            keys = ", ".join(known.to_user_string() for known in self._asset_keys) or "none"
            hint = path_hint(key, self._asset_keys) or f"it materializes: {keys}"
            raise DagsterInvariantViolationError(
                f"step {self.step_key!r} cannot add metadata to {key!r}, which it does not "
                f"materialize; {hint}"
            )
        self.output_metadata.setdefault(f"asset:{key.to_user_string()}", {}).update(metadata)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(run_id={self.run_id!r}, step={self.step_key!r})"


class AssetExecutionContext(StepContext):
    """The context of an asset's step."""


class OpExecutionContext(StepContext):
    """The context of an op's step."""
