"""The notebook session: resources bound by form edits, which the next run uses."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["Session", "current_session"]


class Session:
    """Resource overrides applied from forms (or code) for this process.

    A run looks up each resource key here first, so a form's Apply changes what the next
    run receives without touching the user's code.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._overrides: dict[str, Any] = {}
        self._saved_at: dict[str, float] = {}
        self.notebook: str | None = None

    def bind(self, resource_key: str, resource: Any, *, saved_at: float | None = None) -> None:
        """Make the next runs use ``resource`` for ``resource_key``.

        Args:
            resource_key: the key to bind.
            resource: the resource the next runs get.
            saved_at: when the edit this resource comes from was saved (seconds since the
                epoch), for forms to say how old it is; None when it is not saved, or the
                time is unknown.
        """
        with self._lock:
            self._overrides[resource_key] = resource
            if saved_at is None:
                self._saved_at.pop(resource_key, None)
            else:
                self._saved_at[resource_key] = saved_at

    def unbind(self, resource_key: str | None = None) -> None:
        """Drop the override for one key, or for every key."""
        with self._lock:
            if resource_key is None:
                self._overrides.clear()
                self._saved_at.clear()
            else:
                self._overrides.pop(resource_key, None)
                self._saved_at.pop(resource_key, None)

    def saved_at(self, resource_key: str) -> float | None:
        """When the edit bound to ``resource_key`` was saved, if it was and that is known."""
        with self._lock:
            return self._saved_at.get(resource_key)

    @property
    def overrides(self) -> Mapping[str, Any]:
        """The bound overrides, by resource key (a copy)."""
        with self._lock:
            return dict(self._overrides)


_session = Session()


def current_session() -> Session:
    """Return this process's session."""
    return _session
