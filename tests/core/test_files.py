from __future__ import annotations

import os
import stat
from typing import Any

import pytest

from workbench.core.files import NotAFileError, replace_file


def test_a_failed_write_leaves_the_old_file_and_no_temp_file(tmp_path):
    path = tmp_path / "data.bin"
    path.write_bytes(b"old")
    not_bytes: Any = "text, not bytes"
    with pytest.raises(TypeError):
        replace_file(path, not_bytes)
    assert path.read_bytes() == b"old"
    assert sorted(os.listdir(tmp_path)) == ["data.bin"]
    replace_file(path, b"new")
    assert path.read_bytes() == b"new"
    assert sorted(os.listdir(tmp_path)) == ["data.bin"]


def test_a_replaced_file_keeps_its_mode_and_a_new_one_follows_the_umask(tmp_path):
    kept = tmp_path / "kept.txt"
    kept.write_text("old")
    kept.chmod(0o640)
    replace_file(kept, b"new")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640
    old_umask = os.umask(0o022)
    try:
        replace_file(tmp_path / "new.txt", b"new")
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o644


def test_only_a_regular_file_is_replaced(tmp_path):
    (tmp_path / "target.txt").write_text("keep me")
    (tmp_path / "link.txt").symlink_to(tmp_path / "target.txt")
    for name in ("link.txt", "."):
        with pytest.raises(NotAFileError, match="is not a regular file"):
            replace_file(tmp_path / name, b"new")
    assert (tmp_path / "link.txt").is_symlink()
    assert (tmp_path / "target.txt").read_text() == "keep me"


def test_parents_are_made_only_when_asked(tmp_path):
    with pytest.raises(FileNotFoundError):
        replace_file(tmp_path / "a" / "b.bin", b"x")
    replace_file(tmp_path / "a" / "b.bin", b"x", parents=True)
    assert (tmp_path / "a" / "b.bin").read_bytes() == b"x"
