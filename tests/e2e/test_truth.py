"""Forms that tell the truth and fit, in a real browser: validators, restart, 800 px, dark (#14)."""

from __future__ import annotations

import json
import re
import sqlite3
from typing import TYPE_CHECKING, Any

import pytest

pytest.importorskip("playwright.sync_api", reason="the browser tests need the browser extra")

from playwright.sync_api import Page, expect

from tests.e2e.conftest import ARTIFACTS, NOTEBOOKS, QUICKSTART, button, field_row

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Locator

    from tests.e2e.conftest import Screenshot, Server, StartServer

pytestmark = pytest.mark.e2e

VALIDATORS = NOTEBOOKS / "validators.ipynb"
KERNEL_IDLE = re.compile(r"^Python 3 \(ipykernel\) \| Idle$")
CONTROLS = "input, button, select, textarea, .widget-toggle-button"


def open_settings_form(page: Page, server: Server) -> None:
    page.goto(server.url("/"))
    expect(page.locator("b", has_text=re.compile("^settings$"))).to_be_visible()
    expect(button(page, "Apply")).to_be_visible()


def test_the_class_validators_speak_before_apply(
    voila: StartServer, page: Page, screenshot: Screenshot
) -> None:
    server = voila(VALIDATORS)
    open_settings_form(page, server)
    apply = button(page, "Apply")
    tag = field_row(page, "tag").locator(".widget-text input")
    tag.fill("  ")
    tag.press("Enter")
    expect(field_row(page, "tag")).to_contain_text("tag must not be blank")
    expect(apply).to_be_disabled()
    tag.fill("nightly")
    tag.press("Enter")
    expect(apply).to_be_enabled()
    attempts = field_row(page, "attempts").locator("input")
    attempts.fill("1")
    attempts.press("Enter")
    expect(page.get_by_text("safe mode needs attempts >= 2")).to_be_visible()
    expect(apply).to_be_disabled()
    expect(page.get_by_text("unapplied changes")).to_be_visible()
    expect(page.get_by_text("applied: the next run uses this config")).to_have_count(0)
    screenshot(page, "1-refused")


def test_after_a_restart_the_form_shows_the_saved_edit_in_force(
    voila: StartServer, page: Page, screenshot: Screenshot
) -> None:
    server = voila(VALIDATORS)
    open_settings_form(page, server)
    fail = field_row(page, "fail").locator("input[type=checkbox]")
    expect(fail).not_to_be_checked()
    fail.check()
    button(page, "Apply").click()
    expect(page.get_by_text("applied: the next run uses this config")).to_be_visible()
    # Voila starts a new kernel for each page load: a restart, with the saved edit in force
    open_settings_form(page, server)
    fail = field_row(page, "fail").locator("input[type=checkbox]")
    expect(fail).to_be_checked()
    # marked with the edit's age (#14): saved moments ago, by the Apply above
    saved = re.compile(r"in force: a saved edit, (just now|1 min ago); the code has False")
    expect(field_row(page, "fail")).to_contain_text(saved)
    expect(
        page.get_by_text("saved edits in force differ from the code in: fail (saved")
    ).to_be_visible()
    screenshot(page, "1-restarted")
    button(field_row(page, "fail"), "use the code's value").click()
    expect(fail).not_to_be_checked()
    button(page, "Apply").click()
    expect(page.get_by_text("applied: the next run uses this config")).to_be_visible()
    expect(field_row(page, "fail")).not_to_contain_text("in force: a saved edit")
    expect(page.get_by_text("saved edits in force differ from the code")).to_have_count(0)
    screenshot(page, "2-back-to-the-code")


def runs_in(server: Server) -> int:
    with sqlite3.connect(server.home / "runs.db") as connection:
        return int(connection.execute("select count(*) from runs").fetchone()[0])


def test_a_double_click_on_launch_runs_once(
    voila: StartServer, page: Page, screenshot: Screenshot
) -> None:
    server = voila(QUICKSTART)
    page.goto(server.url("/"))
    launch = button(page, "Launch")
    expect(launch).to_be_enabled()
    before = runs_in(server)
    launch.dblclick()
    summary = page.locator(".wb-run-summary").filter(has_text="DataFrame shape")
    expect(summary).to_be_visible(timeout=30_000)
    # clicks queued during the run find the button disabled; it comes back afterwards
    expect(launch).to_be_enabled()
    expect(launch).to_have_text(re.compile("Launch$"))
    screenshot(page, "1-launched")
    assert runs_in(server) == before + 1


def lab_settings(base: Path, theme: str) -> Path:
    """A JupyterLab settings folder: no news toast, and the theme asked for."""
    folder = base / "settings"
    apputils = folder / "@jupyterlab" / "apputils-extension"
    apputils.mkdir(parents=True)
    (apputils / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}))
    (apputils / "themes.jupyterlab-settings").write_text(json.dumps({"theme": theme}))
    return folder


def run_all_cells(page: Page, count: int) -> Locator:
    status = page.locator("#jp-main-statusbar .jp-StatusBar-TextItem", has_text=KERNEL_IDLE)
    expect(status).to_be_visible()
    cells = page.locator(".jp-Notebook .jp-Cell")
    expect(cells).to_have_count(count)
    cells.nth(0).click()
    for _ in range(count):
        page.keyboard.press("Shift+Enter")
    last = cells.nth(count - 1)
    expect(last.locator(".jp-InputPrompt")).to_contain_text("[2]")
    return last.locator(".jp-OutputArea-output")


def cut_controls(output: Locator) -> list[str]:
    """Controls that are hidden, squeezed to nothing, or cut by the output's edges."""
    found: list[str] = output.evaluate(
        """(area, selector) => {
            const box = area.getBoundingClientRect();
            const bad = [];
            for (const el of area.querySelectorAll(selector)) {
                const r = el.getBoundingClientRect();
                const name = el.outerHTML.slice(0, 80);
                if (r.width < 12 || r.height < 8) bad.push('squeezed ' + name);
                else if (r.left < box.left - 1 || r.right > box.right + 1) bad.push('cut ' + name);
                else if (r.right > window.innerWidth) bad.push('off-screen ' + name);
            }
            return bad;
        }""",
        CONTROLS,
    )
    return found


def luminance(rgb: tuple[float, float, float]) -> float:
    def channel(value: float) -> float:
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(value) for value in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def parse_colour(text: str) -> tuple[float, float, float, float]:
    numbers = [float(part) for part in re.findall(r"[\d.]+", text)]
    return (numbers[0], numbers[1], numbers[2], numbers[3] if len(numbers) > 3 else 1.0)


def contrast_of(element: Locator) -> float:
    """The contrast ratio of an element's text against the background it is drawn on."""
    colours: dict[str, Any] = element.evaluate(
        """el => {
            let node = el, background = 'rgb(255, 255, 255)';
            while (node) {
                const value = getComputedStyle(node).backgroundColor;
                if (value && value !== 'transparent' && !value.startsWith('rgba(0, 0, 0, 0)')) {
                    background = value; break;
                }
                node = node.parentElement;
            }
            return {text: getComputedStyle(el).color, background};
        }"""
    )
    text, background = parse_colour(colours["text"]), parse_colour(colours["background"])
    alpha = text[3]
    red, green, blue = (alpha * text[i] + (1 - alpha) * background[i] for i in range(3))
    blended = (red, green, blue)
    lighter, darker = sorted([luminance(blended), luminance(background[:3])], reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.parametrize(
    ("theme", "width"),
    [
        ("JupyterLab Light", 1280),
        ("JupyterLab Light", 800),
        ("JupyterLab Dark", 1280),
        ("JupyterLab Dark", 800),
    ],
)
def test_the_form_fits_and_reads_well_in_lab(
    lab: StartServer,
    page: Page,
    screenshot: Screenshot,
    tmp_path: Path,
    theme: str,
    width: int,
) -> None:
    server = lab(VALIDATORS, JUPYTERLAB_SETTINGS_DIR=str(lab_settings(tmp_path, theme)))
    page.set_viewport_size({"width": width, "height": 1000})
    page.goto(server.url("/lab/tree/validators.ipynb", extra="reset"))
    output = run_all_cells(page, 3)
    expect(field_row(output, "attempts").locator("input")).to_have_value("3")
    # the file browser stays open: the output area is what is left beside it
    expect(page.locator(".jp-FileBrowser")).to_be_visible()
    attempts = field_row(output, "attempts").locator("input")
    attempts.fill("1")
    attempts.press("Enter")
    expect(output.get_by_text("safe mode needs attempts >= 2")).to_be_visible()
    screenshot(page, f"{theme.split()[-1].lower()}-{width}")
    # the whole form, scrolled into view, for a person to judge
    output.evaluate("el => el.scrollIntoView({block: 'start'})")
    output.screenshot(path=str(ARTIFACTS / f"form-{theme.split()[-1].lower()}-{width}.png"))
    assert cut_controls(output) == []
    help_text = output.locator(".wb-help").first
    assert help_text.evaluate("el => el.getBoundingClientRect().width") > 150  # not a word a line
    assert contrast_of(help_text) >= 4.5
    assert contrast_of(output.locator(".wb-label b").first) >= 4.5
    assert contrast_of(output.get_by_text("safe mode needs attempts >= 2")) >= 3


def test_the_graph_reads_well_in_the_dark_theme_at_800_px(
    lab: StartServer, page: Page, screenshot: Screenshot, tmp_path: Path
) -> None:
    server = lab(
        NOTEBOOKS / "graph.ipynb",
        JUPYTERLAB_SETTINGS_DIR=str(lab_settings(tmp_path, "JupyterLab Dark")),
    )
    page.set_viewport_size({"width": 800, "height": 1000})
    page.goto(server.url("/lab/tree/graph.ipynb", extra="reset"))
    output = run_all_cells(page, 2).last
    graph = output.locator(".wb-graph svg")
    expect(graph).to_be_visible()
    # the failed node says why, not which run; every name is whole
    expect(graph).to_contain_text("ValueError: the region table is empty")
    for name in ["daily_revenue_by_", "region_and_product", "revenue_report"]:
        expect(graph).to_contain_text(name)
    output.evaluate("el => el.scrollIntoView({block: 'center'})")
    output.screenshot(path=str(ARTIFACTS / "graph-dark-800.png"))
    screenshot(page, "graph")
    # the drawing scrolls inside its box instead of being cut
    box = output.locator(".wb-graph")
    overflow = box.evaluate("el => getComputedStyle(el).overflowX")
    assert overflow == "auto"
    # legend chips and node labels are readable on the dark background; fills do not glare
    for chip in output.locator(".wb-chip").all():
        assert contrast_of(chip) >= 4.5
    assert contrast_of(graph.locator("text").first) >= 4.5
    fills = graph.locator("rect").evaluate_all("els => els.map(e => getComputedStyle(e).fill)")
    assert fills
    for fill in fills:
        red, green, blue, _alpha = parse_colour(fill)
        assert luminance((red, green, blue)) < 0.2, fill
