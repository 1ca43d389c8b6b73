"""WORKBENCH_HOME: the folder that holds run history, stored values and saved edits."""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.core.instance import Instance
from workbench.errors import StorageError
from workbench.storage._advice import storage_fix

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["default_instance", "move_aside", "workbench_home"]


def workbench_home(environ: Mapping[str, str] | None = None) -> Path:
    """Return the workbench home folder, made (and checked writable) on demand.

    It is ``$WORKBENCH_HOME`` when set, else ``.workbench`` in the working directory.

    Args:
        environ: the environment to read (``os.environ`` by default).

    Raises:
        StorageError: the folder cannot be made or written (read-only, a file in the way,
            disk full); the message names it and says how to fix it.
    """
    env = os.environ if environ is None else environ
    raw = env.get("WORKBENCH_HOME", "").strip()
    home = Path(raw).expanduser() if raw else Path(".workbench")
    home = home.absolute()
    is_new = not home.exists()
    try:
        home.mkdir(parents=True, exist_ok=True)
    except FileExistsError as exc:
        raise StorageError(
            f"workbench home {home} cannot be made: a file is in the way; move that file, "
            "or set WORKBENCH_HOME to a writable folder"
        ) from exc
    except OSError as exc:
        raise StorageError(
            f"workbench home {home} cannot be made: {exc.strerror or exc}; {storage_fix(exc)}"
        ) from exc
    _check_writable(home)
    if is_new:
        # run history and pickled values do not belong in version control
        with contextlib.suppress(OSError):
            (home / ".gitignore").write_text("*\n", encoding="utf-8")
    return home


def _check_writable(home: Path) -> None:
    try:
        fd, probe = tempfile.mkstemp(prefix=".probe-", dir=home)
    except OSError as exc:
        raise StorageError(
            f"workbench home {home} is not writable: {exc.strerror or exc}; {storage_fix(exc)}"
        ) from exc
    try:
        os.write(fd, b"ok")
    except OSError as exc:
        raise StorageError(
            f"workbench home {home} cannot be written: {exc.strerror or exc}; {storage_fix(exc)}"
        ) from exc
    finally:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(probe)


def default_instance(environ: Mapping[str, str] | None = None) -> Instance:
    """Make an instance that keeps runs and asset values under the workbench home.

    Runs go to ``runs.db`` (SQLite) and asset values to ``values/`` (small ones as rows of
    ``runs.db``, written with the run's events), so both survive a kernel restart. Pass this
    function to :func:`workbench.core.instance.set_default_instance_factory` to make it the default.

    Args:
        environ: the environment to read ``WORKBENCH_HOME`` from (``os.environ`` by default).

    Raises:
        StorageError: the home or its run store cannot be used.
    """
    from workbench.storage.sqlite import SqliteRunStore
    from workbench.storage.values import ValueStoreIOManager

    home = workbench_home(environ)
    store = SqliteRunStore(home / "runs.db")
    values = ValueStoreIOManager(base_dir=str(home / "values")).attach_run_store(store)
    return Instance(run_store=store, io_manager=values)


def move_aside(path: Path) -> Path:
    """Rename a damaged file to ``<name>.corrupt-<timestamp>`` and return the new path.

    Raises:
        StorageError: it cannot be renamed (so it is left where it is).
    """
    stamp = time.strftime("%Y%m%dT%H%M%S")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    number = 1
    while aside.exists():
        number += 1
        aside = path.with_name(f"{path.name}.corrupt-{stamp}-{number}")
    try:
        path.replace(aside)
    except OSError as exc:
        raise StorageError(
            f"{path} is damaged and cannot be moved aside ({exc.strerror or exc}); "
            "move or delete it by hand"
        ) from exc
    return aside
