"""The ``dg`` fixture: each compat test body runs with workbench, and with Dagster to prove it."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from types import ModuleType


@pytest.fixture(params=["workbench", pytest.param("dagster", marks=pytest.mark.dagster)])
def dg(request: pytest.FixtureRequest) -> ModuleType:
    """``import workbench as dg``, and (marked ``dagster``) ``import dagster as dg``."""
    if request.param == "dagster":
        dagster: ModuleType = pytest.importorskip("dagster")
        return dagster
    return importlib.import_module("workbench")
