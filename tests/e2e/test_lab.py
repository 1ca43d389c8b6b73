"""The main path once in JupyterLab: ``%load_ext workbench`` and ``%wb resources`` in a Lab page."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

pytest.importorskip("playwright.sync_api", reason="the browser tests need the browser extra")

from playwright.sync_api import Page, expect

from tests.e2e.conftest import NOTEBOOKS, button, field_row, saved_edits

if TYPE_CHECKING:
    from tests.e2e.conftest import Screenshot, StartServer

pytestmark = pytest.mark.e2e

KERNEL_IDLE = re.compile(r"^Python 3 \(ipykernel\) \| Idle$")


def test_load_ext_and_wb_resources_render_the_panel_in_lab(
    lab: StartServer, page: Page, screenshot: Screenshot
) -> None:
    server = lab(NOTEBOOKS / "lab.ipynb")
    page.goto(server.url("/lab/tree/lab.ipynb", extra="reset"))
    # the toolbar says "idle" before any kernel exists; only the status bar can be trusted
    status = page.locator("#jp-main-statusbar .jp-StatusBar-TextItem", has_text=KERNEL_IDLE)
    expect(status).to_be_visible()
    cells = page.locator(".jp-Notebook .jp-Cell")
    expect(cells).to_have_count(2)

    cells.nth(0).locator(".jp-InputArea-editor").click()
    page.keyboard.press("Shift+Enter")
    expect(cells.nth(0).locator(".jp-InputPrompt")).to_contain_text("[1]")
    page.keyboard.press("Shift+Enter")
    expect(cells.nth(1).locator(".jp-InputPrompt")).to_contain_text("[2]")

    output = cells.nth(1).locator(".jp-OutputArea-output")
    name = field_row(output, "name").locator(".widget-text input")
    expect(name).to_have_value("world")
    expect(field_row(output, "times").locator("input")).to_have_value("1")
    screenshot(page, "1-rendered")

    name.fill("lab-e2e")
    button(output, "Apply").click()
    expect(output.get_by_text("applied: the next run uses this config")).to_be_visible()
    screenshot(page, "2-applied")
    edits = saved_edits(server)
    # Lab tells the kernel which notebook it runs, so the edit is saved under that notebook
    [(notebook, resources)] = edits.items()
    assert notebook.endswith("lab.ipynb")
    assert resources["greeter"]["name"] == "lab-e2e"
