"""The quickstart's launchpad in a real browser: Launch runs the job, shows progress, a summary."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

pytest.importorskip("playwright.sync_api", reason="the browser tests need the browser extra")

from playwright.sync_api import Page, expect

from tests.e2e.conftest import QUICKSTART, button, field_row

if TYPE_CHECKING:
    from tests.e2e.conftest import Screenshot, StartServer

pytestmark = pytest.mark.e2e

STEPS = ["data_from_service", "service_rows", "value_total"]


def test_launch_runs_the_job_with_progress_and_a_dataframe_preview(
    voila: StartServer, page: Page, screenshot: Screenshot
) -> None:
    server = voila(QUICKSTART)
    page.goto(server.url("/"))
    launch = button(page, "Launch")
    expect(launch).to_be_visible()
    # the quickstart's resources panel, after its own cell set the username from code
    expect(field_row(page, "username").locator(".widget-text input").first).to_have_value("ada")
    overall = page.locator(".widget-hprogress").filter(has_text=re.compile("^steps$"))
    expect(overall.locator(".progress-bar")).to_have_attribute("style", re.compile(r"width: 0%"))
    summary = page.locator(".widget-html").filter(has_text="DataFrame shape")
    expect(summary).to_have_count(0)
    screenshot(page, "1-ready")

    launch.click()
    expect(summary).to_be_visible(timeout=30_000)
    bars = [overall] + [
        page.locator(".widget-hprogress").filter(has_text=re.compile(f"^{step}$")) for step in STEPS
    ]
    for bar in bars:
        fill = bar.locator(".progress-bar")
        expect(fill).to_have_class(re.compile(r"\bprogress-bar-success\b"))
        expect(fill).to_have_attribute("style", re.compile(r"width: 100%"))
    expect(summary).to_contain_text("SUCCESS")
    expect(summary).to_contain_text("DataFrame shape (5, 3)")
    preview = summary.locator("details", has_text="service_rows").locator("table.dataframe")
    expect(preview).to_be_visible()
    expect(preview.locator("th")).to_contain_text(["id", "user", "value"])
    expect(preview.locator("tbody tr")).to_have_count(5)
    expect(preview.locator("tbody tr").first).to_contain_text("ada")
    preview.scroll_into_view_if_needed()
    screenshot(page, "2-launched")
