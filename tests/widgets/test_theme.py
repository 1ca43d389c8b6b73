"""Every colour the widgets show comes from JupyterLab's theme, for light and dark (#14)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from workbench.core.asset import asset
from workbench.core.config import EnvVar
from workbench.core.definitions import Definitions
from workbench.core.executor import materialize
from workbench.core.resource import ConfigurableResource
from workbench.widgets import ResourceForm
from workbench.widgets._theme import STYLE_SHEET
from workbench.widgets.launchpad import Launchpad
from workbench.widgets.runs import RunDetail, RunsView

if TYPE_CHECKING:
    from collections.abc import Iterator

    from workbench.core.instance import Instance

HEX = re.compile(r"#[0-9a-fA-F]{3,6}\b")


class Service(ConfigurableResource):
    host: str
    port: int = 5432
    token: SecretStr = SecretStr("")


@asset
def ok(service: Service) -> int:
    return service.port


@asset
def broken(ok: int) -> int:
    raise ValueError("no")


def html_in(widget: Any) -> Iterator[str]:
    value = getattr(widget, "value", None)
    if isinstance(value, str) and "<" in value:
        yield value
    for child in getattr(widget, "children", ()):
        yield from html_in(child)


def assert_theme_colours(html: str) -> None:
    for match in HEX.finditer(html):
        before = html[: match.start()].rstrip()
        assert before.endswith(","), (
            f"{match.group()} is a fixed colour: {html[match.start() - 60 : match.end()]}"
        )
        assert "var(--jp-" in before[-40:], match.group()


def test_forms_launchpad_and_runs_use_theme_colours(instance: Instance) -> None:
    form = ResourceForm("service", Service(host=EnvVar("WB_THEME_UNSET")))
    form.env_fields["host"].value = ""  # an error beside the field
    pad = Launchpad(
        Definitions(assets=[ok, broken], resources={"service": Service(host="h")}),
        instance=instance,
    )
    pad.launch_button.click()
    materialize([ok], resources={"service": Service(host="h")}, instance=instance)
    runs = RunsView(instance.run_store)
    assert pad.result is not None
    detail = RunDetail(instance.run_store, pad.result.run_id)
    shown = [
        *html_in(form.widget),
        *html_in(pad.widget),
        *html_in(runs.widget),
        *html_in(detail.widget),
    ]
    assert any("is not set" in text or "give the environment" in text for text in shown)
    for text in shown:
        assert_theme_colours(text)


def test_the_style_sheet_stacks_fields_on_narrow_outputs() -> None:
    assert "container-type: inline-size" in STYLE_SHEET
    assert "@container (max-width: 520px)" in STYLE_SHEET
    assert "grid-template-columns" in STYLE_SHEET
    assert_theme_colours(STYLE_SHEET)
    form = ResourceForm("service", Service(host="h"))
    assert STYLE_SHEET in form.widget.children[0].value
    rows = [child for child in form.widget.children[3].children if "wb-row" in child._dom_classes]
    assert len(rows) == 3
    assert all("wb-label" in row.children[0]._dom_classes for row in rows)
