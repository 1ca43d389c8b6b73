"""ValueStoreIOManager: asset and op values kept on disk, so a new kernel can load them."""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import io
import pickle
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from workbench.core.files import replace_file
from workbench.core.resource import ConfigurableIOManager, InputContext, OutputContext
from workbench.errors import StorageError
from workbench.storage.home import move_aside

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["ValueStoreIOManager"]

_PICKLE = "value.pickle"
_PARQUET = "value.parquet"
_FIX = "set WORKBENCH_HOME (or base_dir) to a writable folder with free space"


class ValueStoreIOManager(ConfigurableIOManager):
    """The default IO manager: each value is a file under ``base_dir``.

    An asset's value is kept in ``assets/<key parts as folders>/``, an op output without an
    asset key in ``runs/<run id>/<step key>/<output name>/``. Values are pickled; a pandas
    DataFrame is written as Parquet when pyarrow is installed, unless it holds Python objects
    (``object`` columns) that Parquet would change, or Parquet refuses it: then it is pickled.
    Writes are atomic: a crash leaves the previous value in place.

    Attributes:
        base_dir: the folder that holds the values.

    Example:
        >>> store = ValueStoreIOManager(base_dir="/tmp/values")
        >>> store.has_value("never/made")
        False
    """

    base_dir: str

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        """Store ``obj`` as the value of the output (or asset) ``context`` describes."""
        if context.asset_key is not None:
            folder = self._asset_folder(context.asset_key)
            what = f"asset {_user_string(context.asset_key)!r}"
        else:
            folder = self._op_folder(context.run_id, context.step_key, context.name)
            what = f"output {context.name!r} of step {context.step_key!r}"
        path = self._store(folder, what, obj)
        context.add_output_metadata({"path": str(path)})

    def load_input(self, context: InputContext) -> Any:
        """Load the stored value of the upstream asset or output ``context`` describes.

        Raises:
            StorageError: nothing is stored for it, or its file is corrupt (then the file is
                moved aside), or it needs a class this kernel does not define.
        """
        upstream = context.upstream_output
        key = upstream.asset_key if upstream is not None else None
        if key is None:
            key = context.asset_key
        if key is not None:
            folder = self._asset_folder(key)
            what = f"asset {_user_string(key)!r}"
            fix = "materialize it first"
        elif upstream is not None:
            folder = self._op_folder(upstream.run_id, upstream.step_key, upstream.name)
            what = (
                f"output {upstream.name!r} of step {upstream.step_key!r} in run {upstream.run_id!r}"
            )
            fix = "run that step first"
        else:
            raise StorageError(
                f"input {context.name!r} names neither an asset nor an upstream output, so "
                "there is no stored value to load; give it an upstream asset or op output"
            )
        return self._load(folder, what, fix)

    def has_value(self, asset_key: Any) -> bool:
        """Tell whether a value is stored for ``asset_key`` (an AssetKey, ``"a/b"`` or parts)."""
        return _newest(self._asset_folder(asset_key)) is not None

    def delete(self, asset_key: Any) -> bool:
        """Delete the stored value of ``asset_key``; return whether there was one.

        Raises:
            StorageError: the file cannot be deleted.
        """
        folder = self._asset_folder(asset_key)
        found = False
        for name in (_PICKLE, _PARQUET):
            try:
                (folder / name).unlink()
                found = True
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise StorageError(
                    f"cannot delete the stored value {folder / name}: "
                    f"{exc.strerror or exc}; check the folder's permissions"
                ) from exc
        return found

    # -- paths ----------------------------------------------------------------------------

    def _asset_folder(self, asset_key: Any) -> Path:
        return Path(self.base_dir, "assets", *(_safe(part) for part in _parts(asset_key)))

    def _op_folder(self, run_id: str, step_key: str, name: str) -> Path:
        return Path(self.base_dir, "runs", _safe(run_id), _safe(step_key), _safe(name))

    # -- writing and reading --------------------------------------------------------------

    def _store(self, folder: Path, what: str, obj: Any) -> Path:
        data = _parquet_bytes(obj) if _is_dataframe(obj) else None
        path = folder / (_PARQUET if data is not None else _PICKLE)
        if data is None:
            data = _pickle_bytes(what, obj)
        if _unchanged(path, data):
            return path
        try:
            _replace_file(path, data)
            _remember(path, data)
        except OSError as exc:
            raise StorageError(
                f"cannot store the value of {what} in {folder}: {exc.strerror or exc}; {_FIX}"
            ) from exc
        _drop_older_sibling(path)
        return path

    def _load(self, folder: Path, what: str, fix: str) -> Any:
        path = _newest(folder)
        if path is None:
            raise StorageError(f"{what} has no stored value in {folder}; {fix}")
        reader: Callable[[Path], Any] = _read_parquet if path.name == _PARQUET else _read_pickle
        try:
            return reader(path)
        except FileNotFoundError:
            raise StorageError(f"{what} has no stored value in {folder}; {fix}") from None
        except (AttributeError, ImportError) as exc:
            raise StorageError(
                f"the stored value of {what} ({path}) needs a class or module this kernel "
                f"does not have ({exc}); run the cell or import that defines it, then retry"
            ) from exc
        except _Corrupt as exc:
            aside = move_aside(path)
            raise StorageError(
                f"the stored value of {what} is corrupt ({exc.__cause__}); the file was moved "
                f"to {aside}; {fix} to store it again"
            ) from exc.__cause__
        except OSError as exc:
            raise StorageError(
                f"cannot read the stored value of {what} from {path}: {exc.strerror or exc}; "
                "check the file's permissions"
            ) from exc


class _Corrupt(Exception):
    """A value file whose bytes cannot be decoded (the cause says why)."""


_written: dict[Path, tuple[bytes, int, int]] = {}
"""What this process last wrote to each value file: digest, size and mtime."""
_written_lock = threading.Lock()


def _unchanged(path: Path, data: bytes) -> bool:
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


def _remember(path: Path, data: bytes) -> None:
    stat = path.stat()
    digest = hashlib.blake2b(data, digest_size=16).digest()
    with _written_lock:
        _written[path] = (digest, stat.st_size, stat.st_mtime_ns)


def _replace_file(path: Path, data: bytes) -> None:
    """Write ``path`` whole or not at all.

    No fsync: the rename keeps a crash from leaving half a value, and a value lost to a power
    cut is recomputed; asking the disk to sync every value would cost more than most steps.
    """
    replace_file(path, data, durable=False, mode=0o644, parents=True)


def _pickle_bytes(what: str, obj: Any) -> bytes:
    try:
        return pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError) as exc:
        raise StorageError(
            f"the value of {what} ({type(obj).__qualname__}) cannot be pickled: {exc}; return "
            "a value that can be pickled, or bind another IO manager to 'io_manager'"
        ) from exc


def _parquet_bytes(obj: Any) -> bytes | None:
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


def _read_pickle(path: Path) -> Any:
    with path.open("rb") as file:
        try:
            return pickle.load(file)
        except (pickle.UnpicklingError, EOFError, OverflowError, MemoryError) as exc:
            raise _Corrupt from exc


def _read_parquet(path: Path) -> Any:
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
        raise _Corrupt from exc
    except ValueError as exc:
        raise _Corrupt from exc


def _is_dataframe(obj: Any) -> bool:
    if not type(obj).__module__.startswith("pandas"):
        return False
    import pandas

    return isinstance(obj, pandas.DataFrame)


def _newest(folder: Path) -> Path | None:
    """The value file in ``folder`` (the newer one, if a race left both formats)."""
    found: list[tuple[int, Path]] = []
    for name in (_PICKLE, _PARQUET):
        path = folder / name
        with contextlib.suppress(OSError):
            found.append((path.stat().st_mtime_ns, path))
    return max(found)[1] if found else None


def _drop_older_sibling(path: Path) -> None:
    """Remove the other format's file unless it is newer (just written by another process)."""
    other = path.with_name(_PARQUET if path.name == _PICKLE else _PICKLE)
    with contextlib.suppress(OSError):
        if other.stat().st_mtime_ns <= path.stat().st_mtime_ns:
            other.unlink()


def _parts(asset_key: Any) -> Sequence[str]:
    if isinstance(asset_key, str):
        return asset_key.split("/")
    path = getattr(asset_key, "path", asset_key)
    if isinstance(path, str) or not isinstance(path, Sequence):
        raise TypeError(f"expected an asset key (AssetKey, 'a/b' or parts), got {asset_key!r}")
    return [str(part) for part in path]


def _user_string(asset_key: Any) -> str:
    return "/".join(_parts(asset_key))


def _safe(part: str) -> str:
    """One path part as a file name: no separators, no '..', nothing hidden."""
    if not part:
        raise StorageError("an asset key part is empty; give every part a name")
    name = quote(part, safe=" !#$&'()+,;=@[]^`{}~-_")
    if name.startswith("."):
        name = "%2E" + name[1:]
    return name
