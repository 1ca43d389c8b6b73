"""ValueStoreIOManager: asset and op values kept on disk, so a new kernel can load them."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from pydantic import PrivateAttr

from workbench.core.resource import ConfigurableIOManager, InputContext, OutputContext
from workbench.errors import StorageError
from workbench.storage._advice import storage_fix
from workbench.storage._value_files import (
    PARQUET,
    PICKLE,
    CorruptValueError,
    drop_older_sibling,
    is_dataframe,
    keep_aside,
    newest,
    parquet_bytes,
    pickle_bytes,
    read_parquet,
    read_pickle,
    remember,
    sweep_dead_writers,
    unchanged,
    unpickle,
    write_value_file,
)
from workbench.storage._value_rows import Staged
from workbench.storage.home import move_aside
from workbench.storage.sqlite import SqliteRunStore

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["ValueStoreIOManager"]

_SETTING = "WORKBENCH_HOME (or base_dir)"

SMALL_VALUE_BYTES = 64 * 1024
"""Values pickled to fewer bytes are run store rows when a run store is attached.

Measured for #16 (2026-11-30, a shared 2-core machine, ext4): a row costs about 3 us at 1 KB,
10 us at 4 KB and 150 us at 16 KB in a batched transaction; a file costs 0.4-5 ms whatever its
size under load; the two meet between 64 KB and 256 KB, and a row grows the database and its
write-ahead log, so values from 64 KiB up stay files.
"""


class ValueStoreIOManager(ConfigurableIOManager):
    """The default IO manager: each value is a file under ``base_dir``.

    An asset's value is kept in ``assets/<key parts as folders>/``, an op output without an
    asset key in ``runs/<run id>/<step key>/<output name>/``. Values are pickled; a pandas
    DataFrame is written as Parquet when pyarrow is installed, unless it holds Python objects
    (``object`` columns) that Parquet would change, or Parquet refuses it: then it is pickled.
    Writes are atomic: a crash leaves the previous value in place.

    With a run store attached (:meth:`attach_run_store`; the default instance does it), a
    value that pickles to under :data:`SMALL_VALUE_BYTES` (not a DataFrame) is kept as a row of
    that store instead, written in the same transaction as the events of the run that made it,
    so a run's values are stored by the time it returns, in one commit per flush.

    Attributes:
        base_dir: the folder that holds the values.

    Example:
        >>> store = ValueStoreIOManager(base_dir="/tmp/values")
        >>> store.has_value("never/made")
        False
    """

    base_dir: str
    _run_store: SqliteRunStore | None = PrivateAttr(default=None)
    _without_files: set[str] = PrivateAttr(default_factory=set)
    """Locations this process found without a value file (so a row shadows none)."""
    _swept: bool = PrivateAttr(default=False)

    def attach_run_store(self, store: SqliteRunStore) -> ValueStoreIOManager:
        """Keep small values as rows of ``store``, committed with its next write; return self."""
        self._run_store = store
        return self

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        """Store ``obj`` as the value of the output (or asset) ``context`` describes."""
        if context.asset_key is not None:
            location = _asset_location(context.asset_key)
            what = f"asset {_user_string(context.asset_key)!r}"
        else:
            location = _op_location(context.run_id, context.step_key, context.name)
            what = f"output {context.name!r} of step {context.step_key!r}"
        where = self._store(location, what, obj, context.run_id)
        context.add_output_metadata({"path": where})

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
            location = _asset_location(key)
            what = f"asset {_user_string(key)!r}"
            fix = "materialize it first"
        elif upstream is not None:
            location = _op_location(upstream.run_id, upstream.step_key, upstream.name)
            what = (
                f"output {upstream.name!r} of step {upstream.step_key!r} in run {upstream.run_id!r}"
            )
            fix = "run that step first"
        else:
            raise StorageError(
                f"input {context.name!r} names neither an asset nor an upstream output, so "
                "there is no stored value to load; give it an upstream asset or op output"
            )
        return self._load(location, what, fix)

    def has_value(self, asset_key: Any) -> bool:
        """Tell whether a value is stored for ``asset_key`` (an AssetKey, ``"a/b"`` or parts)."""
        location = _asset_location(asset_key)
        return self._row(location) is not None or newest(self._folder(location)) is not None

    def delete(self, asset_key: Any) -> bool:
        """Delete the stored value of ``asset_key``; return whether there was one.

        Raises:
            StorageError: the file cannot be deleted.
        """
        location = _asset_location(asset_key)
        folder = self._folder(location)
        found = False
        if self._run_store is not None and self._row(location) is not None:
            self._run_store.values.stage(location, Staged(None))
            self._run_store.write_values()
            found = True
        for name in (PICKLE, PARQUET):
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

    def _folder(self, location: str) -> Path:
        return Path(self.base_dir, location)

    def _sweep_once(self) -> None:
        """On first write, remove the temp files writers killed mid-write left (see #11)."""
        if not self._swept:
            self._swept = True
            sweep_dead_writers(Path(self.base_dir))

    def _row(self, location: str) -> bytes | None:
        """The value's bytes if the attached run store keeps it as a row."""
        if self._run_store is None:
            return None
        return self._run_store.read_value(location)

    def _shadowed(self, location: str) -> tuple[Path, ...]:
        """The value files a row for ``location`` replaces (looked for once per process)."""
        if location in self._without_files:
            return ()
        folder = self._folder(location)
        found = tuple(path for path in (folder / PICKLE, folder / PARQUET) if path.exists())
        if not found:
            self._without_files.add(location)
        return found

    # -- writing and reading --------------------------------------------------------------

    def _store(self, location: str, what: str, obj: Any, run_id: str) -> str:
        """Store ``obj``; return where (a file, or the run store's row)."""
        store = self._run_store
        data = parquet_bytes(obj) if is_dataframe(obj) else None
        name = PARQUET if data is not None else PICKLE
        if data is None:
            data = pickle_bytes(what, obj)
            if store is not None and len(data) < SMALL_VALUE_BYTES:
                staged = Staged(data, run_id, shadowed=self._shadowed(location))
                store.values.stage(location, staged)
                return f"{store.path}#{location}"
        if store is not None:
            # the file is the value now: the row (if any) goes in the same commit as the run
            store.values.stage(location, Staged(None, run_id))
        self._without_files.discard(location)
        folder = self._folder(location)
        path = folder / name
        if unchanged(path, data):
            return str(path)
        try:
            self._sweep_once()
            write_value_file(path, data)
            remember(path, data)
        except OSError as exc:
            raise StorageError(
                f"cannot store the value of {what} in {folder}: {exc.strerror or exc}; "
                f"{storage_fix(exc, setting=_SETTING)}"
            ) from exc
        drop_older_sibling(path)
        return str(path)

    def _load(self, location: str, what: str, fix: str) -> Any:
        data = self._row(location)
        folder = self._folder(location)
        if data is not None:
            return _decode(
                what,
                fix,
                lambda: unpickle(data),
                where=f"a row of {self._run_store.path if self._run_store else ''}",
                set_aside=lambda: self._row_aside(location, data),
            )
        path = newest(folder)
        if path is None:
            raise StorageError(f"{what} has no stored value in {folder}; {fix}")
        reader: Callable[[Path], Any] = read_parquet if path.name == PARQUET else read_pickle
        try:
            return _decode(
                what,
                fix,
                lambda: reader(path),
                where=str(path),
                set_aside=lambda: move_aside(path),
            )
        except FileNotFoundError:
            raise StorageError(f"{what} has no stored value in {folder}; {fix}") from None
        except OSError as exc:
            raise StorageError(
                f"cannot read the stored value of {what} from {path}: {exc.strerror or exc}; "
                "check the file's permissions"
            ) from exc

    def _row_aside(self, location: str, data: bytes) -> Path:
        """Keep a corrupt row's bytes as a ``.corrupt`` file in its folder; drop the row."""
        assert self._run_store is not None
        aside = keep_aside(self._folder(location) / PICKLE, data)
        self._run_store.values.stage(location, Staged(None))
        self._run_store.write_values()
        return aside


def _decode(
    what: str, fix: str, decode: Callable[[], Any], *, where: str, set_aside: Callable[[], Path]
) -> Any:
    """Decode a stored value; a corrupt one is kept aside, and the error says where it went."""
    try:
        return decode()
    except (AttributeError, ImportError) as exc:
        raise StorageError(
            f"the stored value of {what} ({where}) needs a class or module this kernel "
            f"does not have ({exc}); run the cell or import that defines it, then retry"
        ) from exc
    except CorruptValueError as exc:
        aside = set_aside()
        raise StorageError(
            f"the stored value of {what} is corrupt ({exc.__cause__}); it was moved "
            f"to {aside}; {fix} to store it again"
        ) from exc.__cause__


def _asset_location(asset_key: Any) -> str:
    """Where an asset's value is kept, relative to ``base_dir`` (``assets/a/b``)."""
    return "/".join(["assets", *(_safe(part) for part in _parts(asset_key))])


def _op_location(run_id: str, step_key: str, name: str) -> str:
    """Where an op output's value is kept, relative to ``base_dir``."""
    return "/".join(["runs", _safe(run_id), _safe(step_key), _safe(name)])


def _parts(asset_key: Any) -> Sequence[str]:
    if isinstance(asset_key, str):
        return asset_key.split("/")
    path = getattr(asset_key, "path", asset_key)
    if isinstance(path, str) or not isinstance(path, Sequence):
        raise TypeError(f"expected an asset key (AssetKey, 'a/b' or parts), got {asset_key!r}")
    return [str(part) for part in path]


def _user_string(asset_key: Any) -> str:
    return "/".join(_parts(asset_key))


@functools.lru_cache(maxsize=65_536)  # every run asks again for the same keys' names
def _safe(part: str) -> str:
    """One path part as a file name: no separators, no '..', nothing hidden."""
    if not part:
        raise StorageError("an asset key part is empty; give every part a name")
    name = quote(part, safe=" !#$&'()+,;=@[]^`{}~-_")
    if name.startswith("."):
        name = "%2E" + name[1:]
    return name
