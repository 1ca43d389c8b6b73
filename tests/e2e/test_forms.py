"""The resource forms in a real browser: Apply reaches the next run, errors, EnvVars, secrets."""

from __future__ import annotations

import re
import secrets
from typing import TYPE_CHECKING

import pytest

pytest.importorskip("playwright.sync_api", reason="the browser tests need the browser extra")

from playwright.sync_api import Page, expect

from tests.e2e.conftest import NOTEBOOKS, button, field_row, saved_edits, secrets_on_page

if TYPE_CHECKING:
    from tests.e2e.conftest import Screenshot, Server, StartServer

pytestmark = pytest.mark.e2e


def open_form(page: Page, server: Server, resource_key: str, class_name: str) -> None:
    """Load the Voila page; wait for the form's header (key and class) and its Apply button."""
    page.goto(server.url("/"))
    key = page.locator("b", has_text=re.compile(rf"^{resource_key}$"))
    header = page.locator(".widget-html").filter(has=key).filter(has_text=class_name)
    expect(header).to_be_visible()
    expect(button(page, "Apply")).to_be_visible()


def test_apply_changes_what_the_next_materialization_sends(
    voila: StartServer, page: Page, screenshot: Screenshot
) -> None:
    server = voila(NOTEBOOKS / "connection.ipynb")
    open_form(page, server, "my_conn", "MyConnectionResource")
    username = field_row(page, "username").locator(".widget-text input")
    expect(username).to_have_value("my_user")
    seen = page.locator(".widget-label", has_text=re.compile("^(no run yet|running|success=)"))
    screenshot(page, "1-rendered")

    button(page, "Materialize").click()
    expect(seen).to_have_text("success=True user=my_user", timeout=30_000)

    username.fill("grace-e2e")
    button(page, "Apply").click()
    expect(page.get_by_text("applied: the next run uses this config")).to_be_visible()
    screenshot(page, "2-applied")

    button(page, "Materialize").click()
    expect(seen).to_have_text("success=True user=grace-e2e", timeout=30_000)
    screenshot(page, "3-materialized")


def test_invalid_int_shows_the_error_beside_the_field_and_disables_apply(
    voila: StartServer, page: Page, screenshot: Screenshot
) -> None:
    server = voila(
        NOTEBOOKS / "fields.ipynb", E2E_API_TOKEN="token-value", E2E_PASSWORD="password-value"
    )
    open_form(page, server, "warehouse", "WarehouseResource")
    row = field_row(page, "retries")
    retries = row.locator("input")
    apply = button(page, "Apply")
    expect(retries).to_have_attribute("type", "number")
    expect(retries).to_have_value("3")
    expect(apply).to_be_enabled()

    # the browser's number box refuses letters: nothing invalid reaches the kernel
    retries.click()
    retries.press_sequentially("abc")
    retries.press("Enter")
    expect(retries).to_have_value("3")
    expect(apply).to_be_enabled()

    retries.fill("42")
    retries.press("Enter")
    expect(row).to_contain_text("input should be less than or equal to 10, got 42")
    expect(apply).to_be_disabled()
    screenshot(page, "1-invalid")

    retries.fill("7")
    retries.press("Enter")
    expect(apply).to_be_enabled()
    expect(row).not_to_contain_text("less than or equal to 10")
    apply.click()
    # the form's region is an unset EnvVar: Apply says the run needs it (#14)
    expect(
        page.get_by_text("applied, but the next run fails unless E2E_UNSET_REGION is set")
    ).to_be_visible()
    screenshot(page, "2-fixed")


def test_env_var_fields_show_the_variable_and_its_state_but_never_a_secret(
    voila: StartServer, page: Page, websocket_frames: list[str], screenshot: Screenshot
) -> None:
    token = f"tok-{secrets.token_hex(12)}"
    password = f"pw-{secrets.token_hex(12)}"
    server = voila(NOTEBOOKS / "fields.ipynb", E2E_API_TOKEN=token, E2E_PASSWORD=password)
    open_form(page, server, "warehouse", "WarehouseResource")

    region = field_row(page, "region")
    expect(region.locator(".widget-toggle-button.mod-active")).to_have_text("environment variable")
    expect(region.locator(".widget-text input")).to_have_value("E2E_UNSET_REGION")
    expect(region).to_contain_text("E2E_UNSET_REGION is not set")
    api_token = field_row(page, "api_token")
    expect(api_token.locator(".widget-text input")).to_have_value("E2E_API_TOKEN")
    expect(api_token).to_contain_text("E2E_API_TOKEN is set")
    secret_box = field_row(page, "password").locator("input[type=password]")
    expect(secret_box).to_have_value("")
    expect(secret_box).to_have_attribute("placeholder", "set; type to replace")
    screenshot(page, "1-rendered")
    assert secrets_on_page(page, websocket_frames, [token, password]) == []

    button(page, "Apply").click()
    # Apply says the run will fail while a variable it reads is unset (#14)
    expect(
        page.get_by_text("applied, but the next run fails unless E2E_UNSET_REGION is set")
    ).to_be_visible()
    screenshot(page, "2-applied")
    assert secrets_on_page(page, websocket_frames, [token, password]) == []
    # the applied edit is saved with the variables' names, never the values
    [saved] = saved_edits(server).values()
    assert saved["warehouse"]["region"] == {"env": "E2E_UNSET_REGION"}
    assert saved["warehouse"]["api_token"] == {"env": "E2E_API_TOKEN"}
    text = (server.home / "edits.json").read_text(encoding="utf-8")
    assert token not in text
    assert password not in text
