from __future__ import annotations

from typing import Any

import pytest

# Dagster is the reference here: its own deprecation and preview warnings are not under test.
DAGSTER = pytest.param(
    "dagster", marks=[pytest.mark.dagster, pytest.mark.filterwarnings("ignore")], id="dagster"
)


@pytest.fixture(params=["workbench", DAGSTER])
def dg(request: pytest.FixtureRequest) -> Any:
    """The same test body against workbench and, to prove the expectation, real Dagster."""
    if request.param == "dagster":
        return pytest.importorskip("dagster")
    import workbench

    return workbench
