"""The asset graph as inline SVG (a layered layout, no graphviz), each asset with its status."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from workbench.core.asset import AssetKey
from workbench.core.run import EventType, RunStatus, RunStore
from workbench.core.versions import NEVER_MATERIALIZED, stale_assets
from workbench.widgets._display import bundle, esc, select

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from workbench.core.definitions import Definitions
    from workbench.core.graph import AssetGraph

__all__ = [
    "AssetStatus",
    "GraphView",
    "asset_statuses",
    "layered_layout",
    "render_svg",
    "status_of",
]

FRESH, STALE, MISSING, FAILED, EXTERNAL = "fresh", "stale", "missing", "failed", "external"
RUNS_SCANNED = 200
"""How many recent runs to read when looking for each asset's latest step outcome."""

_STYLE = {  # status -> (fill, stroke, dash)
    FRESH: ("#dafbe1", "#1a7f37", ""),
    STALE: ("#fff8c5", "#9a6700", ""),
    MISSING: ("#f6f8fa", "#8c959f", "4 3"),
    FAILED: ("#ffebe9", "#cf222e", ""),
    EXTERNAL: ("#ffffff", "#57606a", "2 2"),
}
_BOX_W, _BOX_H, _GAP_X, _GAP_Y, _MARGIN = 180, 38, 60, 14, 10


@dataclass(frozen=True)
class AssetStatus:
    """One asset's place in the graph and how current it is.

    Attributes:
        key: the asset key as a user string (``a/b``).
        status: ``fresh``, ``stale``, ``missing``, ``failed`` or ``external`` (an AssetSpec
            that nothing here materializes).
        reason: why it is stale or failed (empty when fresh).
        upstream: its upstream keys.
    """

    key: str
    status: str
    reason: str
    upstream: tuple[str, ...]


def _failed_steps(
    defs: Definitions, store: RunStore, names: set[str], limit: int
) -> dict[str, str]:
    """Step name -> run id, for each step whose latest run ended it in failure."""
    op_jobs = {job.name for job in defs.jobs if not job.is_asset_job}
    pending = set(names)
    failed: dict[str, str] = {}
    for record in store.list_runs(limit=limit):
        if not pending:
            break
        if record.job_name in op_jobs:  # an op's step may share an asset's name
            continue
        here = pending.intersection(record.steps)
        if not here:
            continue
        outcome: dict[str, EventType] = {}
        for event in store.get_events(
            record.run_id,
            event_types=(EventType.STEP_SUCCESS, EventType.STEP_FAILURE, EventType.STEP_SKIPPED),
        ):
            if event.step_key in here:
                outcome[event.step_key] = event.event_type
        for name in here:
            last = outcome.get(name)
            if last is None and record.status is not RunStatus.FAILURE:
                continue  # still running (or abandoned) before reaching it: look further back
            pending.discard(name)
            if last is EventType.STEP_FAILURE or last is None:
                failed[name] = record.run_id
    return failed


def asset_statuses(
    defs: Definitions, store: RunStore, *, runs_scanned: int = RUNS_SCANNED
) -> dict[str, AssetStatus]:
    """Each asset's status, upstream first.

    An asset is ``failed`` when its step failed in the latest run that contained it (or that
    run failed before reaching it), else ``missing`` if it was never materialized, else
    ``stale`` with the reason :func:`~workbench.core.versions.stale_assets` gives, else
    ``fresh``.
    """
    graph = defs.asset_graph
    stale = stale_assets(defs, store=store)
    steps = {item.name: item.keys for item in graph.definitions}
    failed_runs = _failed_steps(defs, store, set(steps), runs_scanned)
    failed = {key: run_id for name, run_id in failed_runs.items() for key in steps[name]}
    found: dict[str, AssetStatus] = {}
    for key in graph.toposort():
        upstream = tuple(up.to_user_string() for up in graph.upstream.get(key, ()))
        text = key.to_user_string()
        if graph.assets.get(key) is None:
            status, reason = EXTERNAL, "not materialized here"
        elif key in failed:
            status, reason = FAILED, f"failed in run {failed[key]}"
        elif stale.get(key) == NEVER_MATERIALIZED:
            status, reason = MISSING, NEVER_MATERIALIZED
        elif key in stale:
            status, reason = STALE, stale[key]
        else:
            status, reason = FRESH, ""
        found[text] = AssetStatus(text, status, reason, upstream)
    return found


def layered_layout(
    nodes: Sequence[str], upstream: Mapping[str, Sequence[str]], sweeps: int = 4
) -> list[list[str]]:
    """Place nodes in layers (longest path from a source) and order each layer.

    Args:
        nodes: every node, upstream first.
        upstream: each node's upstream nodes.
        sweeps: barycenter passes (down and up) that reduce edge crossings.

    Returns:
        The layers, left to right, each in drawing order (top to bottom).
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
    position = {node: float(index) for nodes_in in layers for index, node in enumerate(nodes_in)}

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


def _label(text: str, limit: int = 26) -> str:
    return text if len(text) <= limit else f"…{text[-(limit - 1) :]}"


def render_svg(statuses: Mapping[str, AssetStatus]) -> str:
    """Draw the graph: one box per asset, coloured by status, edges left to right."""
    upstream = {key: status.upstream for key, status in statuses.items()}
    layers = layered_layout(list(statuses), upstream)
    tallest = max((len(members) for members in layers), default=0)
    step_y = _BOX_H + _GAP_Y
    width = _MARGIN * 2 + len(layers) * (_BOX_W + _GAP_X) - _GAP_X
    height = _MARGIN * 2 + tallest * step_y - _GAP_Y
    where: dict[str, tuple[float, float]] = {}
    for column, members in enumerate(layers):
        offset = (tallest - len(members)) * step_y / 2
        for row, key in enumerate(members):
            where[key] = (_MARGIN + column * (_BOX_W + _GAP_X), _MARGIN + offset + row * step_y)
    marker = "wb-arrow-" + hashlib.sha1("\n".join(statuses).encode()).hexdigest()[:10]
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{max(width, 40)}' "
        f"height='{max(height, 20)}' font-family='sans-serif' font-size='11'>"
        f"<defs><marker id='{marker}' viewBox='0 0 8 8' refX='8' refY='4' markerWidth='7' "
        "markerHeight='7' orient='auto'><path d='M0,0 L8,4 L0,8 z' fill='#8c959f'/></marker>"
        "</defs>"
    ]
    for key, status in statuses.items():
        x2, y2 = where[key]
        for up in status.upstream:
            if up not in where:
                continue
            x1, y1 = where[up]
            sx, sy, ex, ey = x1 + _BOX_W, y1 + _BOX_H / 2, x2, y2 + _BOX_H / 2
            bend = (ex - sx) / 2
            parts.append(
                f"<path d='M{sx:.0f},{sy:.0f} C{sx + bend:.0f},{sy:.0f} {ex - bend:.0f},{ey:.0f} "
                f"{ex:.0f},{ey:.0f}' fill='none' stroke='#8c959f' marker-end='url(#{marker})'/>"
            )
    for key, status in statuses.items():
        x, y = where[key]
        fill, stroke, dash = _STYLE.get(status.status, _STYLE[MISSING])
        dashes = f" stroke-dasharray='{dash}'" if dash else ""
        detail = status.status + (f": {status.reason}" if status.reason else "")
        parts.append(
            f"<g><title>{esc(key)}\n{esc(detail)}</title>"
            f"<rect x='{x:.0f}' y='{y:.0f}' width='{_BOX_W}' height='{_BOX_H}' rx='4' "
            f"fill='{fill}' stroke='{stroke}'{dashes}/>"
            f"<text x='{x + 8:.0f}' y='{y + 15:.0f}' font-weight='bold'>{esc(_label(key))}</text>"
            f"<text x='{x + 8:.0f}' y='{y + 30:.0f}' fill='{stroke}'>"
            f"{esc(_label(detail, 30))}</text></g>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _legend() -> str:
    items = "".join(
        f"<span style='border:1px solid {stroke};background:{fill};padding:0 6px;"
        f"margin-right:6px;font-size:85%'>{name}</span>"
        for name, (fill, stroke, _dash) in _STYLE.items()
    )
    return f"<div>{items}</div>"


class GraphView:
    """The asset graph with each asset's status: fresh, stale (and why), missing or failed.

    Attributes:
        statuses: asset key (user string) -> :class:`AssetStatus`, upstream first.
        svg: the drawing (inline SVG, no graphviz).
    """

    def __init__(
        self,
        defs: Definitions,
        store: RunStore,
        *,
        selection: Any = None,
        open_groups: Sequence[str] = (),
    ) -> None:
        self.defs = defs
        self.store = store
        self.selection = selection
        self.open_groups = tuple(open_groups)
        self.statuses: dict[str, AssetStatus] = {}
        self.svg = ""
        self._widget: Any = None
        self.refresh()

    @property
    def graph(self) -> AssetGraph:
        """The definitions' asset graph."""
        return self.defs.asset_graph

    def refresh(self) -> None:
        """Read the run store again and redraw."""
        self.statuses = asset_statuses(self.defs, self.store)
        self.svg = render_svg(self.statuses)
        if self._widget is not None:
            self._widget.children[1].value = self.html()

    def html(self) -> str:
        """The legend and the drawing, in a scrollable box."""
        return f"{_legend()}<div style='overflow:auto;max-height:640px'>{self.svg}</div>"

    def text(self) -> str:
        """Each asset, its status (with why) and its upstream assets."""
        if not self.statuses:
            return "no assets are defined"
        lines = []
        for status in self.statuses.values():
            reason = f" ({status.reason})" if status.reason else ""
            ups = f" <- {', '.join(status.upstream)}" if status.upstream else ""
            lines.append(f"{status.key}: {status.status}{reason}{ups}")
        return "\n".join(lines)

    @property
    def widget(self) -> Any:
        """A Refresh button above the drawing (made on first use)."""
        if self._widget is None:
            button = widgets.Button(description="Refresh", icon="refresh")
            shown = widgets.HTML(self.html())
            self._widget = widgets.VBox([button, shown])
            button.on_click(lambda _button: self._refresh_shown(shown))
        return self._widget

    def _refresh_shown(self, shown: Any) -> None:
        try:
            self.refresh()
        except Exception as exc:  # never raise into the notebook from a widget callback
            shown.value = f"<span style='color:#cf222e'>{esc(type(exc).__name__)}: {esc(exc)}"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        data = bundle(None, self.text(), self.html())
        data["image/svg+xml"] = self.svg
        return select(data, include, exclude)

    def __repr__(self) -> str:
        counts: dict[str, int] = {}
        for status in self.statuses.values():
            counts[status.status] = counts.get(status.status, 0) + 1
        summary = ", ".join(f"{count} {name}" for name, count in sorted(counts.items()))
        return f"GraphView({summary or 'no assets'})"


def status_of(view: GraphView, key: AssetKey | str) -> AssetStatus:
    """One asset's status in ``view``."""
    text = key.to_user_string() if isinstance(key, AssetKey) else key
    return view.statuses[text]
