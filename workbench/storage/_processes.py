"""Whether a process on this host still runs (to tell a dead writer from a busy one)."""

from __future__ import annotations

import os
import sys

__all__ = ["is_alive"]


def is_alive(pid: int) -> bool:
    """Tell whether process ``pid`` on this host still runs (a zombie does not)."""
    if sys.platform == "win32":  # os.kill would terminate it there; assume it lives
        return True
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: it exists, and belongs to someone else
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as file:
            state = file.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")
