from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest

from workbench.core import instance as instance_module
from workbench.core.session import current_session

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite golden files (field specs, export cases) from the current output",
    )


@pytest.fixture(autouse=True)
def _isolated_home(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> Iterator[Path]:
    """Every test gets a fresh WORKBENCH_HOME, no WORKBENCH_* leftovers, and a clean session."""
    for name in list(os.environ):
        if name.startswith("WORKBENCH_"):
            monkeypatch.delenv(name)
    if request.config.getoption("--update-golden"):
        monkeypatch.setenv("WORKBENCH_UPDATE_GOLDEN", "1")
    home = tmp_path_factory.mktemp("workbench-home")
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    instance_module.reset_default_instance()
    current_session().unbind()
    yield home
    current_session().unbind()
    instance_module.reset_default_instance()


@pytest.fixture
def instance() -> instance_module.Instance:
    """An instance that keeps everything in memory."""
    return instance_module.Instance.ephemeral()
