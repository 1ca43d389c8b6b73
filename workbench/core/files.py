"""Writing a file whole or not at all: the one atomic write that every store and export uses."""

from __future__ import annotations

import contextlib
import os
import stat
import threading
from pathlib import Path

__all__ = ["NotAFileError", "replace_file"]


class NotAFileError(OSError):
    """The path to write holds something other than a regular file (a link, a FIFO, a device)."""


def replace_file(
    path: str | os.PathLike[str],
    data: bytes,
    *,
    durable: bool = True,
    mode: int = 0o666,
    parents: bool = False,
) -> None:
    """Write ``data`` to ``path`` whole or not at all: a temp file beside it, renamed over it.

    Only a regular file (or nothing) is replaced: a symlink, FIFO, device or folder at ``path``
    is refused, so that writing never follows a link or blocks on a pipe. A replaced file keeps
    its permissions; a new one gets ``mode`` less the umask.

    Args:
        path: the file to write.
        data: its new content.
        durable: fsync before the rename (skip it for values that can be recomputed: the rename
            still keeps a crash from leaving half a file, but a power cut may lose the write).
        mode: the permissions of a new file (the umask applies).
        parents: make missing parent folders.

    Raises:
        NotAFileError: ``path`` is not a regular file.
        OSError: the folder is not writable or the disk is full (nothing is left behind).
    """
    target = Path(path)
    try:
        found = os.lstat(target)
    except FileNotFoundError:
        found = None
    if found is not None and not stat.S_ISREG(found.st_mode):
        raise NotAFileError(f"{os.fspath(target)!r} is not a regular file; write to a file path")
    # pid and thread name the writer, so a sweep can tell a dead writer's leftovers (#11)
    temp = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    try:
        descriptor = os.open(temp, flags, mode)
    except FileNotFoundError:
        if not parents:
            raise
        target.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(temp, flags, mode)
    try:
        try:
            if found is not None:
                os.chmod(descriptor, stat.S_IMODE(found.st_mode))
            view = memoryview(data)
            while view:
                view = view[os.write(descriptor, view) :]
            if durable:
                os.fsync(descriptor)
        finally:
            os.close(descriptor)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
