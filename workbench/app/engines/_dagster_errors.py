"""Dagster's errors as workbench's, and what a finished Dagster run leaves behind.

Nothing here imports ``dagster``: errors are told apart by their class names, which Dagster
keeps stable (``DagsterInvalidConfigError``, ``DagsterInvalidDefinitionError``, ...).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from workbench.errors import ConfigError, DefinitionError, ExecutionError, WorkbenchError

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["as_workbench_error", "forget_listeners", "translated"]


def as_workbench_error(action: str, exc: Exception) -> WorkbenchError:
    """Dagster's error as workbench's, the original kept as ``__cause__``."""
    # Dagster appends stack traces to its messages; the cause keeps them
    message = str(exc).split("\n\nStack Trace:")[0].strip()
    text = f"{action}: {type(exc).__name__}: {message}"
    name = type(exc).__name__
    if "Config" in name:
        return ConfigError(text)
    if "Definition" in name or "Invariant" in name or "Invocation" in name:
        return DefinitionError(text)
    return ExecutionError(text, run_id="")


def forget_listeners(instance: Any, run_id: str) -> None:
    """Drop a finished run's event listeners: Dagster has no public way, and keeps them all.

    Without this each run's progress callback (and the display it updates) stays alive for
    the kernel's life. Dagster keeps listeners in ``DagsterInstance._subscribers``, a private
    attribute; when a release renames it nothing is dropped, and nothing else changes.
    """
    listeners = getattr(instance, "_subscribers", None)
    if isinstance(listeners, dict):
        listeners.pop(run_id, None)


@contextlib.contextmanager
def translated(action: str) -> Iterator[None]:
    """Raise what Dagster raises inside as workbench's error (ours pass through unchanged)."""
    try:
        yield
    except WorkbenchError:
        raise
    except Exception as exc:
        raise as_workbench_error(action, exc) from exc
