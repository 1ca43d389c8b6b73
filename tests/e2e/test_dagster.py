"""A Dagster resource's form in a real browser: Apply reaches the next run Dagster executes."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import NOTEBOOKS, ROOT, button, field_row
from tests.e2e.test_forms import open_form

if TYPE_CHECKING:
    from tests.e2e.conftest import Screenshot, StartServer

pytestmark = [pytest.mark.e2e, pytest.mark.dagster]

DAGSTER_QUICKSTART = ROOT / "notebooks" / "dagster_quickstart.ipynb"


def test_apply_on_a_dagster_resource_changes_what_dagster_runs(
    voila: StartServer, page: Page, screenshot: Screenshot
) -> None:
    pytest.importorskip("dagster")
    server = voila(NOTEBOOKS / "connection.ipynb", E2E_QUICKSTART=str(DAGSTER_QUICKSTART))
    open_form(page, server, "my_conn", "MyConnectionResource")
    username = field_row(page, "username").locator(".widget-text input")
    expect(username).to_have_value("my_user")
    seen = page.locator(".widget-label", has_text=re.compile("^(no run yet|running|success=)"))

    username.fill("grace-on-dagster")
    button(page, "Apply").click()
    expect(page.get_by_text("applied: the next run uses this config")).to_be_visible()
    screenshot(page, "1-applied")

    button(page, "Materialize").click()
    expect(seen).to_have_text("success=True user=grace-on-dagster", timeout=120_000)
    screenshot(page, "2-materialized-by-dagster")


def test_the_launchpad_launches_through_dagster(
    voila: StartServer, page: Page, screenshot: Screenshot
) -> None:
    pytest.importorskip("dagster")
    server = voila(NOTEBOOKS / "dagster_launchpad.ipynb", E2E_QUICKSTART=str(DAGSTER_QUICKSTART))
    page.goto(server.url("/"))
    expect(button(page, "Launch")).to_be_visible(timeout=60_000)
    username = field_row(page, "username").locator(".widget-text input")
    username.fill("launched-by-dagster")
    button(page, "Apply").click()
    screenshot(page, "1-launchpad")

    button(page, "Launch").click()
    done = page.get_by_text(re.compile(r"^run [0-9a-f-]+: success; steps done: 3, failed: 0$"))
    expect(done).to_be_visible(timeout=120_000)
    screenshot(page, "2-launched")
