from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from typing import Any

import pytest

from workbench.core.asset import Asset, AssetSpec, asset
from workbench.core.config import Config
from workbench.core.definitions import Definitions
from workbench.core.executor import materialize
from workbench.core.instance import Instance
from workbench.core.resource import (
    ConfigurableIOManager,
    InputContext,
    OutputContext,
)
from workbench.core.run import InMemoryRunStore
from workbench.core.versions import CODE_CHANGED
from workbench.widgets.graph import GraphView, layered_layout, status_of

SVG = "{http://www.w3.org/2000/svg}"
EDGE = r"<path d='M[\d.-]+,[\d.-]+ C"


class Switch(Config):
    fail: bool = False


@asset
def source() -> int:
    return 1


@asset
def middle(source: int, config: Switch) -> int:
    if config.fail:
        raise RuntimeError("middle broke")
    return source + 1


@asset
def sink(middle: int, source: int) -> int:
    return middle + source


@asset(deps=["outside"])
def uses_outside() -> int:
    return 0


class MemoryIO(ConfigurableIOManager):
    """Keeps asset values in a dict, so a run can load upstream values it did not compute."""

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        assert context.asset_key is not None
        STORED[context.asset_key.to_user_string()] = obj

    def load_input(self, context: InputContext) -> Any:
        assert context.asset_key is not None
        return STORED[context.asset_key.to_user_string()]


STORED: dict[str, Any] = {}


@pytest.fixture
def instance() -> Instance:
    STORED.clear()
    return Instance(run_store=InMemoryRunStore(), io_manager=MemoryIO())


def make_defs(*extra: Asset | AssetSpec) -> Definitions:
    return Definitions(assets=[source, middle, sink, *extra])


def boxes(svg: str) -> dict[str, ElementTree.Element]:
    """Each asset's <rect>, by the key in its title."""
    root = ElementTree.fromstring(svg)
    found = {}
    for group in root.iter(f"{SVG}g"):
        title = group.find(f"{SVG}title")
        rect = group.find(f"{SVG}rect")
        assert title is not None
        assert title.text is not None
        assert rect is not None
        found[title.text.split("\n")[0]] = rect
    return found


def test_everything_is_missing_before_any_run(instance: Instance) -> None:
    view = GraphView(make_defs(), instance.run_store)
    assert {key: item.status for key, item in view.statuses.items()} == {
        "source": "missing",
        "middle": "missing",
        "sink": "missing",
    }
    assert "sink: missing (never materialized) <- middle, source" in view.text()


def test_statuses_after_runs_fresh_failed_and_stale(instance: Instance) -> None:
    defs = make_defs()
    materialize(defs.assets, instance=instance)
    assert {item.status for item in GraphView(defs, instance.run_store).statuses.values()} == {
        "fresh"
    }

    materialize(
        defs.assets,
        selection=["middle"],
        instance=instance,
        raise_on_error=False,
        run_config={"ops": {"middle": {"config": {"fail": True}}}},
    )
    view = GraphView(defs, instance.run_store)
    failed = status_of(view, "middle")
    assert failed.status == "failed"
    latest = instance.run_store.list_runs(limit=1)[0].run_id
    assert failed.reason == f"failed in run {latest}"
    assert status_of(view, "source").status == "fresh"

    materialize(defs.assets, selection=["source"], instance=instance)
    view.refresh()
    assert status_of(view, "middle").status == "failed"  # its latest run still failed it
    stale = status_of(view, "sink")
    assert (stale.status, stale.reason) == ("stale", "upstream changed")

    materialize(defs.assets, selection=["middle"], instance=instance)
    view.refresh()
    assert status_of(view, "middle").status == "fresh"


def test_code_change_is_shown_as_the_reason(instance: Instance) -> None:
    @asset(name="versioned", code_version="1")
    def first_version() -> int:
        return 1

    @asset(name="versioned", code_version="2")
    def second_version() -> int:
        return 2

    materialize([first_version], instance=instance)
    view = GraphView(Definitions(assets=[second_version]), instance.run_store)
    assert (status_of(view, "versioned").status, status_of(view, "versioned").reason) == (
        "stale",
        CODE_CHANGED,
    )
    assert "code changed" in view.svg


def test_svg_is_well_formed_layered_and_coloured(instance: Instance) -> None:
    view = GraphView(make_defs(), instance.run_store)
    rects = boxes(view.svg)
    assert set(rects) == {"source", "middle", "sink"}
    x = {key: float(rect.attrib["x"]) for key, rect in rects.items()}
    assert x["source"] < x["middle"] < x["sink"]  # longest path: sink is in layer 2
    assert all(rect.attrib["stroke"] == "#8c959f" for rect in rects.values())  # missing
    assert len(re.findall(EDGE, view.svg)) == 3  # three edges


def test_external_specs_are_drawn_and_marked(instance: Instance) -> None:
    view = GraphView(Definitions(assets=[uses_outside, AssetSpec("outside")]), instance.run_store)
    assert status_of(view, "outside").status == "external"
    assert status_of(view, "uses_outside").upstream == ("outside",)
    assert set(boxes(view.svg)) == {"outside", "uses_outside"}


def test_mimebundle_has_svg_html_and_text(instance: Instance) -> None:
    view = GraphView(make_defs(), instance.run_store)
    bundle = view._repr_mimebundle_()
    assert bundle["image/svg+xml"].startswith("<svg")
    assert "<svg" in bundle["text/html"]
    assert "fresh" in bundle["text/html"]
    assert bundle["text/plain"] == view.text()
    assert set(view._repr_mimebundle_(include={"text/plain"})) == {"text/plain"}
    assert "image/svg+xml" not in view._repr_mimebundle_(exclude={"image/svg+xml"})


def test_widget_refresh_button_redraws(instance: Instance) -> None:
    defs = make_defs()
    view = GraphView(defs, instance.run_store)
    shown = view.widget.children[1]
    assert "never materialized" in shown.value
    materialize(defs.assets, instance=instance)
    view.widget.children[0].click()
    assert "never materialized" not in shown.value
    assert "fresh" in shown.value


def test_layout_orders_layers_to_follow_their_parents() -> None:
    upstream = {"b1": ["a2"], "b2": ["a1"], "c": ["b1", "b2"]}
    layers = layered_layout(["a1", "a2", "b1", "b2", "c"], upstream)
    assert layers[0] == ["a1", "a2"]
    assert layers[1] == ["b2", "b1"]  # under their parents: no crossing
    assert layers[2] == ["c"]


def many_assets(count: int) -> list[Asset]:
    """A wide, deep graph: each asset depends on up to two earlier ones."""
    made: list[Asset] = []
    for index in range(count):
        ups = [f"n{index // 2}", f"n{index // 3}"] if index else []
        deps = sorted({name for name in ups if name != f"n{index}"})

        def body() -> int:
            return 1

        made.append(asset(name=f"n{index}", deps=deps)(body))
    return made


def test_five_hundred_assets_render(instance: Instance) -> None:
    defs = Definitions(assets=many_assets(500))
    view = GraphView(defs, instance.run_store)
    assert len(view.statuses) == 500
    rects = boxes(view.svg)
    assert len(rects) == 500
    positions: set[tuple[Any, Any]] = {(r.attrib["x"], r.attrib["y"]) for r in rects.values()}
    assert len(positions) == 500  # no two boxes overlap
    assert len(re.findall(EDGE, view.svg)) == sum(
        len(item.upstream) for item in view.statuses.values()
    )
