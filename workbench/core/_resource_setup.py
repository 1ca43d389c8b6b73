"""Setting a run's prepared resources up, nested ones first, and tearing them down."""

from __future__ import annotations

import contextlib
import traceback
from typing import TYPE_CHECKING, Any, Protocol

from workbench.core.config import Config
from workbench.core.legacy import ResourceDefinition
from workbench.core.plain import config_hash, runtime_config
from workbench.core.resource import ConfigurableResource, InitResourceContext
from workbench.core.run import EventType, RunEvent
from workbench.errors import DagsterResourceFunctionError

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["PreparedResources", "RunEvents"]


class PreparedResources:
    """Resources configured and resolved for one run, not yet set up.

    Attributes:
        resolved: each key's resource with launch config applied and EnvVars read.
        snapshot: each key's config as shown and stored: secrets redacted.
        secrets: the secret values in force (see :func:`collect_secrets`).
    """

    def __init__(self) -> None:
        self.resolved: dict[str, Any] = {}
        self.snapshot: dict[str, Any] = {}
        self.secrets: frozenset[str] = frozenset()
        self.links: dict[int, str] = {}
        self._hashes: dict[str, str] = {}

    def hash_of(self, key: str) -> str:
        """A stable hash of a resolved resource's config (secrets only hashed)."""
        if key not in self._hashes:
            value = self.resolved.get(key)
            self._hashes[key] = config_hash(value) if isinstance(value, Config) else "-"
        return self._hashes[key]

    @contextlib.contextmanager
    def setup(self, run: RunEvents | None, keys: Iterable[str], log: Any) -> Any:
        """Set up ``keys`` (nested resources first) and tear all down on exit, in reverse.

        Each setup and teardown is recorded as an event of ``run`` (if any: a sensor's call
        outside a run records none). A teardown that raises is
        logged and recorded, and the others still run: the run's outcome stays what its steps
        made it, as in Dagster.

        Raises:
            DagsterResourceFunctionError: a resource's setup raised (the error is its cause).
        """
        run = run or _Unrecorded()
        run_id = run.run_id
        with contextlib.ExitStack() as stack:
            ready: dict[str, Any] = {}
            # a nested resource that is also bound at top level is set up once, as that key
            by_identity = {**self.links, **{id(value): key for key, value in self.resolved.items()}}

            def enter(key: str | None, value: Any) -> Any:
                if isinstance(value, ResourceDefinition):
                    for needed in sorted(value.required_resource_keys):
                        if needed not in ready and needed in self.resolved:
                            ready[needed] = enter(needed, self.resolved[needed])
                    function_context = InitResourceContext(
                        resource_key=key,
                        resource_config=value.resource_config,
                        resources=dict(ready),
                        run_id=run_id,
                        log=log,
                        instance=run.instance,
                    )
                    return _enter(stack, run, key, value, function_context)
                if not isinstance(value, ConfigurableResource):
                    return value
                updates: dict[str, Any] = {}
                for name, field_value in value.__dict__.items():
                    if isinstance(field_value, ResourceDefinition):
                        updates[name] = enter(by_identity.get(id(field_value)), field_value)
                    elif isinstance(field_value, ConfigurableResource):
                        nested_key = by_identity.get(id(field_value))
                        if nested_key is not None:
                            if nested_key not in ready:
                                ready[nested_key] = enter(
                                    nested_key, self.resolved.get(nested_key, field_value)
                                )
                            updates[name] = ready[nested_key]
                        else:
                            updates[name] = enter(None, field_value)
                instance = value.model_copy(update=updates) if updates else value.model_copy()
                context = InitResourceContext(
                    resource_key=key,
                    resource_config=runtime_config(value),
                    resources=dict(ready),
                    run_id=run_id,
                    log=log,
                    instance=run.instance,
                )
                private = instance.__pydantic_private__
                if private is None:
                    private = {}
                    object.__setattr__(instance, "__pydantic_private__", private)
                private["_workbench_context"] = context
                return _enter(stack, run, key, instance, context)

            for key in keys:
                if key not in ready and key in self.resolved:
                    ready[key] = enter(key, self.resolved[key])
            yield ready


class RunEvents(Protocol):
    """What resource setup records into: the run's id, its event sink and its scrubber."""

    run_id: str
    instance: Any

    def emit(self, event: RunEvent) -> None:
        """Record one event."""

    def scrub(self, text: str) -> str:
        """Replace the secrets in force in ``text``."""


class _Unrecorded:
    """Resources set up outside a run (a sensor or schedule called directly): no events."""

    run_id = ""
    instance = None

    def emit(self, event: RunEvent) -> None:
        """Drop the event: there is no run to record it in."""

    def scrub(self, text: str) -> str:
        """Return ``text``: nothing is recorded, so there is nothing to scrub."""
        return text


def _enter(
    stack: contextlib.ExitStack,
    run: RunEvents,
    key: str | None,
    resource: ConfigurableResource | ResourceDefinition,
    context: InitResourceContext,
) -> Any:
    """Set ``resource`` up on ``stack``; record setup and teardown, refuse a failed setup."""
    label = f"resource {key!r}" if key else f"nested resource {type(resource).__name__}"
    try:
        # inside the try: a generator-based manager may raise before its first yield
        manager = resource.yield_for_execution(context)
        value = manager.__enter__()
    except Exception as exc:
        raise DagsterResourceFunctionError(
            run.scrub(
                f"{label} ({type(resource).__name__}) failed to set up in run {run.run_id}: "
                f"{type(exc).__name__}: {exc}; fix its setup_for_execution or its config"
            ),
            run_id=run.run_id,
        ) from exc
    run.emit(RunEvent(run.run_id, EventType.RESOURCE_SETUP, message=f"{label} set up"))

    def tear_down(*exc_info: Any) -> bool:
        try:
            manager.__exit__(*exc_info)
        except Exception as exc:
            # worded as Dagster words it, so code that searches run events finds it
            message = run.scrub(
                f"Teardown of resources [{key or type(resource).__name__!r}] failed: "
                f"{type(exc).__name__}: {exc} (in {type(resource).__name__}); the run's "
                "outcome is kept"
            )
            context.log.warning("%s", message)
            text = run.scrub("".join(traceback.format_exception(exc)))
            run.emit(
                RunEvent(
                    run.run_id,
                    EventType.RESOURCE_TEARDOWN,
                    message=message,
                    data={"error_type": type(exc).__name__, "traceback": text},
                )
            )
            return False
        run.emit(RunEvent(run.run_id, EventType.RESOURCE_TEARDOWN, message=f"{label} torn down"))
        return False

    stack.push(tear_down)
    return value
