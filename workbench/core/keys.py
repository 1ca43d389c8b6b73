"""Asset keys: ``AssetKey`` and how keys are read from what users write."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

    from workbench.core.asset import Asset
    from workbench.core.specs import AssetSpec

__all__ = ["AssetKey"]


_set = object.__setattr__


class AssetKey:
    """An asset's key: a path of one or more parts, shown as ``"raw/orders"``.

    Example:
        >>> AssetKey(["raw", "orders"]).to_user_string()
        'raw/orders'
    """

    __slots__ = ("_hash", "path")

    path: tuple[str, ...]
    _hash: int

    def __init__(self, path: str | Sequence[str]) -> None:
        parts = (path,) if type(path) is str else tuple(path)
        if not parts or "" in parts or not all(type(part) is str for part in parts):
            if not all(isinstance(part, str) for part in parts) or not parts or "" in parts:
                raise TypeError(f"AssetKey needs one or more non-empty strings, got {path!r}")
            parts = tuple(str(part) for part in parts)  # str subclasses become plain str
        _set(self, "path", parts)
        _set(self, "_hash", hash(parts))

    @classmethod
    def from_user_string(cls, text: str) -> AssetKey:
        """Parse ``"a/b"`` into ``AssetKey(["a", "b"])``."""
        return cls(text.split("/"))

    @classmethod
    def from_coercible(cls, value: AssetKey | str | Sequence[str] | AssetSpec | Asset) -> AssetKey:
        """Accept an AssetKey, a string (``"a/b"`` splits), a list of parts, a spec or an asset."""
        from workbench.core.asset import Asset
        from workbench.core.specs import AssetSpec

        if isinstance(value, AssetKey):
            return value
        if isinstance(value, str):
            return cls.from_user_string(value)
        if isinstance(value, AssetSpec | Asset):
            return value.key
        return cls(value)

    def to_user_string(self) -> str:
        """The key as users write it: parts joined by ``/``."""
        return "/".join(self.path)

    def to_python_identifier(self) -> str:
        """The key as a step name: parts joined by ``__``."""
        return "__".join(self.path)

    def with_prefix(self, prefix: str | Sequence[str]) -> AssetKey:
        """This key under a prefix."""
        head = (prefix,) if isinstance(prefix, str) else tuple(prefix)
        return AssetKey((*head, *self.path))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("AssetKey is immutable")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AssetKey) and other.path == self.path

    def __hash__(self) -> int:
        return self._hash

    def __lt__(self, other: AssetKey) -> bool:
        return self.path < other.path

    def __repr__(self) -> str:
        return f"AssetKey({list(self.path)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (AssetKey, (self.path,))
