"""The notebook session: resources bound by form edits, which the next run uses."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = ["Session", "current_session"]


class Session:
    """Resource overrides applied from forms (or code) for this process.

    A run looks up each resource key here first, so a form's Apply changes what the next
    run receives without touching the user's code.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._overrides: dict[str, Any] = {}
        self._secrets: dict[str, frozenset[str]] = {}
        self.notebook: str | None = None

    def bind(self, resource_key: str, resource: Any, secrets: Iterable[str] = ()) -> None:
        """Make the next runs use ``resource`` for ``resource_key``.

        Args:
            resource_key: the key the resource is bound as.
            resource: the resource the next runs receive.
            secrets: values of ``resource`` that are secret although its class does not say
                so (a value typed for a field the code gives as ``EnvVar``): runs scrub them.
        """
        with self._lock:
            self._overrides[resource_key] = resource
            self._secrets[resource_key] = frozenset(secrets)

    def unbind(self, resource_key: str | None = None) -> None:
        """Drop the override for one key, or for every key."""
        with self._lock:
            if resource_key is None:
                self._overrides.clear()
                self._secrets.clear()
            else:
                self._overrides.pop(resource_key, None)
                self._secrets.pop(resource_key, None)

    @property
    def overrides(self) -> Mapping[str, Any]:
        """The bound overrides, by resource key (a copy)."""
        with self._lock:
            return dict(self._overrides)

    @property
    def secrets(self) -> frozenset[str]:
        """The secret values bound with the overrides (see :meth:`bind`)."""
        with self._lock:
            return frozenset().union(*self._secrets.values())


_session = Session()


def current_session() -> Session:
    """Return this process's session."""
    return _session
