"""EditStore: resource config edited in forms, saved per notebook so they survive a restart."""

from __future__ import annotations

import contextlib
import json
import math
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from workbench.core.config import REDACTED
from workbench.core.files import replace_file
from workbench.errors import ConfigError, StorageError
from workbench.storage._advice import storage_fix
from workbench.storage.home import move_aside

if sys.platform != "win32":
    import fcntl

__all__ = ["FORMAT_VERSION", "EditStore"]

FORMAT_VERSION = 1
"""The edits file format this code writes. Files without a version (the first, unversioned
format: ``{notebook: {resource key: config}}``) are upgraded when read; newer files are refused
and left untouched. A file may also hold ``saved_at``, ``{notebook: {resource key: seconds
since the epoch}}``: when each edit was saved (#14). Readers that predate it ignore it, and
an edit without it is read as saved at an unknown time."""

_Notebooks = dict[str, dict[str, dict[str, Any]]]
_Times = dict[str, dict[str, float]]


class EditStore:
    """Saved form edits in ``<home>/edits.json``: ``{notebook: {resource key: config}}``.

    A config is JSON data in which secrets appear only as ``{"env": "NAME"}``. Each edit keeps
    the time it was saved. Writes are atomic and serialized across processes with a lock file,
    so two kernels saving at once lose neither edit.

    Args:
        home: the workbench home folder.
        clock: the time now, in seconds since the epoch (``time.time`` by default).

    Example:
        >>> import tempfile
        >>> store = EditStore(Path(tempfile.mkdtemp()))
        >>> edit = {"host": "db", "password": {"env": "PW"}}
        >>> saved_at = store.save("report.ipynb", "warehouse", edit)
        >>> store.load("report.ipynb")
        {'warehouse': {'host': 'db', 'password': {'env': 'PW'}}}
    """

    def __init__(self, home: Path, *, clock: Callable[[], float] = time.time) -> None:
        self.home = Path(home)
        self._clock = clock
        self.path = self.home / "edits.json"
        self._lock_path = self.home / "edits.json.lock"
        self._thread_lock = threading.RLock()

    def save(self, notebook: str, resource_key: str, config: Mapping[str, Any]) -> float:
        """Save the edited config of one resource in one notebook (replacing earlier edits).

        Returns:
            When it was saved, in seconds since the epoch (see :meth:`saved_at`).

        Raises:
            ConfigError: the config is not JSON data, or holds a redacted secret placeholder
                (every problem is listed, by field path).
            StorageError: the file cannot be written, or was written by a newer workbench.
        """
        if not isinstance(config, Mapping):
            raise TypeError(f"config must be a mapping of field names, got {type(config)!r}")
        errors: list[tuple[str, str]] = []
        clean = _check_json(config, "", errors)
        if errors:
            raise ConfigError.from_errors(
                f"edits of resource {resource_key!r} cannot be saved:", errors
            )
        with self._locked():
            data, times = self._read(locked=True)
            data.setdefault(notebook, {})[resource_key] = clean
            now = self._clock()
            times.setdefault(notebook, {})[resource_key] = now
            self._write(data, times)
        return now

    def load(self, notebook: str) -> dict[str, dict[str, Any]]:
        """Return the saved edits of one notebook, by resource key (empty if none)."""
        return self._read_checked()[0].get(notebook, {})

    def saved_at(self, notebook: str) -> dict[str, float]:
        """When each saved edit of one notebook was saved (seconds since the epoch), by key.

        An edit saved by a workbench that did not record the time is left out.
        """
        notebooks, times = self._read_checked()
        edits = notebooks.get(notebook, {})
        return {key: when for key, when in times.get(notebook, {}).items() if key in edits}

    def all(self) -> dict[str, dict[str, dict[str, Any]]]:
        """Return every saved edit: ``{notebook: {resource key: config}}``."""
        return self._read_checked()[0]

    def clear(self, notebook: str, resource_key: str | None = None) -> None:
        """Forget the edits of one resource in a notebook, or of the whole notebook."""
        with self._locked():
            data, times = self._read(locked=True)
            edits = data.get(notebook)
            if edits is None or (resource_key is not None and resource_key not in edits):
                return
            if resource_key is None or len(edits) == 1:
                del data[notebook]
                times.pop(notebook, None)
            else:
                del edits[resource_key]
                times.get(notebook, {}).pop(resource_key, None)
            self._write(data, times)

    def __repr__(self) -> str:
        return f"EditStore({str(self.home)!r})"

    # -- file access ----------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with self._thread_lock:
            try:
                self.home.mkdir(parents=True, exist_ok=True)
                lock = self._lock_path.open("a+b")
            except OSError as exc:
                raise StorageError(
                    f"cannot write saved edits in {self.home}: {exc.strerror or exc}; "
                    f"{storage_fix(exc)}"
                ) from exc
            with lock:
                if sys.platform != "win32":
                    fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
                yield

    def _read_checked(self) -> tuple[_Notebooks, _Times]:
        try:
            return self._read(locked=False)
        except _CorruptEdits:
            with self._locked():
                return self._read(locked=True)  # still corrupt under the lock: moved aside

    def _read(self, *, locked: bool) -> tuple[_Notebooks, _Times]:
        try:
            text = self.path.read_bytes()
        except FileNotFoundError:
            return {}, {}
        except OSError as exc:
            raise StorageError(
                f"cannot read saved edits {self.path}: {exc.strerror or exc}; "
                "check the file's permissions"
            ) from exc
        try:
            data = json.loads(text)
            return _upgrade(self.path, data), _times(data)
        except (ValueError, _BadShape) as exc:
            if not locked:
                raise _CorruptEdits from exc
            aside = move_aside(self.path)
            raise StorageError(
                f"saved edits {self.path} are corrupt ({exc}); the file was moved to {aside} "
                "and new edits start empty; copy what you need from it back into your forms"
            ) from exc

    def _write(self, data: Mapping[str, Any], times: Mapping[str, Mapping[str, float]]) -> None:
        contents: dict[str, Any] = {"version": FORMAT_VERSION, "notebooks": data}
        kept = {notebook: dict(found) for notebook, found in times.items() if found}
        if kept:
            contents["saved_at"] = kept
        text = json.dumps(contents, indent=2, sort_keys=True)
        try:
            replace_file(self.path, text.encode() + b"\n", mode=0o600)
        except OSError as exc:
            raise StorageError(
                f"cannot write saved edits {self.path}: {exc.strerror or exc}; {storage_fix(exc)}; "
                "your edits still apply in this session"
            ) from exc


class _CorruptEdits(Exception):
    """The edits file cannot be parsed (seen without holding the lock)."""


class _BadShape(ValueError):
    """The edits file is JSON, but not of the expected shape."""


def _upgrade(path: Path, data: Any) -> _Notebooks:
    """Return the notebooks mapping of any known format version, checked."""
    if not isinstance(data, dict):
        raise _BadShape(f"expected a JSON object, got {type(data).__name__}")
    version = data.get("version")
    notebooks: Any
    if version is None:
        notebooks = data  # the unversioned first format was the mapping itself
    elif not isinstance(version, int) or isinstance(version, bool):
        raise _BadShape(f"'version' should be an integer, got {version!r}")
    elif version > FORMAT_VERSION:
        raise StorageError(
            f"saved edits {path} were written by a newer workbench (format {version}; this one "
            f"reads up to {FORMAT_VERSION}); upgrade workbench, or set WORKBENCH_HOME to "
            "another folder. The file was left unchanged"
        )
    else:
        notebooks = data.get("notebooks")
    if not isinstance(notebooks, dict):
        raise _BadShape("'notebooks' should be an object of notebooks")
    for notebook, edits in notebooks.items():
        if not isinstance(edits, dict) or not all(isinstance(c, dict) for c in edits.values()):
            raise _BadShape(f"the edits of notebook {notebook!r} should map keys to objects")
    return notebooks


def _times(data: Any) -> _Times:
    """The save times a file holds; a time that is not a number is left out, never fatal.

    They only say how old an edit is: a damaged entry must not cost the edits themselves.
    """
    found = data.get("saved_at") if isinstance(data, dict) and "version" in data else None
    if not isinstance(found, dict):
        return {}
    return {
        notebook: {
            key: float(when)
            for key, when in times.items()
            if isinstance(when, int | float) and not isinstance(when, bool) and math.isfinite(when)
        }
        for notebook, times in found.items()
        if isinstance(times, dict)
    }


_MAX_INT_BITS = 13_000
"""About 4,000 decimal digits: below Python's 4,300-digit limit on turning an int into text."""


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_json(value: Any, path: str, errors: list[tuple[str, str]]) -> Any:
    """Return a plain JSON copy of ``value``, adding a problem per field that is not JSON."""
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str) or not _is_unicode(key):
                errors.append((path, f"key {key!r} is not a string of valid Unicode"))
                continue
            out[key] = _check_json(item, f"{path}.{key}" if path else key, errors)
        if set(out) == {"env"} and not (isinstance(out["env"], str) and out["env"]):
            errors.append((path, "an {'env': NAME} secret needs the variable's name as text"))
        return out
    if isinstance(value, list | tuple):
        return [_check_json(item, f"{path}[{index}]", errors) for index, item in enumerate(value)]
    if isinstance(value, str):
        if not _is_unicode(value):
            errors.append(
                (path, "holds text that is not valid Unicode (a lone surrogate); retype it")
            )
            return value
        if value == REDACTED:
            errors.append(
                (
                    path,
                    "holds the redacted placeholder, not a value; give a secret as "
                    "{'env': 'NAME'} so that its value is read from the environment",
                )
            )
        return value
    if isinstance(value, float) and not math.isfinite(value):
        errors.append((path, f"{value!r} cannot be saved as JSON; give a finite number"))
        return value
    if (
        isinstance(value, int)
        and not isinstance(value, bool)
        and value.bit_length() > _MAX_INT_BITS
    ):
        errors.append((path, "is a number too long to save (over 4,000 digits); give it as text"))
        return None
    if value is None or isinstance(value, bool | int | float):
        return value
    errors.append(
        (
            path,
            f"a {type(value).__name__} value cannot be saved as JSON; "
            "give text, a number, true/false, a list or a mapping",
        )
    )
    return None
