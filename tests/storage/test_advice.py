"""A storage failure suggests the fix for what failed, not always "free space"."""

from __future__ import annotations

import errno
import sqlite3
from typing import TYPE_CHECKING

import pytest

from workbench.storage._advice import storage_fix

if TYPE_CHECKING:
    from pathlib import Path


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (errno.ENOSPC, "free space on that disk"),
        (errno.EFBIG, "free space on that disk"),
        (errno.EACCES, "make that folder writable"),
        (errno.EROFS, "make that folder writable"),
        (errno.EIO, "I/O error"),
        (errno.ENOTDIR, "set WORKBENCH_HOME to a writable folder"),
    ],
)
def test_an_os_error_gets_the_fix_for_its_cause(code: int, expected: str) -> None:
    assert expected in storage_fix(OSError(code, "failed"))


def test_only_a_full_disk_is_told_to_free_space() -> None:
    causes = (errno.EACCES, errno.EIO, errno.ENOTDIR, errno.ENOENT)
    assert all("free space" not in storage_fix(OSError(code, "x")) for code in causes)


def test_a_read_only_sqlite_database_is_told_to_make_it_writable(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.commit()
    read_only = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    with pytest.raises(sqlite3.Error) as raised:
        read_only.execute("INSERT INTO t VALUES (1)")
    assert raised.value.sqlite_errorname.startswith("SQLITE_READONLY")
    assert storage_fix(raised.value).startswith("make that folder writable")


def test_the_setting_named_is_the_one_given() -> None:
    fix = storage_fix(OSError(errno.ENOSPC, "x"), setting="WORKBENCH_HOME (or base_dir)")
    assert fix.endswith("set WORKBENCH_HOME (or base_dir) to a folder on a disk with room")
