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
    assert failed.reason == f"RuntimeError: middle broke (run {latest[:8]})"
    assert "RuntimeError: middle broke" in view.svg  # the error in the node, not a run id
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
    assert view.svg.count("<g class='wb-missing'>") == 3  # missing, in the theme's colour
    assert len(re.findall(EDGE, view.svg)) == 3  # three edges


def test_external_specs_are_drawn_and_marked(instance: Instance) -> None:
    view = GraphView(Definitions(assets=[uses_outside, AssetSpec("outside")]), instance.run_store)
    assert status_of(view, "outside").status == "external"
    assert status_of(view, "uses_outside").upstream == ("outside",)
    assert set(boxes(view.svg)) == {"outside", "uses_outside"}


def test_mimebundle_has_svg_html_and_text(instance: Instance) -> None:
    view = GraphView(make_defs(), instance.run_store)
    bundle = view._repr_mimebundle_()
    assert "image/svg+xml" not in bundle  # the HTML holds the drawing once, in theme colours
    assert "<svg" in bundle["text/html"]
    assert "fresh" in bundle["text/html"]
    assert bundle["text/plain"] == view.text()
    assert set(view._repr_mimebundle_(include={"text/plain"})) == {"text/plain"}
    assert "text/html" not in view._repr_mimebundle_(exclude={"text/html"})


def test_widget_refresh_button_redraws(instance: Instance) -> None:
    defs = make_defs()
    view = GraphView(defs, instance.run_store)
    shown = view.widget.children[1]
    assert "never materialized" in shown.value
    materialize(defs.assets, instance=instance)
    view.widget.children[0].children[0].click()
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
    view = GraphView(defs, instance.run_store, open_groups=["all"])
    assert len(view.statuses) == 500
    rects = boxes(view.svg)
    assert len(rects) == 500
    positions: set[tuple[Any, Any]] = {(r.attrib["x"], r.attrib["y"]) for r in rects.values()}
    assert len(positions) == 500  # no two boxes overlap
    assert len(re.findall(EDGE, view.svg)) == sum(
        len(item.upstream) for item in view.statuses.values()
    )


def chain(names: list[str]) -> list[Asset]:
    made: list[Asset] = []
    for index, name in enumerate(names):

        def body() -> int:
            return 1

        made.append(asset(name=name, deps=[names[index - 1]] if index else [])(body))
    return made


def drawn_names(svg: str) -> list[str]:
    """The bold lines of each box joined: the names as drawn."""
    root = ElementTree.fromstring(svg)
    names = []
    for group in root.iter(f"{SVG}g"):
        bold = [t.text or "" for t in group.iter(f"{SVG}text") if t.get("font-weight") == "bold"]
        names.append("".join(bold))
    return names


def test_a_chain_of_long_names_fits_and_names_are_whole(instance: Instance) -> None:
    names = [
        "customer_orders_from_the_warehouse",
        "orders_cleaned_and_deduplicated",
        "daily_revenue_by_region_and_product",
        "revenue_report",
    ]
    view = GraphView(Definitions(assets=chain(names)), instance.run_store)
    width = float(ElementTree.fromstring(view.svg).attrib["width"])
    assert width <= 1000  # fits a 1280 px window beside JupyterLab's file browser
    assert sorted(drawn_names(view.svg)) == sorted(names)  # wrapped, never cut
    assert "…" not in "".join(drawn_names(view.svg))


def test_a_long_chain_is_drawn_top_to_bottom(instance: Instance) -> None:
    view = GraphView(Definitions(assets=chain([f"step_{i}" for i in range(8)])), instance.run_store)
    root = ElementTree.fromstring(view.svg)
    assert root.attrib["data-direction"] == "down"
    assert float(root.attrib["width"]) <= 400
    y = {key: float(rect.attrib["y"]) for key, rect in boxes(view.svg).items()}
    assert y["step_0"] < y["step_1"] < y["step_7"]


def test_colours_come_from_the_theme(instance: Instance) -> None:
    view = GraphView(make_defs(), instance.run_store)
    html = view.html()
    # every fixed colour is only a fallback of a JupyterLab variable
    for match in re.finditer(r"#[0-9a-fA-F]{3,6}\b", html):
        before = html[: match.start()]
        assert before.rstrip().endswith(","), match.group()
        assert "var(--jp-" in before[-40:], match.group()
    assert "--jp-ui-font-color1" in html
    assert "--jp-layout-color1" in html
    assert html.count("class='wb-chip'") == 5  # the legend's chips carry their colours


def grouped_assets(groups: int, per_group: int) -> list[Asset]:
    made: list[Asset] = []
    for group in range(groups):
        for index in range(per_group):
            deps = [f"g{group}_a{index - 1}"] if index else []
            if group and not index:
                deps = [f"g{group - 1}_a{per_group - 1}"]

            def body() -> int:
                return 1

            made.append(
                asset(name=f"g{group}_a{index}", group_name=f"group_{group}", deps=deps)(body)
            )
    return made


def bundle_size(view: GraphView) -> int:
    return sum(len(str(value).encode()) for value in view._repr_mimebundle_().values())


def test_two_thousand_assets_open_collapsed_under_200_kb(instance: Instance) -> None:
    view = GraphView(Definitions(assets=grouped_assets(20, 100)), instance.run_store)
    assert len(view.statuses) == 2000
    assert set(view.collapsed) == {f"group_{i}" for i in range(20)}
    assert len(boxes(view.svg)) == 20
    assert bundle_size(view) < 200_000
    assert "group group_3: 100 assets: 100 missing (open with --open group_3)" in view.text()
    view.open_group("group_3")
    assert "group_3" not in view.collapsed
    assert len(boxes(view.svg)) == 19 + 100
    single = GraphView(Definitions(assets=many_assets(2000)), instance.run_store)
    assert bundle_size(single) < 200_000


def test_the_widget_opens_a_group(instance: Instance) -> None:
    view = GraphView(Definitions(assets=grouped_assets(6, 15)), instance.run_store)
    picker = view.widget.children[0].children[1]
    assert [value for _label, value in picker.options][1:] == [f"group_{i}" for i in range(6)]
    picker.value = "group_2"
    assert "g2_a14" in view.widget.children[1].value
    assert "group_2" not in view.collapsed


def test_a_selection_narrows_the_graph(instance: Instance) -> None:
    from workbench.core.graph import as_selection

    view = GraphView(make_defs(), instance.run_store, selection=as_selection("key:middle+"))
    assert list(view.statuses) == ["middle", "sink"]
    assert view.statuses["sink"].upstream == ("middle",)
    assert set(boxes(view.svg)) == {"middle", "sink"}
