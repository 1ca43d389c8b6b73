"""The asset graph: dependencies, topological order, cycles and selections."""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING, Any

from workbench.core._arguments import check_arguments
from workbench.core._suggest import closest
from workbench.core.asset import Asset, AssetKey, AssetSpec
from workbench.core.job import Job
from workbench.core.keys import path_hint, selection_key
from workbench.errors import DagsterInvalidDefinitionError, DefinitionError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

__all__ = [
    "AssetGraph",
    "AssetSelection",
    "as_selection",
    "define_asset_job",
    "find_cycle",
    "topological_order",
]


def topological_order(nodes: Iterable[str], upstream: Mapping[str, Iterable[str]]) -> list[str]:
    """Order nodes so each comes after its upstreams (stable: ties keep the given order).

    Raises:
        DefinitionError: naming a cycle if there is one.
    """
    order_index = {node: index for index, node in enumerate(nodes)}
    indegree = dict.fromkeys(order_index, 0)
    downstream: dict[str, list[str]] = {node: [] for node in order_index}
    for node in order_index:
        for parent in upstream.get(node, ()):
            if parent in order_index:
                indegree[node] += 1
                downstream[parent].append(node)
    ready = [(index, node) for node, index in order_index.items() if indegree[node] == 0]
    heapq.heapify(ready)
    result: list[str] = []
    while ready:
        _, node = heapq.heappop(ready)
        result.append(node)
        for child in downstream[node]:
            indegree[child] -= 1
            if indegree[child] == 0:
                heapq.heappush(ready, (order_index[child], child))
    if len(result) != len(order_index):
        cycle = find_cycle([node for node in order_index if indegree[node] > 0], upstream)
        raise DagsterInvalidDefinitionError(
            f"dependency cycle: {' -> '.join(cycle)}; remove one of these dependencies"
        )
    return result


def find_cycle(nodes: Sequence[str], upstream: Mapping[str, Iterable[str]]) -> list[str]:
    """Return one cycle among ``nodes`` as ``[a, b, ..., a]`` (empty if there is none)."""
    members = set(nodes)
    for start in nodes:
        path: list[str] = [start]
        seen = {start}
        node = start
        while True:
            parents = [parent for parent in upstream.get(node, ()) if parent in members]
            if not parents:
                break
            node = parents[0]
            if node in seen:
                return [*path[path.index(node) :], node]
            path.append(node)
            seen.add(node)
    return []


class AssetGraph:
    """Assets by key, with upstream and downstream edges.

    Attributes:
        assets: the definition that materializes each key (None for a bare AssetSpec).
        upstream: each key's upstream keys.
        downstream: each key's downstream keys.
    """

    def __init__(self, items: Iterable[Asset | AssetSpec]) -> None:
        self.definitions: list[Asset] = []
        self.assets: dict[AssetKey, Asset | None] = {}
        self.specs: dict[AssetKey, AssetSpec] = {}
        problems: list[str] = []
        for item in items:
            keys = item.keys if isinstance(item, Asset) else (item.key,)
            for key in keys:
                if key in self.assets:
                    problems.append(
                        f"asset key {key.to_user_string()!r} is defined twice; rename one "
                        "(name=, key_prefix=) or remove the duplicate"
                    )
                self.assets[key] = item if isinstance(item, Asset) else None
            if isinstance(item, Asset):
                self.definitions.append(item)
                for spec in item.specs:
                    self.specs[spec.key] = spec
            else:
                self.specs[item.key] = item
        self.definitions = [self._resolve_inputs(item, problems) for item in self.definitions]
        for item in self.definitions:
            for key in item.keys:
                self.assets[key] = item
            for name, up in item.ins.items():
                if up in item.keys:
                    # upstream_keys drops its own keys, so say so here (else the step fails)
                    problems.append(
                        f"asset {up.to_user_string()!r} depends on itself through parameter "
                        f"{name!r}; rename the parameter, or point it at another asset with "
                        f"ins={{{name!r}: AssetIn(key=...)}}"
                    )
        self.upstream: dict[AssetKey, tuple[AssetKey, ...]] = {}
        for key, spec in self.specs.items():
            owner = self.assets.get(key)
            ups = owner.upstream_keys if owner is not None else spec.deps
            self.upstream[key] = tuple(ups)
            for up in ups:
                if up not in self.assets:
                    problems.append(self._unknown_upstream(key, up))
        self.downstream: dict[AssetKey, list[AssetKey]] = {key: [] for key in self.specs}
        for key, ups in self.upstream.items():
            for up in ups:
                if up in self.downstream:
                    self.downstream[up].append(key)
        self.problems = problems

    def _resolve_inputs(self, item: Asset, problems: list[str]) -> Asset:
        mapping: dict[AssetKey, AssetKey] = {}
        for up in [*item.ins.values(), *item.deps]:
            if up in self.assets or len(up.path) != 1:
                continue
            same_name = [key for key in self.assets if key.path[-1] == up.path[0]]
            if len(same_name) == 1:
                mapping[up] = same_name[0]
        return item.with_key_map(mapping) if mapping else item

    def _unknown_upstream(self, key: AssetKey, up: AssetKey) -> str:
        names = [known.to_user_string() for known in self.assets]
        match = closest(up.to_user_string(), names)
        hint = (
            path_hint(up, self.assets)
            or (f"did you mean {match!r}?" if match else None)
            or "define it, or add an AssetSpec for it"
        )
        return (
            f"asset {key.to_user_string()!r} depends on {up.to_user_string()!r}, "
            f"which is not defined; {hint}"
        )

    def storage_of(self, key: AssetKey) -> tuple[str, dict[str, Any]]:
        """The IO manager key that stores ``key``, and the resources its owner carries.

        A source asset (an AssetSpec, say ``@observable_source_asset(io_manager_def=...)``)
        may name its own IO manager; every other key is stored by its asset's.
        """
        owner: Any = self.assets.get(key) or self.specs.get(key)
        if isinstance(owner, Asset):
            return owner.io_manager_key_of(key), dict(owner.resource_defs)
        manager_key = getattr(owner, "io_manager_key", None) or "io_manager"
        return manager_key, dict(getattr(owner, "resource_defs", None) or {})

    def toposort(self, keys: Iterable[AssetKey] | None = None) -> list[AssetKey]:
        """Order ``keys`` (all by default) upstream first."""
        wanted = list(self.specs) if keys is None else list(keys)
        order = topological_order(
            [_node(key) for key in wanted],
            {_node(key): [_node(up) for up in self.upstream.get(key, ())] for key in wanted},
        )
        return _reorder(wanted, order)

    def upstream_closure(self, keys: Iterable[AssetKey], depth: int | None = None) -> set[AssetKey]:
        """``keys`` and everything upstream of them (to ``depth`` levels)."""
        return self._closure(keys, self.upstream, depth)

    def downstream_closure(
        self, keys: Iterable[AssetKey], depth: int | None = None
    ) -> set[AssetKey]:
        """``keys`` and everything downstream of them (to ``depth`` levels)."""
        return self._closure(keys, self.downstream, depth)

    @staticmethod
    def _closure(
        keys: Iterable[AssetKey], edges: Mapping[AssetKey, Sequence[AssetKey]], depth: int | None
    ) -> set[AssetKey]:
        found = set(keys)
        frontier = list(found)
        level = 0
        while frontier and (depth is None or level < depth):
            level += 1
            following = []
            for key in frontier:
                for other in edges.get(key, ()):
                    if other not in found:
                        found.add(other)
                        following.append(other)
            frontier = following
        return found


def _node(key: AssetKey) -> str:
    """A key as one node name: its user string, a ``/`` inside a part escaped.

    ``AssetKey(["a/b"])`` and ``AssetKey(["a", "b"])`` are two assets (#13).
    """
    return "/".join(part.replace("\\", "\\\\").replace("/", "\\/") for part in key.path)


def _reorder(wanted: list[AssetKey], order: list[str]) -> list[AssetKey]:
    by_node = {_node(key): key for key in wanted}
    return [by_node[node] for node in order]


class AssetSelection:
    """A set of assets, resolved against the assets of a Definitions.

    Example:
        >>> AssetSelection.keys("a").downstream() | AssetSelection.groups("raw")
        AssetSelection(keys(a).downstream() | groups(raw))
    """

    def __init__(self, resolve: Callable[[AssetGraph], set[AssetKey]], text: str) -> None:
        self._resolve = resolve
        self._text = text

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        """The selected keys in ``graph``."""
        return self._resolve(graph)

    @classmethod
    def all(cls) -> AssetSelection:
        """Every asset that can be materialized."""
        return cls(lambda graph: {key for key, item in graph.assets.items() if item}, "all()")

    @classmethod
    def keys(cls, *keys: AssetKey | str | Sequence[str]) -> AssetSelection:
        """The named assets (``"a/b"`` strings are paths here, lists of parts or AssetKeys)."""
        wanted = [selection_key(key) for key in keys]

        def resolve(graph: AssetGraph) -> set[AssetKey]:
            missing = [key.to_user_string() for key in wanted if key not in graph.assets]
            if missing:
                names = [key.to_user_string() for key in graph.assets]
                hints = [
                    f"{name!r}" + (f" (did you mean {match!r}?)" if match else "")
                    for name in missing
                    for match in [closest(name, names)]
                ]
                raise DefinitionError(
                    f"selection names assets that are not defined: {', '.join(hints)}"
                )
            return set(wanted)

        return cls(resolve, f"keys({', '.join(key.to_user_string() for key in wanted)})")

    @classmethod
    def assets(cls, *items: Asset | AssetSpec | AssetKey | str) -> AssetSelection:
        """The assets of these definitions."""
        keys: list[AssetKey] = []
        for item in items:
            if isinstance(item, Asset):
                keys.extend(item.keys)
            else:
                keys.append(item.key if isinstance(item, AssetSpec) else selection_key(item))
        return cls.keys(*keys)

    @classmethod
    def groups(cls, *names: str) -> AssetSelection:
        """The assets in these groups."""
        wanted = set(names)
        return cls(
            lambda graph: {
                key
                for key, spec in graph.specs.items()
                if (spec.group_name or "default") in wanted and graph.assets.get(key)
            },
            f"groups({', '.join(names)})",
        )

    @classmethod
    def from_string(cls, text: str) -> AssetSelection:
        """Parse ``"key:a"``, ``"key:a+"``, ``"+key:a"``, ``"group:g"`` or ``"*"``.

        Parts may be joined by `` or ``.
        """
        parts = [part.strip() for part in text.split(" or ")]
        selection: AssetSelection | None = None
        for part in parts:
            if part in ("*", ""):
                current = cls.all()
            else:
                up, down = part.startswith("+"), part.endswith("+")
                body = part.strip("+")
                kind, _, value = body.partition(":")
                if not value:
                    kind, value = "key", kind
                if kind == "key":
                    current = cls.keys(value)
                elif kind == "group":
                    current = cls.groups(value)
                else:
                    raise DefinitionError(
                        f"selection {text!r}: unknown attribute {kind!r}; use key: or group:"
                    )
                if up:
                    current = current.upstream()
                if down:
                    current = current.downstream()
            selection = current if selection is None else selection | current
        assert selection is not None
        return selection

    def required_multi_asset_neighbors(self) -> AssetSelection:
        """This selection plus the other assets of each multi_asset that cannot run in part."""

        def resolve(graph: AssetGraph) -> set[AssetKey]:
            chosen = self.resolve(graph)
            for key in list(chosen):
                owner = graph.assets.get(key)
                if owner is not None and not owner.can_subset:
                    chosen.update(owner.keys)
            return chosen

        return AssetSelection(resolve, f"{self._text}.required_multi_asset_neighbors()")

    def upstream(self, depth: int | None = None) -> AssetSelection:
        """This selection and everything upstream of it."""
        return AssetSelection(
            lambda graph: {
                key
                for key in graph.upstream_closure(self.resolve(graph), depth)
                if graph.assets.get(key)
            },
            f"{self._text}.upstream()",
        )

    def downstream(self, depth: int | None = None) -> AssetSelection:
        """This selection and everything downstream of it."""
        return AssetSelection(
            lambda graph: graph.downstream_closure(self.resolve(graph), depth),
            f"{self._text}.downstream()",
        )

    def __or__(self, other: AssetSelection) -> AssetSelection:
        return AssetSelection(
            lambda graph: self.resolve(graph) | other.resolve(graph),
            f"{self._text} | {other._text}",
        )

    def __and__(self, other: AssetSelection) -> AssetSelection:
        return AssetSelection(
            lambda graph: self.resolve(graph) & other.resolve(graph),
            f"{self._text} & {other._text}",
        )

    def __sub__(self, other: AssetSelection) -> AssetSelection:
        return AssetSelection(
            lambda graph: self.resolve(graph) - other.resolve(graph),
            f"{self._text} - {other._text}",
        )

    def __repr__(self) -> str:
        return f"AssetSelection({self._text})"


def as_selection(value: Any) -> AssetSelection:
    """Accept an AssetSelection, a string selection, or a list of keys/assets."""
    if value is None:
        return AssetSelection.all()
    if isinstance(value, AssetSelection):
        return value
    if isinstance(value, str):
        if ":" in value or value == "*" or value.endswith("+") or value.startswith("+"):
            return AssetSelection.from_string(value)
        return AssetSelection.keys(value)
    if isinstance(value, Asset | AssetSpec | AssetKey):
        return AssetSelection.assets(value)
    return AssetSelection.assets(*value)


def define_asset_job(
    name: str,
    selection: Any = None,
    config: Any = None,
    description: str | None = None,
    tags: Mapping[str, str] | None = None,
    **dagster_options: Any,
) -> Job:
    """Declare a job that materializes a selection of assets (all by default).

    The job is resolved against the assets of the Definitions that hold it.
    """
    check_arguments("define_asset_job", dagster_options, define_asset_job)
    return Job(
        name,
        config=config,
        tags=tags,
        description=description,
        asset_selection=as_selection(selection),
    )
