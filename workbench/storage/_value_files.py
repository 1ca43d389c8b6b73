"""Value files: atomic writes, temp files of dead writers, pickle and Parquet bytes."""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import io
import os
import pickle
import socket
import threading
from pathlib import Path
from typing import Any

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
    "replace_file",
    "sweep_partial",
    "unchanged",
    "unpickle",
]

PICKLE = "value.pickle"
PARQUET = "value.parquet"
_TEMP = ".tmp"
_HOST = socket.gethostname().replace(".", "_")


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


def replace_file(path: Path, data: bytes, partial: Path) -> None:
    """Write ``path`` whole or not at all, in few system calls.

    The bytes go to a temp file in the folder ``partial`` (on the same file system), named
    after this host, process and thread, then are renamed over ``path``; a writer killed in
    between leaves only that temp file, which :func:`sweep_partial` removes later (see #11).
    No fsync: the rename keeps a crash from leaving half a value, and a value lost to a power
    cut is recomputed; asking the disk to sync every value would cost more than most steps.
    """
    temp = partial / f"{_HOST}.{os.getpid()}.{threading.get_ident()}{_TEMP}"
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    try:
        descriptor = os.open(temp, flags, 0o644)
    except FileNotFoundError:
        partial.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(temp, flags, 0o644)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(descriptor, view) :]
        finally:
            os.close(descriptor)
        try:
            os.replace(temp, path)
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True)
            os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def sweep_partial(partial: Path) -> list[Path]:
    """Remove the temp files in ``partial`` whose writer (on this host) no longer runs.

    Returns:
        The files removed.
    """
    removed: list[Path] = []
    try:
        entries = list(os.scandir(partial))
    except OSError:
        return removed  # no folder yet: nothing was ever left
    for entry in entries:
        host, _, rest = entry.name.rpartition(".tmp")[0].partition(".")
        pid_text = rest.split(".", 1)[0]
        if host != _HOST or not pid_text.isdigit() or is_alive(int(pid_text)):
            continue
        with contextlib.suppress(OSError):
            os.unlink(entry.path)
            removed.append(Path(entry.path))
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


def keep_aside(path: Path, data: bytes, partial: Path) -> Path:
    """Write a corrupt row's bytes beside where its file would be, under a ``.corrupt`` name."""
    replace_file(path, data, partial)
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
