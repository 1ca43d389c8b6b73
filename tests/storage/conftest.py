"""Fixtures shared by the storage tests: a clean WORKBENCH_HOME and a Python subprocess runner."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pathlib import Path

RunPython = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(autouse=True)
def workbench_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Clear every WORKBENCH_* variable and point WORKBENCH_HOME at a fresh folder."""
    for name in list(os.environ):
        if name.startswith("WORKBENCH_"):
            monkeypatch.delenv(name)
    home = tmp_path / "home"
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    return home


def _unprivileged_prefix() -> list[str]:
    """Root ignores file modes; drop every capability so read-only folders are read-only."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.fail("running as root: install setpriv (util-linux) to test read-only folders")
    return [setpriv, "--inh-caps=-all", "--bounding-set=-all", "--"]


@pytest.fixture
def run_python() -> RunPython:
    """Run Python code in a new process; ``unprivileged=True`` drops root's capabilities."""

    def run(
        code: str, *args: str, unprivileged: bool = False, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-c", textwrap.dedent(code), *args]
        if unprivileged:
            command = [*_unprivileged_prefix(), *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)

    return run


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[Callable[[Path], Path]]:
    """Make folders read-only for the test, and writable again afterwards (for cleanup)."""
    made: list[Path] = []

    def make(folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        for path in [folder, *folder.rglob("*")]:
            path.chmod(0o555 if path.is_dir() else 0o444)
            made.append(path)
        return folder

    yield make
    for path in made:
        path.chmod(0o755 if path.is_dir() else 0o644)
