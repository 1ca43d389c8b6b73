"""The ``dg`` fixture: each compat test body runs with workbench, and with Dagster to prove it."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from types import ModuleType

# Dagster is the reference here: its own deprecation and preview warnings are not under test.
DAGSTER = pytest.param(
    "dagster", marks=[pytest.mark.dagster, pytest.mark.filterwarnings("ignore")], id="dagster"
)


@pytest.fixture(params=["workbench", DAGSTER])
def dg(request: pytest.FixtureRequest) -> ModuleType:
    """``import workbench as dg``, and (marked ``dagster``) ``import dagster as dg``."""
    if request.param == "dagster":
        dagster: ModuleType = pytest.importorskip("dagster")
        return dagster
    return importlib.import_module("workbench")
