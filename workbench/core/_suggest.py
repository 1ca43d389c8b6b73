"""Suggestions for names that do not exist: "did you mean", or the names there are."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["closest", "unknown_name"]


def closest(name: str, known: Iterable[str]) -> str | None:
    """The known name closest to ``name``, if one is close enough to suggest."""
    found = difflib.get_close_matches(name, list(known), n=1)
    return found[0] if found else None


def unknown_name(kind: str, name: str, known: Iterable[str], *, none: str | None = None) -> str:
    """``no KIND named NAME; did you mean ...?`` (or the names defined, or that none are)."""
    names = sorted(known)
    match = closest(name, names)
    if match is not None:
        hint = f"did you mean {match!r}?"
    elif names:
        hint = f"defined: {', '.join(names)}"
    else:
        hint = none or f"no {kind}s are defined"
    return f"no {kind} named {name!r}; {hint}"
