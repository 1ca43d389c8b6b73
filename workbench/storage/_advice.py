"""What to tell a user whose storage failed, chosen by what actually failed."""

from __future__ import annotations

import errno

__all__ = ["storage_fix"]

_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
_DENIED = (errno.EACCES, errno.EPERM, errno.EROFS)


def storage_fix(exc: BaseException, *, setting: str = "WORKBENCH_HOME") -> str:
    """The fix to suggest for an OS or SQLite error while writing under ``setting``.

    Args:
        exc: the ``OSError`` or ``sqlite3.Error`` raised.
        setting: what the user sets to move the storage elsewhere.

    Returns:
        One clause: free space for a full disk, permissions for a refused write, the disk for an
        I/O error, otherwise a writable folder.

    >>> import errno
    >>> storage_fix(OSError(errno.ENOSPC, "No space left on device"))
    'free space on that disk, or set WORKBENCH_HOME to a folder on a disk with room'
    >>> storage_fix(OSError(errno.ENOTDIR, "Not a directory"))
    'set WORKBENCH_HOME to a writable folder'
    """
    name = getattr(exc, "sqlite_errorname", None) or ""
    code = getattr(exc, "errno", None)
    if name.startswith("SQLITE_FULL") or code in _FULL:
        return f"free space on that disk, or set {setting} to a folder on a disk with room"
    if name.startswith(("SQLITE_READONLY", "SQLITE_PERM", "SQLITE_CANTOPEN")) or code in _DENIED:
        return f"make that folder writable, or set {setting} to a writable folder"
    if name.startswith("SQLITE_IOERR") or code == errno.EIO:
        return (
            f"the disk reported an I/O error: check it, or set {setting} to a folder on "
            "another disk"
        )
    return f"set {setting} to a writable folder"
