"""Drawing the asset graph as inline SVG: layers, wrapped names, theme colours (no graphviz).

Colours come from JupyterLab's CSS variables (with light fallbacks for other front ends), so
the drawing follows the light and dark themes; nothing is a fixed colour on its own.
"""

from __future__ import annotations

import hashlib
import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING

from workbench.widgets._display import esc
from workbench.widgets._theme import COLOURS, colour

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = ["STATUS_VARIABLES", "Node", "layered_layout", "legend_html", "render_svg", "wrap"]

STATUS_VARIABLES: dict[str, tuple[str, str]] = {
    status: COLOURS[role]
    for status, role in (
        ("fresh", "success"),
        ("stale", "warn"),
        ("missing", "border"),
        ("failed", "error"),
        ("external", "muted"),
    )
}
"""Status -> (JupyterLab CSS variable, fallback) of its colour."""

NAME_WIDTH = 24
"""Characters per line of a node's name (a longer name wraps; it is never cut)."""
DETAIL_WIDTH = 30
DETAIL_LINES = 3
LINE_HEIGHT = 14
BOX_WIDTH = 190
GAP_ALONG = 56
"""Space between layers, along the edges' direction."""
GAP_ACROSS = 14
MARGIN = 10
WIDE = 760
"""Left-to-right layouts wider than this are drawn top to bottom instead (when narrower so):
three layers fit; a notebook's output beside the file browser is about 850 px at 1280."""


@dataclass(frozen=True)
class Node:
    """One box: an asset, or a collapsed group of assets.

    Attributes:
        key: the asset key (user string) or ``group:NAME``.
        title: the name drawn in the box (wrapped, never cut).
        detail: the status and why (an error's last line for a failure).
        status: the status whose colour the box takes.
        upstream: the keys of the boxes it depends on.
        tooltip: the text shown on hover (the whole reason).
    """

    key: str
    title: str
    detail: str
    status: str
    upstream: tuple[str, ...]
    tooltip: str


def wrap(text: str, width: int) -> list[str]:
    """Break ``text`` into lines of at most ``width`` characters, after ``/ _ . -`` if possible."""
    spaced = text
    for mark in ("/", "_", ".", "-"):
        spaced = spaced.replace(mark, mark + "\u200b")
    lines = textwrap.wrap(
        spaced.replace("\u200b", " \u200b"),
        width=width + 1,
        break_long_words=True,
        break_on_hyphens=False,
    )
    joined = [line.replace(" \u200b", "").replace("\u200b", "").strip() for line in lines]
    return [line for line in joined if line] or [text]


def layered_layout(
    nodes: Sequence[str], upstream: Mapping[str, Sequence[str]], sweeps: int = 4
) -> list[list[str]]:
    """Place nodes in layers (longest path from a source) and order each layer.

    Args:
        nodes: every node, upstream first.
        upstream: each node's upstream nodes.
        sweeps: barycenter passes (down and up) that reduce edge crossings.

    Returns:
        The layers, first to last, each in drawing order.
    """
    layer: dict[str, int] = {}
    for node in nodes:
        parents = [layer[up] for up in upstream.get(node, ()) if up in layer]
        layer[node] = max(parents) + 1 if parents else 0
    layers: list[list[str]] = [[] for _ in range(max(layer.values(), default=-1) + 1)]
    for node in nodes:
        layers[layer[node]].append(node)
    downstream: dict[str, list[str]] = {node: [] for node in nodes}
    for node in nodes:
        for up in upstream.get(node, ()):
            if up in downstream:
                downstream[up].append(node)
    position = {node: float(index) for members in layers for index, node in enumerate(members)}

    def reorder(members: list[str], neighbours: Mapping[str, Sequence[str]]) -> list[str]:
        def centre(node: str) -> float:
            near = [position[other] for other in neighbours.get(node, ()) if other in position]
            return sum(near) / len(near) if near else position[node]

        ordered = sorted(members, key=centre)
        for index, node in enumerate(ordered):
            position[node] = float(index)
        return ordered

    for _ in range(sweeps):
        for index in range(1, len(layers)):
            layers[index] = reorder(layers[index], upstream)
        for index in range(len(layers) - 2, -1, -1):
            layers[index] = reorder(layers[index], downstream)
    return layers


def _lines(node: Node) -> tuple[list[str], list[str]]:
    title = wrap(node.title, NAME_WIDTH)
    detail = wrap(node.detail, DETAIL_WIDTH) if node.detail else []
    if len(detail) > DETAIL_LINES:
        detail = [*detail[: DETAIL_LINES - 1], detail[DETAIL_LINES - 1][: DETAIL_WIDTH - 1] + "…"]
    return title, detail


def _height(node: Node) -> int:
    title, detail = _lines(node)
    return 10 + LINE_HEIGHT * (len(title) + len(detail))


def _place(
    layers: list[list[str]], heights: Mapping[str, int], down: bool
) -> tuple[dict[str, tuple[float, float]], float, float]:
    """Top-left corner of each box, and the drawing's width and height."""
    where: dict[str, tuple[float, float]] = {}
    if down:  # each layer is a row
        widest = max((len(members) for members in layers), default=0)
        span = widest * (BOX_WIDTH + GAP_ACROSS) - GAP_ACROSS
        y = float(MARGIN)
        for members in layers:
            row = len(members) * (BOX_WIDTH + GAP_ACROSS) - GAP_ACROSS
            x = MARGIN + (span - row) / 2
            for key in members:
                where[key] = (x, y)
                x += BOX_WIDTH + GAP_ACROSS
            y += max(heights[key] for key in members) + GAP_ALONG
        return where, span + 2 * MARGIN, y - GAP_ALONG + MARGIN
    columns = [
        sum(heights[key] for key in members) + GAP_ACROSS * (len(members) - 1) for members in layers
    ]
    tallest = max(columns, default=0)
    x = float(MARGIN)
    for members, column in zip(layers, columns, strict=True):
        y = MARGIN + (tallest - column) / 2
        for key in members:
            where[key] = (x, y)
            y += heights[key] + GAP_ACROSS
        x += BOX_WIDTH + GAP_ALONG
    return where, x - GAP_ALONG + MARGIN, tallest + 2 * MARGIN


def _style(prefix: str) -> str:
    rules = [
        f".{prefix} text{{fill:{colour('text')}}}",
        f".{prefix} .wb-detail{{fill:{colour('muted')}}}",
        f".{prefix} .wb-edge{{stroke:{colour('border')};fill:none}}",
        f".{prefix} .wb-arrow{{fill:{colour('border')}}}",
    ]
    for status, (variable, fallback) in STATUS_VARIABLES.items():
        tint = f"var({variable},{fallback})"
        rules.append(
            f".{prefix} .wb-{status} rect{{stroke:{tint};"
            f"fill:color-mix(in srgb,{tint} 14%,{colour('background')})}}"
        )
    rules.append(f".{prefix} .wb-missing rect,.{prefix} .wb-external rect{{stroke-dasharray:4 3}}")
    rules.append(f".{prefix} .wb-group rect{{stroke-width:2.5}}")
    return f"<style>{''.join(rules)}</style>"


def render_svg(nodes: Mapping[str, Node], *, direction: str | None = None) -> str:
    """Draw the nodes in layers, each box coloured by status, edges from upstream.

    Args:
        nodes: the boxes, upstream first.
        direction: ``"right"`` or ``"down"``; by default right unless that is wider than
            :data:`WIDE` and down is narrower.
    """
    upstream = {key: node.upstream for key, node in nodes.items()}
    layers = layered_layout(list(nodes), upstream)
    heights = {key: _height(node) for key, node in nodes.items()}
    if direction is None:
        right_width = _place(layers, heights, down=False)[1]
        down_width = _place(layers, heights, down=True)[1]
        direction = "down" if right_width > WIDE and down_width < right_width else "right"
    down = direction == "down"
    where, width, height = _place(layers, heights, down=down)
    digest = hashlib.sha1("\n".join(nodes).encode()).hexdigest()[:10]
    prefix, marker = f"wb-graph-{digest}", f"wb-arrow-{digest}"
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' class='{prefix}' width='{max(width, 40):.0f}' "
        f"height='{max(height, 20):.0f}' font-family='sans-serif' font-size='11' "
        f"data-direction='{direction}'>{_style(prefix)}"
        f"<defs><marker id='{marker}' viewBox='0 0 8 8' refX='8' refY='4' markerWidth='7' "
        "markerHeight='7' orient='auto'><path class='wb-arrow' d='M0,0 L8,4 L0,8 z'/></marker>"
        "</defs>"
    ]
    for key, node in nodes.items():
        x2, y2 = where[key]
        for up in dict.fromkeys(node.upstream):
            if up not in where:
                continue
            x1, y1 = where[up]
            if down:
                sx, sy = x1 + BOX_WIDTH / 2, y1 + heights[up]
                ex, ey = x2 + BOX_WIDTH / 2, y2
                bend = (ey - sy) / 2
                curve = f"C{sx:.0f},{sy + bend:.0f} {ex:.0f},{ey - bend:.0f}"
            else:
                sx, sy = x1 + BOX_WIDTH, y1 + heights[up] / 2
                ex, ey = x2, y2 + heights[key] / 2
                bend = (ex - sx) / 2
                curve = f"C{sx + bend:.0f},{sy:.0f} {ex - bend:.0f},{ey:.0f}"
            parts.append(
                f"<path d='M{sx:.0f},{sy:.0f} {curve} {ex:.0f},{ey:.0f}' class='wb-edge' "
                f"marker-end='url(#{marker})'/>"
            )
    for key, node in nodes.items():
        x, y = where[key]
        title, detail = _lines(node)
        kind = " wb-group" if key.startswith("group:") else ""
        texts = [
            f"<text x='{x + 8:.0f}' y='{y + 16 + LINE_HEIGHT * row:.0f}' font-weight='bold'>"
            f"{esc(line)}</text>"
            for row, line in enumerate(title)
        ]
        texts += [
            f"<text class='wb-detail' x='{x + 8:.0f}' "
            f"y='{y + 16 + LINE_HEIGHT * (len(title) + row):.0f}'>{esc(line)}</text>"
            for row, line in enumerate(detail)
        ]
        parts.append(
            f"<g class='wb-{node.status}{kind}'><title>{esc(key)}\n{esc(node.tooltip)}</title>"
            f"<rect x='{x:.0f}' y='{y:.0f}' width='{BOX_WIDTH}' height='{heights[key]}' "
            f"rx='4'/>{''.join(texts)}</g>"
        )
    parts.append("</svg>")
    return "".join(parts)


def legend_html() -> str:
    """One chip per status, in the theme's colours."""
    chips = "".join(
        f"<span class='wb-chip' style='border:1px solid var({variable},{fallback});"
        f"background:color-mix(in srgb,var({variable},{fallback}) 14%,"
        f"{colour('background')});color:{colour('text')};"
        f"padding:0 6px;margin-right:6px;font-size:85%'>{status}</span>"
        for status, (variable, fallback) in STATUS_VARIABLES.items()
    )
    return f"<div class='wb-legend'>{chips}</div>"
