"""Asset keys: ``AssetKey``, and how keys and names are read from what users write.

As in Dagster, a string is one key part wherever a key is given (``deps=``, ``AssetIn(key=)``,
``AssetKey("a/b")``, ``asset_value("a/b")``); only selections read it as a path
(``AssetSelection.keys("raw/orders")``, ``materialize(..., selection="raw/orders")``, the CLI).
Names made from keys (step, input and output names) must be Dagster names (see #13).
"""

from __future__ import annotations

import keyword
import re
from typing import TYPE_CHECKING, Any

from workbench.errors import DagsterInvalidDefinitionError

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

__all__ = ["AssetKey", "check_name", "input_name_of", "path_hint", "selection_key"]


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
        """Parse the path ``"a/b"`` into ``AssetKey(["a", "b"])``."""
        return cls(text.split("/"))

    @classmethod
    def from_coercible(cls, value: AssetKey | str | Sequence[str]) -> AssetKey:
        """Accept an AssetKey, a string (one part, as in Dagster) or a sequence of parts.

        Example:
            >>> AssetKey.from_coercible("raw/orders"), AssetKey.from_coercible(["raw", "orders"])
            (AssetKey(['raw/orders']), AssetKey(['raw', 'orders']))
        """
        if isinstance(value, AssetKey):
            return value
        if isinstance(value, str):
            return cls([value])
        if isinstance(value, list | tuple):
            return cls(value)
        raise TypeError(
            f"an asset key is an AssetKey, a string or a list of strings, got {value!r} "
            f"({type(value).__name__})"
        )

    def to_user_string(self) -> str:
        """The key as users write it: parts joined by ``/``."""
        return "/".join(self.path)

    def to_python_identifier(self, suffix: str | None = None) -> str:
        """The key as a step name: parts joined by ``__``, ``-`` and ``.`` made ``_``."""
        parts = self.path if suffix is None else (*self.path, suffix)
        return "__".join(parts).replace("-", "_").replace(".", "_")

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


_VALID_NAME = re.compile(r"^[A-Za-z0-9_]+$")
_RESERVED_NAMES = frozenset(
    {"context", "conf", "config", "meta", "arg_dict", "dict", "input_arg_dict"}
    | {"output_arg_dict", "int", "str", "float", "bool", "input", "output", "type"}
    | set(keyword.kwlist)
)


def check_name(name: str, where: str, key: AssetKey | None = None) -> str:
    """Return ``name`` if Dagster accepts it as a step, input or output name.

    Args:
        name: the name.
        where: what it names, for the message (``"@asset 'orders': deps="``).
        key: the asset key it was made from, if any (a ``/`` in a part gets a hint).

    Raises:
        DagsterInvalidDefinitionError: letters, digits and ``_`` only, and no reserved word.
    """
    if name in _RESERVED_NAMES:
        raise DagsterInvalidDefinitionError(
            f"{where}: {name!r} is not a valid name: it is a reserved word in Dagster or "
            "Python; choose another name"
        )
    if _VALID_NAME.match(name):
        return name
    fix = "use letters, digits and _ only"
    if key is not None and any("/" in part for part in key.path):
        path = [piece for part in key.path for piece in part.split("/")]
        fix = (
            f"a string is one key part, so {key!r} is one name; for a key path write "
            f"AssetKey({path!r})"
        )
    raise DagsterInvalidDefinitionError(f"{where}: {name!r} is not a valid name; {fix}")


def input_name_of(key: AssetKey) -> str:
    """The input name Dagster gives a ``deps=`` key: parts joined by ``_``."""
    return "_".join(key.path).replace("-", "_").replace(".", "_")


def selection_key(value: AssetKey | str | Sequence[str]) -> AssetKey:
    """A key named in a selection: there a string is a path, ``"raw/orders"``, as in Dagster."""
    return (
        AssetKey.from_user_string(value)
        if isinstance(value, str)
        else AssetKey.from_coercible(value)
    )


def path_hint(key: AssetKey, known: Iterable[AssetKey]) -> str | None:
    """How to name the key meant when a one-part ``"a/b"`` was given for the path ``a/b``."""
    if len(key.path) != 1 or "/" not in key.path[0]:
        return None
    path = AssetKey.from_user_string(key.path[0])
    if path not in set(known):
        return None
    return (
        f"a string is one key part, so {key.path[0]!r} names {key!r}; "
        f"for the asset {key.path[0]!r} write AssetKey({list(path.path)!r})"
    )
