"""Short reprs for messages: a huge value is never formatted whole (see #11)."""

from __future__ import annotations

import reprlib
from typing import Any

__all__ = ["short_repr"]


class _ShortRepr(reprlib.Repr):
    def __init__(self) -> None:
        super().__init__()
        self.maxlevel, self.maxdict, self.maxlist = 2, 4, 4
        self.maxstring = self.maxother = self.maxlong = 40

    def repr_int(self, x: int, level: int) -> str:
        if x.bit_length() > 128:  # repr() of a huge int is slow, or refused past 4300 digits
            return f"<an int of about {int(x.bit_length() * 0.30103)} digits>"
        return super().repr_int(x, level)


_SHORT = _ShortRepr()


def short_repr(value: Any) -> str:
    """``repr(value)`` cut short while it is built, for error messages.

    Example:
        >>> short_repr("x" * 100)
        "'xxxxxxxxxxxxxxxxx...xxxxxxxxxxxxxxxxxx'"
        >>> short_repr(10**5000)
        '<an int of about 5000 digits>'
    """
    return _SHORT.repr(value)
