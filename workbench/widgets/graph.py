"""The asset graph as inline SVG (a layered layout, no graphviz), each asset with its status."""

from __future__ import annotations

import heapq
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from workbench.core.asset import AssetKey
from workbench.core.run import EventType, RunStatus, RunStore
from workbench.core.versions import NEVER_MATERIALIZED, stale_assets
from workbench.widgets._display import bundle, esc, select
from workbench.widgets._graph_svg import Node, layered_layout, legend_html, render_svg
from workbench.widgets._theme import STYLE_SHEET, colour

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping, Sequence, Set

    from workbench.core.definitions import Definitions
    from workbench.core.graph import AssetGraph

__all__ = [
    "AssetStatus",
    "GraphView",
    "asset_statuses",
    "failed_steps",
    "layered_layout",
    "render_svg",
    "select_statuses",
    "status_of",
]

FRESH, STALE, MISSING, FAILED, EXTERNAL = "fresh", "stale", "missing", "failed", "external"
RUNS_SCANNED = 200
"""How many recent runs to read when looking for each asset's latest step outcome."""

COLLAPSE_AFTER = 60
"""A graph with more assets than this shows each large group as one box."""
GROUP_LIMIT = 12
"""A group with more assets than this is collapsed (past :data:`COLLAPSE_AFTER`)."""
_SEVERITY = (FAILED, STALE, MISSING, FRESH, EXTERNAL)


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


def failed_steps(
    store: RunStore,
    names: set[str],
    *,
    op_jobs: Set[str] = frozenset(),
    limit: int = RUNS_SCANNED,
) -> dict[str, tuple[str, str]]:
    """Step name -> (run id, error), for each step whose latest run ended it in failure.

    Runs of ``op_jobs`` are passed over: an op's step may share an asset's name. Either
    engine's run store will do (the Dagster engine reads its instance through one, see #15).
    """
    pending = set(names)
    failed: dict[str, tuple[str, str]] = {}
    for record in store.list_runs(limit=limit):
        if not pending:
            break
        if record.job_name in op_jobs:  # an op's step may share an asset's name
            continue
        here = pending.intersection(record.steps)
        if not here:
            continue
        outcome: dict[str, EventType] = {}
        messages: dict[str, str] = {}
        for event in store.get_events(
            record.run_id,
            event_types=(EventType.STEP_SUCCESS, EventType.STEP_FAILURE, EventType.STEP_SKIPPED),
        ):
            if event.step_key in here:
                outcome[event.step_key] = event.event_type
                messages[event.step_key] = event.message
        for name in here:
            last = outcome.get(name)
            if last is None and record.status is not RunStatus.FAILURE:
                continue  # still running (or abandoned) before reaching it: look further back
            pending.discard(name)
            if last is EventType.STEP_FAILURE:
                failed[name] = (record.run_id, _error_of(messages.get(name, "")))
            elif last is None:
                failed[name] = (record.run_id, _error_of(record.error or "the run failed first"))
    return failed


def _error_of(message: str) -> str:
    """An error's last line, without the ``step 'x' failed:`` prefix the run log adds."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    text = lines[-1] if lines else "failed"
    if text.startswith("step '") and " failed: " in text:
        text = text.split(" failed: ", 1)[1]
    return text


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
    op_jobs = {job.name for job in defs.jobs if not job.is_asset_job}
    failed_runs = failed_steps(store, set(steps), op_jobs=op_jobs, limit=runs_scanned)
    failed = {key: found for name, found in failed_runs.items() for key in steps[name]}
    found: dict[str, AssetStatus] = {}
    for key in graph.toposort():
        upstream = tuple(up.to_user_string() for up in graph.upstream.get(key, ()))
        text = key.to_user_string()
        if graph.assets.get(key) is None:
            status, reason = EXTERNAL, "not materialized here"
        elif key in failed:
            run_id, error = failed[key]
            status, reason = FAILED, f"{error} (run {run_id[:8]})"
        elif stale.get(key) == NEVER_MATERIALIZED:
            status, reason = MISSING, NEVER_MATERIALIZED
        elif key in stale:
            status, reason = STALE, stale[key]
        else:
            status, reason = FRESH, ""
        found[text] = AssetStatus(text, status, reason, upstream)
    return found


def select_statuses(
    statuses: Mapping[str, AssetStatus], chosen: Collection[str]
) -> dict[str, AssetStatus]:
    """The statuses of the ``chosen`` keys, each keeping only upstream edges among them."""
    return {
        key: replace(status, upstream=tuple(up for up in status.upstream if up in chosen))
        for key, status in statuses.items()
        if key in chosen
    }


class GraphView:
    """The asset graph with each asset's status: fresh, stale (and why), missing or failed.

    A large graph shows each large group as one box (its assets' statuses counted); open a
    group with ``open_groups`` (``"all"`` opens every one) or the widget's group picker, or
    narrow the graph with ``selection`` (the syntax ``materialize`` takes).

    Attributes:
        statuses: asset key (user string) -> :class:`AssetStatus`, upstream first, of the
            selected assets.
        nodes: the boxes drawn (assets, and collapsed groups as ``group:NAME``).
        collapsed: group name -> the keys of its assets, for each group shown as one box.
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
        self.nodes: dict[str, Node] = {}
        self.collapsed: dict[str, list[str]] = {}
        self.svg = ""
        self._widget: Any = None
        self._picker: Any = None
        self.refresh()

    @property
    def graph(self) -> AssetGraph:
        """The definitions' asset graph."""
        return self.defs.asset_graph

    def refresh(self) -> None:
        """Read the run store again and redraw."""
        statuses = asset_statuses(self.defs, self.store)
        if self.selection is not None:
            chosen = {key.to_user_string() for key in self.selection.resolve(self.graph)}
            statuses = select_statuses(statuses, chosen)
        self.statuses = statuses
        self._draw()

    def open_group(self, name: str) -> None:
        """Show a collapsed group's assets (``"all"`` for every group)."""
        self.open_groups = (*self.open_groups, name)
        self._draw()

    def _draw(self) -> None:
        self.collapsed = _groups_to_collapse(self.statuses, self._group_of, self.open_groups)
        self.nodes = _nodes(self.statuses, self.collapsed)
        self.svg = render_svg(self.nodes)
        if self._widget is not None:
            self._widget.children[1].value = self.html()
            self._picker.options = [("open a group…", ""), *self._group_choices()]

    def _group_of(self, key: str) -> str:
        specs = getattr(self.graph, "specs", None)  # an engine's own graph may not have them
        spec = specs.get(AssetKey.from_user_string(key)) if isinstance(specs, dict) else None
        return (spec.group_name if spec is not None else None) or "default"

    def _group_choices(self) -> list[tuple[str, str]]:
        return [(f"{name} ({len(keys)})", name) for name, keys in self.collapsed.items()]

    def html(self) -> str:
        """The legend, a note on collapsed groups, and the drawing in a scrollable box."""
        note = ""
        if self.collapsed:
            names = ", ".join(f"{name} ({len(keys)})" for name, keys in self.collapsed.items())
            note = (
                f"<div class='wb-graph-note'><small>{len(self.statuses)} assets; groups shown "
                f"as one box: {esc(names)}. Open one with the group picker, "
                "<code>%wb graph --open GROUP</code> or <code>--select</code>.</small></div>"
            )
        return (
            f"<style>{STYLE_SHEET}</style>"
            f"{legend_html()}{note}<div class='wb-graph' style='overflow:auto;max-height:75vh;"
            f"max-width:100%'>{self.svg}</div>"
        )

    def text(self) -> str:
        """Each asset (or collapsed group), its status (with why) and its upstream."""
        if not self.statuses:
            return (
                "no assets are selected"
                if self.selection is not None
                else ("no assets are defined")
            )
        lines = []
        for node in self.nodes.values():
            if node.key.startswith("group:"):
                name = node.key.removeprefix("group:")
                lines.append(f"{node.title}: {node.detail} (open with --open {name})")
                continue
            status = self.statuses[node.key]
            reason = f" ({status.reason})" if status.reason else ""
            ups = f" <- {', '.join(node.upstream)}" if node.upstream else ""
            lines.append(f"{status.key}: {status.status}{reason}{ups}")
        return "\n".join(lines)

    @property
    def widget(self) -> Any:
        """A Refresh button and a group picker above the drawing (made on first use)."""
        if self._widget is None:
            button = widgets.Button(description="Refresh", icon="refresh")
            self._picker = widgets.Dropdown(
                options=[("open a group…", ""), *self._group_choices()], value=""
            )
            shown = widgets.HTML(self.html())
            self._widget = widgets.VBox([widgets.HBox([button, self._picker]), shown])
            self._widget.add_class("wb-graph-view")
            button.on_click(lambda _button: self._guarded(shown, self.refresh))
            self._picker.observe(lambda change: self._picked(shown, change["new"]), names="value")
        return self._widget

    def _picked(self, shown: Any, name: str) -> None:
        if name:
            self._guarded(shown, lambda: self.open_group(name))

    def _guarded(self, shown: Any, action: Any) -> None:
        try:
            action()
        except Exception as exc:  # never raise into the notebook from a widget callback
            shown.value = (
                f"<span style='color:{colour('error')}'>"
                f"{esc(type(exc).__name__)}: {esc(exc)}</span>"
            )

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        if self._widget is not None:
            return bundle(self._widget, self.text(), self.html(), include, exclude)
        return select(bundle(None, self.text(), self.html()), include, exclude)

    def __repr__(self) -> str:
        counts: dict[str, int] = {}
        for status in self.statuses.values():
            counts[status.status] = counts.get(status.status, 0) + 1
        summary = ", ".join(f"{count} {name}" for name, count in sorted(counts.items()))
        return f"GraphView({summary or 'no assets'})"


def _groups_to_collapse(
    statuses: Mapping[str, AssetStatus], group_of: Any, open_groups: Sequence[str]
) -> dict[str, list[str]]:
    """The large groups to show as one box each (none when the graph is small)."""
    if len(statuses) <= COLLAPSE_AFTER or "all" in open_groups:
        return {}
    members: dict[str, list[str]] = {}
    for key in statuses:
        members.setdefault(group_of(key), []).append(key)
    return {
        name: keys
        for name, keys in members.items()
        if len(keys) > GROUP_LIMIT and name not in open_groups
    }


def _nodes(
    statuses: Mapping[str, AssetStatus], collapsed: Mapping[str, Sequence[str]]
) -> dict[str, Node]:
    """The boxes to draw: each shown asset, and one box per collapsed group."""
    box_of = {key: f"group:{name}" for name, keys in collapsed.items() for key in keys}
    nodes: dict[str, Node] = {}
    group_upstream: dict[str, dict[str, None]] = {box: {} for box in set(box_of.values())}
    for key, status in statuses.items():
        ups = tuple(dict.fromkeys(box_of.get(up, up) for up in status.upstream))
        box = box_of.get(key)
        if box is not None:
            group_upstream[box].update((up, None) for up in ups if up != box)
            continue
        detail = status.status + (f": {status.reason}" if status.reason else "")
        nodes[key] = Node(key, key, detail, status.status, ups, detail)
    for name, keys in collapsed.items():
        box = f"group:{name}"
        counts: dict[str, int] = {}
        for key in keys:
            counts[statuses[key].status] = counts.get(statuses[key].status, 0) + 1
        worst = next(status for status in _SEVERITY if status in counts)
        detail = f"{len(keys)} assets: " + ", ".join(
            f"{counts[status]} {status}" for status in _SEVERITY if status in counts
        )
        nodes[box] = Node(box, f"group {name}", detail, worst, tuple(group_upstream[box]), detail)
    first_seen = list(dict.fromkeys(box_of.get(key, key) for key in statuses))
    return {box: nodes[box] for box in _upstream_first(first_seen, nodes)}


def _upstream_first(order: Sequence[str], nodes: Mapping[str, Node]) -> list[str]:
    """Boxes with every upstream box before them (groups may form cycles: those keep order)."""
    rank = {box: index for index, box in enumerate(order)}
    waiting = {box: {up for up in nodes[box].upstream if up in rank and up != box} for box in order}
    below: dict[str, list[str]] = {box: [] for box in order}
    for box, ups in waiting.items():
        for up in ups:
            below[up].append(box)
    ready = [rank[box] for box in order if not waiting[box]]
    heapq.heapify(ready)
    done: list[str] = []
    placed: set[str] = set()
    while len(done) < len(order):
        if not ready:  # a cycle between groups: take the earliest box left
            ready = [next(rank[box] for box in order if box not in placed)]
        box = order[heapq.heappop(ready)]
        if box in placed:
            continue
        done.append(box)
        placed.add(box)
        for down in below[box]:
            waiting[down].discard(box)
            if not waiting[down] and down not in placed:
                heapq.heappush(ready, rank[down])
    return done


def status_of(view: GraphView, key: AssetKey | str) -> AssetStatus:
    """One asset's status in ``view``."""
    text = key.to_user_string() if isinstance(key, AssetKey) else key
    return view.statuses[text]
