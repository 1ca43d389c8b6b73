"""Value files: whole writes, temp files of dead writers, pickle and Parquet bytes."""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import io
import os
import pickle
import re
import threading
import time
from pathlib import Path
from typing import Any

from workbench.core.files import replace_file
from workbench.errors import StorageError
from workbench.storage._processes import is_alive
from workbench.storage.home import move_aside

__all__ = [
    "PARQUET",
    "PICKLE",
    "CorruptValueError",
    "drop_older_sibling",
    "is_dataframe",
    "keep_aside",
    "newest",
    "parquet_bytes",
    "pickle_bytes",
    "read_parquet",
    "read_pickle",
    "remember",
    "sweep_dead_writers",
    "unchanged",
    "unpickle",
    "write_value_file",
]

PICKLE = "value.pickle"
PARQUET = "value.parquet"


class CorruptValueError(Exception):
    """Stored bytes that cannot be decoded (the cause says why); never leaves the package."""


_written: dict[Path, tuple[bytes, int, int]] = {}
"""What this process last wrote to each value file: digest, size and mtime."""
_written_lock = threading.Lock()


def unchanged(path: Path, data: bytes) -> bool:
    """Whether ``path`` still holds exactly ``data``, as this process wrote it last.

    Re-running a step that gives the same value then costs a hash and a stat, not a write.
    The file's size and mtime must match what was written, so a file another process changed
    since is written again.
    """
    with _written_lock:
        known = _written.get(path)
    if known is None or known[0] != hashlib.blake2b(data, digest_size=16).digest():
        return False
    try:
        stat = path.stat()
    except OSError:
        return False
    return (stat.st_size, stat.st_mtime_ns) == known[1:]


def remember(path: Path, data: bytes) -> None:
    stat = path.stat()
    digest = hashlib.blake2b(data, digest_size=16).digest()
    with _written_lock:
        _written[path] = (digest, stat.st_size, stat.st_mtime_ns)


def write_value_file(path: Path, data: bytes) -> None:
    """Write a value file whole or not at all (see :func:`workbench.core.files.replace_file`).

    No fsync: the rename keeps a crash from leaving half a value, and a value lost to a power
    cut is recomputed; asking the disk to sync every value would cost more than most steps.
    """
    replace_file(path, data, durable=False, mode=0o644, parents=True)


_TEMP_NAME = re.compile(r"^\..+\.(\d+)\.(\d+)\.tmp$")
"""How ``workbench.core.files.replace_file`` names a temp file: ``.<name>.<pid>.<thread>.tmp``."""
_SWEEP_AFTER_SECONDS = 60.0
"""A temp file untouched this long, whose writer is gone, is a leftover (not a write under way)."""


def sweep_dead_writers(folder: Path) -> list[Path]:
    """Remove the temp files under ``folder`` whose writer (on this host) no longer runs.

    A writer killed between creating its temp file and renaming it leaves the temp file
    behind (up to the size of the value); see #11. Only files a minute old or more are
    removed, so a writer of another host sharing the folder, whose pid means nothing here,
    keeps a write under way.

    Returns:
        The files removed.
    """
    removed: list[Path] = []
    stale = time.time() - _SWEEP_AFTER_SECONDS
    for root, _folders, files in os.walk(folder):
        for name in files:
            found = _TEMP_NAME.match(name)
            if found is None or is_alive(int(found.group(1))):
                continue
            path = Path(root, name)
            with contextlib.suppress(OSError):
                if path.stat().st_mtime < stale:
                    path.unlink()
                    removed.append(path)
    return removed


def pickle_bytes(what: str, obj: Any) -> bytes:
    try:
        return pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError) as exc:
        raise StorageError(
            f"the value of {what} ({type(obj).__qualname__}) cannot be pickled: {exc}; return "
            "a value that can be pickled, or bind another IO manager to 'io_manager'"
        ) from exc


def parquet_bytes(obj: Any) -> bytes | None:
    """A DataFrame as Parquet; None when pyarrow is missing or Parquet cannot hold it."""
    if importlib.util.find_spec("pyarrow") is None or not _parquet_keeps(obj):
        return None
    buffer = io.BytesIO()
    try:
        obj.to_parquet(buffer)
    except (ValueError, TypeError, NotImplementedError):
        return None  # e.g. non-string column names or mixed object columns: pickle instead
    return buffer.getvalue()


def _parquet_keeps(frame: Any) -> bool:
    """Parquet rewrites Python objects (dicts become structs...); keep those frames pickled."""
    index = frame.index
    index_types = list(index.dtypes) if index.nlevels > 1 else [index.dtype]
    return not any(str(dtype) == "object" for dtype in [*frame.dtypes, *index_types])


def read_pickle(path: Path) -> Any:
    with path.open("rb") as file:
        try:
            return pickle.load(file)
        except (pickle.UnpicklingError, EOFError, OverflowError, MemoryError, ValueError) as exc:
            raise CorruptValueError from exc


def unpickle(data: bytes) -> Any:
    try:
        return pickle.loads(data)
    except (pickle.UnpicklingError, EOFError, OverflowError, MemoryError, ValueError) as exc:
        raise CorruptValueError from exc


def keep_aside(path: Path, data: bytes) -> Path:
    """Write a corrupt row's bytes beside where its file would be, under a ``.corrupt`` name."""
    write_value_file(path, data)
    return move_aside(path)


def read_parquet(path: Path) -> Any:
    try:
        import pandas
    except ImportError as exc:  # pragma: no cover - pandas is a dependency
        raise StorageError(f"{path} holds a DataFrame; install pandas to load it") from exc
    if importlib.util.find_spec("pyarrow") is None:
        raise StorageError(f"{path} is a Parquet file; run: pip install pyarrow")
    try:
        return pandas.read_parquet(path)
    except OSError as exc:
        if exc.errno is not None:
            raise
        raise CorruptValueError from exc
    except ValueError as exc:
        raise CorruptValueError from exc


def is_dataframe(obj: Any) -> bool:
    if not type(obj).__module__.startswith("pandas"):
        return False
    import pandas

    return isinstance(obj, pandas.DataFrame)


def newest(folder: Path) -> Path | None:
    """The value file in ``folder`` (the newer one, if a race left both formats)."""
    found: list[tuple[int, Path]] = []
    for name in (PICKLE, PARQUET):
        path = folder / name
        with contextlib.suppress(OSError):
            found.append((path.stat().st_mtime_ns, path))
    return max(found)[1] if found else None


def drop_older_sibling(path: Path) -> None:
    """Remove the other format's file unless it is newer (just written by another process)."""
    other = path.with_name(PARQUET if path.name == PICKLE else PICKLE)
    with contextlib.suppress(OSError):
        if other.stat().st_mtime_ns <= path.stat().st_mtime_ns:
            other.unlink()
