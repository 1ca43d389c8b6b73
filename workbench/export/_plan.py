"""The module's one ``@definitions`` function, planned from the notebook's own Definitions."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING

from workbench.errors import ExportError
from workbench.export._names import call_name, is_definitions_merge

if TYPE_CHECKING:
    from workbench.export.notebook import Unit

__all__ = [
    "LIST_FIELDS",
    "DefinitionsPlan",
    "Entry",
    "definitions_call",
    "definitions_merge",
    "plan_definitions",
    "simple_definitions",
]

LIST_FIELDS = ("assets", "asset_checks", "jobs", "sensors", "schedules")
"""Definitions arguments that hold lists, in the order the module writes them."""

_DEFINITIONS_FIELDS = ("assets", "schedules", "sensors", "jobs", "resources", "executor", "loggers")


@dataclass
class Entry:
    """One item of the module's Definitions: an element, a resource binding or a name."""

    unit: Unit | None
    node: ast.expr | None
    text: str | None = None
    key: str | None = None
    key_node: ast.expr | None = None
    splat: bool = False

    def where(self) -> str:
        """Where the entry is written: its cell and line."""
        assert self.unit is not None
        return self.unit.where(self.node.lineno if self.node is not None else None)

    def source(self) -> str:
        """The entry's raw source (for comparing two bindings of one key)."""
        if self.text is not None:
            return self.text
        assert self.unit is not None
        assert self.node is not None
        return self.unit.cell.text(*self.unit.cell.span(self.node))


@dataclass
class DefinitionsPlan:
    """The contents of the module's single ``@definitions`` function."""

    name: str
    lists: dict[str, list[Entry]]
    resources: list[Entry]
    singles: dict[str, Entry]
    merge_parts: list[Entry]
    """What ``Definitions.merge`` joins to the plan's own Definitions: calls of functions
    that build Definitions, or names holding Definitions export cannot see into."""
    docstring: str = "Every asset, job, sensor, schedule and resource of the notebook."
    """The function's docstring: the notebook's own ``@definitions`` function's, if it has one."""


def definitions_call(node: ast.AST | None) -> ast.Call | None:
    """``Definitions(...)`` with plain arguments (no ``*``/``**``), else None."""
    if not isinstance(node, ast.Call) or call_name(node) != "Definitions":
        return None
    if any(isinstance(arg, ast.Starred) for arg in node.args) or len(node.args) > 7:
        return None
    if any(keyword.arg is None for keyword in node.keywords):
        return None
    return node


def _returned(unit: Unit) -> ast.expr | None:
    """What a unit assigns, or what a function of no arguments returns in its one statement.

    A docstring before the ``return`` is allowed; anything else gives None.
    """
    node = unit.node
    if isinstance(node, ast.Assign | ast.AnnAssign):
        return node.value
    if isinstance(node, ast.FunctionDef) and not node.args.args and not node.args.kwonlyargs:
        body = node.body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]
        if len(body) == 1 and isinstance(body[0], ast.Return):
            return body[0].value
    return None


def simple_definitions(unit: Unit) -> ast.Call | None:
    """The plain ``Definitions(...)`` call a unit assigns or returns, else None."""
    return definitions_call(_returned(unit))


def definitions_merge(unit: Unit) -> ast.Call | None:
    """The ``Definitions.merge(...)`` call a unit assigns or returns, else None."""
    value = _returned(unit)
    if not is_definitions_merge(value) or not isinstance(value, ast.Call) or value.keywords:
        return None
    return value


def plan_definitions(
    calls: list[tuple[Unit, ast.Call]], parts: list[Entry], path: str
) -> DefinitionsPlan:
    """Merge the arguments of the notebook's plain ``Definitions(...)`` calls into one plan.

    An element listed by two calls (``base`` and ``defs = Definitions.merge(base, ...)`` both
    naming one asset) is listed once, and so is a merge part.

    Raises:
        ExportError: two calls set one argument, or bind one resource key, differently.
    """
    plan = DefinitionsPlan(name="defs", lists={}, resources=[], singles={}, merge_parts=[])
    for unit, call in calls:
        _entries(unit, call, plan, path)
    _dedupe_resources(plan, path)
    plan.lists = {name: _once(entries) for name, entries in plan.lists.items()}
    plan.merge_parts = _once(parts)
    return plan


def _once(entries: list[Entry]) -> list[Entry]:
    """The entries without repeats (same source), first place kept."""
    seen: set[tuple[bool, str]] = set()
    kept: list[Entry] = []
    for entry in entries:
        marker = (entry.splat, entry.source())
        if marker not in seen:
            seen.add(marker)
            kept.append(entry)
    return kept


def _entries(unit: Unit, call: ast.Call, plan: DefinitionsPlan, path: str) -> None:
    arguments = [
        *zip(_DEFINITIONS_FIELDS, call.args, strict=False),
        *((k.arg or "", k.value) for k in call.keywords),
    ]
    for name, value in arguments:
        if name == "resources":
            if isinstance(value, ast.Dict):
                for key, item in zip(value.keys, value.values, strict=True):
                    if key is None:
                        plan.resources.append(Entry(unit, item, splat=True))
                    else:
                        literal = key.value if isinstance(key, ast.Constant) else None
                        text = literal if isinstance(literal, str) else None
                        plan.resources.append(Entry(unit, item, key=text, key_node=key))
            else:
                plan.resources.append(Entry(unit, value, splat=True))
        elif name in LIST_FIELDS:
            items = plan.lists.setdefault(name, [])
            if isinstance(value, ast.List | ast.Tuple | ast.Set):
                items.extend(Entry(unit, element) for element in value.elts)
            else:
                items.append(Entry(unit, value, splat=True))
        else:
            entry = Entry(unit, value)
            other = plan.singles.get(name)
            if other is not None and other.source() != entry.source():
                assert other.unit is not None
                raise ExportError(
                    f"two Definitions set {name}= differently ({other.unit.where()} and "
                    f"{unit.where()}) in {path!r}; keep one of them",
                    path=path,
                    cell=unit.cell.number,
                    line=unit.line,
                )
            plan.singles[name] = entry


def _dedupe_resources(plan: DefinitionsPlan, path: str) -> None:
    seen: dict[str, Entry] = {}
    kept: list[Entry] = []
    for entry in plan.resources:
        if entry.key is None:
            kept.append(entry)
            continue
        other = seen.get(entry.key)
        if other is None:
            seen[entry.key] = entry
            kept.append(entry)
        elif other.source() != entry.source():
            assert entry.unit is not None
            raise ExportError(
                f"resource key {entry.key!r} is bound to two different resources: "
                f"{other.source()} ({other.where()}) and {entry.source()} "
                f"({entry.where()}) in {path!r}; bind the key once",
                path=path,
                cell=entry.unit.cell.number,
                line=entry.node.lineno if entry.node is not None else None,
            )
    plan.resources = kept
