from __future__ import annotations

import os
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.dagster_engine.sources import DAGSTER_DEFS

if TYPE_CHECKING:
    from collections.abc import Iterator

    from IPython.core.interactiveshell import InteractiveShell

try:
    import dagster  # noqa: F401
except ImportError:  # without the dagster extra there is nothing here to test
    collect_ignore_glob = ["test_*.py"]


@pytest.fixture
def home() -> Path:
    """This test's WORKBENCH_HOME (the autouse fixture makes a fresh one)."""
    return Path(os.environ["WORKBENCH_HOME"])


@pytest.fixture
def dagster_file(tmp_path: Path) -> Path:
    path = tmp_path / "dagster_pipeline.py"
    path.write_text(textwrap.dedent(DAGSTER_DEFS))
    return path


@pytest.fixture
def dg_shell(dagster_file: Path) -> Iterator[InteractiveShell]:
    """A shell whose namespace holds the Dagster definitions above, with %wb loaded."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.user_ns.clear()
    shell.run_line_magic("load_ext", "workbench")
    result = shell.run_cell(dagster_file.read_text())
    assert result.success
    yield shell
    shell.run_line_magic("wb", "load --forget")
    shell.run_line_magic("unload_ext", "workbench")
    shell.user_ns.clear()
