"""Where runs are recorded and asset values kept: the instance a run uses by default."""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workbench.core.run import InMemoryRunStore, RunStore

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

__all__ = ["Instance", "default_instance", "instance_for_test", "set_default_instance_factory"]


@dataclass
class Instance:
    """A run store plus the IO manager assets use when none is bound to ``io_manager``.

    Attributes:
        run_store: where runs and events are recorded.
        io_manager: the default IO manager for asset values; None keeps them in memory only.
    """

    run_store: RunStore
    io_manager: Any = None

    @classmethod
    def ephemeral(cls) -> Instance:
        """An instance that keeps everything in this process's memory."""
        return cls(run_store=InMemoryRunStore())


_lock = threading.Lock()
_factory: Callable[[], Instance] = Instance.ephemeral
_default: Instance | None = None


def set_default_instance_factory(factory: Callable[[], Instance]) -> None:
    """Choose how the default instance is made; the next :func:`default_instance` uses it."""
    global _factory, _default
    with _lock:
        _factory = factory
        _default = None


def default_instance() -> Instance:
    """Return the process's default instance, made on first use."""
    global _default
    with _lock:
        if _default is None:
            _default = _factory()
        return _default


def reset_default_instance() -> None:
    """Forget the default instance (its home may have changed); the next use makes a new one."""
    global _default
    with _lock:
        _default = None


@contextlib.contextmanager
def instance_for_test(temp_dir: str | None = None) -> Iterator[Instance]:
    """An instance in a temporary home, and the default one while the block runs.

    ``WORKBENCH_HOME`` points at the temporary home inside the block and is restored after.
    """
    with tempfile.TemporaryDirectory(prefix="workbench-test-") as made:
        before = os.environ.get("WORKBENCH_HOME")
        os.environ["WORKBENCH_HOME"] = temp_dir or made
        reset_default_instance()
        try:
            yield default_instance()
        finally:
            if before is None:
                os.environ.pop("WORKBENCH_HOME", None)
            else:
                os.environ["WORKBENCH_HOME"] = before
            reset_default_instance()
