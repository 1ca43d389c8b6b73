"""Choose the statements a module keeps, in an order where each name is defined before use."""

from __future__ import annotations

import ast
import heapq
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workbench.errors import ExportError
from workbench.export._names import (
    BUILTINS,
    DEF_TYPES,
    call_name,
    is_definitions_merge,
    names_of,
)
from workbench.export._plan import (
    LIST_FIELDS,
    DefinitionsPlan,
    Entry,
    definitions_call,
    definitions_merge,
    plan_definitions,
    simple_definitions,
)
from workbench.export.notebook import PARSE_ERRORS, Cell, Unit, listing, parse_units

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

__all__ = ["Selection", "choose_statements"]


@dataclass
class Selection:
    """What a module keeps, in order, and what its one Definitions must hold."""

    units: list[Unit]
    used_names: set[str]
    defined: dict[str, Unit]
    absorbed: list[Unit]
    merged_functions: list[Unit]
    loose: dict[str, list[Unit]]


def choose_statements(cells: list[Cell], path: str) -> tuple[Selection, DefinitionsPlan]:
    """Choose the statements a module keeps and plan its one ``@definitions`` function.

    Raises:
        ExportError: a syntax error, a name used but defined nowhere, or code whose order
            cannot be resolved.
    """
    parsed = parse_units(cells, path)
    definers: dict[str, list[Unit]] = {}
    for unit in parsed.units:
        for name in sorted(unit.defines):
            definers.setdefault(name, []).append(unit)
    effective = {name: units[-1] for name, units in definers.items()}

    def is_live(unit: Unit) -> bool:
        return unit.forced or any(effective[name] is unit for name in unit.defines)

    def previous(unit: Unit, name: str) -> Unit | None:
        earlier = [other for other in definers.get(name, []) if other.order < unit.order]
        return earlier[-1] if earlier else None

    live = [unit for unit in parsed.units if is_live(unit)]
    found: list[tuple[Unit, ast.Call]] = []
    merged: list[Unit] = []
    roots: list[Unit] = []
    for unit in live:
        call = simple_definitions(unit) or definitions_merge(unit)
        if unit.role != "definitions" and not (
            isinstance(unit.node, ast.Assign | ast.AnnAssign) and is_definitions_merge(call)
        ):
            call = None
        if call is not None:
            found.append((unit, call))
        elif unit.role == "definitions":
            merged.append(unit)
            roots.append(unit)
        elif unit.forced or isinstance(unit.node, DEF_TYPES) or unit.role is not None:
            roots.append(unit)
    absorbed = [unit for unit, _ in found]
    seen = {id(unit) for unit in [*absorbed, *merged]}
    calls: list[tuple[Unit, ast.Call]] = []
    parts: list[Entry] = []
    for unit, call in found:
        _flatten(unit, call, calls, parts, lambda name: id(effective.get(name)) in seen)
    plan = plan_definitions(calls, parts, path)
    absorbed_names = {name for unit in absorbed for name in unit.defines}

    kept: dict[int, Unit] = {}
    problems: list[tuple[str, Unit]] = []
    skipped = _skipped_names(cells)
    pending: list[tuple[str, Unit]] = []

    def keep(unit: Unit) -> None:
        if id(unit) in kept:
            return
        kept[id(unit)] = unit
        for name in sorted(unit.loads_now | unit.loads_later):
            pending.append((name, unit))
        for name in sorted(unit.self_loads):
            earlier = previous(unit, name)
            if earlier is not None:
                keep(earlier)
            elif name not in BUILTINS and not parsed.star:
                problems.append((name, unit))  # X = X + 1 with no X before it

    for unit in roots:
        keep(unit)
    for unit, call in calls:
        for name in sorted(names_of(call).loads - {"Definitions"}):
            pending.append((name, unit))
    for part in parts:
        assert part.unit is not None
        for name in sorted(names_of(part.node).loads):
            pending.append((name, part.unit))
    while pending:
        name, user = pending.pop()
        definer = effective.get(name)
        if definer is not None and definer not in absorbed:
            keep(definer)
        elif name not in BUILTINS and not parsed.star:
            problems.append((name, user))
    if problems:
        raise _undefined(problems, parsed.dropped, skipped, absorbed_names, path)

    chosen = sorted(kept.values(), key=lambda unit: unit.order)
    for unit in chosen:
        _refuse_self_dependency(unit, path)
    used: set[str] = set()
    for unit in [*chosen, *absorbed]:
        used |= unit.loads_now | unit.loads_later
    for _, call in calls:
        used |= names_of(call).loads
    for part in parts:
        used |= names_of(part.node).loads
    ordered = _order(chosen, effective, previous, path)
    loose: dict[str, list[Unit]] = {}
    for unit in ordered:
        if unit.role in LIST_FIELDS:
            loose.setdefault(unit.role, []).append(unit)
    defined = {name: unit for name, unit in effective.items() if id(unit) in kept}
    functions = [unit.node for unit in absorbed if isinstance(unit.node, ast.FunctionDef)]
    if len(functions) == 1:
        plan.name = functions[0].name
        docstring = ast.get_docstring(functions[0], clean=False)
        if docstring and not {"\\", '"'} & set(docstring):  # written back as it reads
            plan.docstring = docstring
    while plan.name in defined or plan.name in used:
        plan.name += "_defs"
    selection = Selection(
        units=ordered,
        used_names=used,
        defined=defined,
        absorbed=absorbed,
        merged_functions=merged,
        loose=loose,
    )
    return selection, plan


def _flatten(
    unit: Unit,
    call: ast.Call,
    calls: list[tuple[Unit, ast.Call]],
    parts: list[Entry],
    is_seen: Callable[[str], bool],
) -> None:
    """Split a notebook Definitions into the plain calls export merges and the other parts.

    ``Definitions.merge(base, Definitions(jobs=[...]), make())`` gives the inline call to the
    plan, nothing for ``base`` (a Definitions export already takes in, see #13) and the part
    ``make()``, which the module's Definitions merges as the notebook does.
    """
    if not is_definitions_merge(call):
        calls.append((unit, call))
        return
    for argument in call.args:
        nested = isinstance(argument, ast.Call) and not argument.keywords
        if isinstance(argument, ast.Call) and (
            definitions_call(argument) is not None or (nested and is_definitions_merge(argument))
        ):
            _flatten(unit, argument, calls, parts, is_seen)
        elif not (isinstance(argument, ast.Name) and is_seen(argument.id)):
            parts.append(Entry(unit, argument))


_KEYED = frozenset({"name", "key", "key_prefix", "ins"})


def _refuse_self_dependency(unit: Unit, path: str) -> None:
    """An ``@asset`` taking a parameter named like itself depends on itself (Dagster refuses it)."""
    node = unit.node
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return
    for decorator in node.decorator_list:
        if call_name(decorator) != "asset":
            continue
        if isinstance(decorator, ast.Call) and any(
            keyword.arg in _KEYED for keyword in decorator.keywords
        ):
            return
        arguments = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
        if any(argument.arg == node.name for argument in arguments):
            raise ExportError(
                f"cannot export {path!r}: asset {node.name!r} in {unit.where()} takes a "
                f"parameter named {node.name!r}, so it depends on itself; rename the parameter "
                f"or map it to another asset with ins={{{node.name!r}: AssetIn(key=...)}}",
                path=path,
                cell=unit.cell.number,
                line=unit.line,
            )


def _undefined(
    problems: list[tuple[str, Unit]],
    dropped: Mapping[str, str],
    skipped: Mapping[str, str],
    absorbed: set[str],
    path: str,
) -> ExportError:
    seen: set[str] = set()
    lines: list[str] = []
    first: Unit | None = None
    for name, unit in sorted(problems, key=lambda item: (item[1].order, item[0])):
        if name in seen:
            continue
        seen.add(name)
        first = first or unit
        line = f"name {name!r} is used in {unit.where()} but defined nowhere in the exported code"
        if name in absorbed:
            line += (
                "; it names the notebook's Definitions, which export merges into the module's "
                "one @definitions function: use the objects it holds instead"
            )
        elif name in skipped:
            line += f"; it is set only in {skipped[name]}"
        elif name in dropped:
            line += f"; it is set only by {dropped[name]}, which export drops"
        lines.append(line)
    assert first is not None
    header = f"cannot export {path!r}: "
    hint = "define each name in a cell that export keeps (tag a cell wb-export to keep it whole)"
    message = header + listing(lines) + f"; {hint}"
    return ExportError(message, path=path, cell=first.cell.number, line=first.line)


def _order(
    units: list[Unit],
    effective: Mapping[str, Unit],
    previous: Any,
    path: str,
) -> list[Unit]:
    """Notebook order, moved only where a name would be used before it is defined."""
    members = {id(unit) for unit in units}
    hard: dict[int, set[int]] = {id(unit): set() for unit in units}
    soft: dict[int, set[int]] = {id(unit): set() for unit in units}
    for unit in units:
        for name in unit.loads_now - unit.self_loads:  # a self-load reads the earlier value
            definer = effective.get(name)
            if definer is None or definer is unit or id(definer) not in members:
                continue
            hard[id(unit)].add(id(definer))
            for needed in _called_later(definer, effective):
                if needed is not unit and id(needed) in members:
                    soft[id(unit)].add(id(needed))
        for name in unit.self_loads:
            earlier = previous(unit, name)
            if earlier is not None and id(earlier) in members:
                hard[id(unit)].add(id(earlier))
    first_forced = min((u.order for u in units if u.forced and not u.is_import), default=None)

    def priority(unit: Unit) -> tuple[int, int]:
        hoisted = unit.is_import and (first_forced is None or unit.order < first_forced)
        return (0 if hoisted else 1, unit.order)

    combined = {key: hard[key] | soft[key] for key in hard}
    result = _kahn(units, combined, priority)
    if result is None:
        result = _kahn(units, hard, priority)
    if result is None:
        stuck = ", ".join(sorted({unit.where() for unit in units}))[:400]
        raise ExportError(
            f"cannot order the code of {path!r}: its definitions need each other at import "
            f"time (among {stuck}); break the cycle",
            path=path,
        )
    return result


def _called_later(unit: Unit, effective: Mapping[str, Unit]) -> list[Unit]:
    """Definitions a function or class needs when it is called (transitively)."""
    found: list[Unit] = []
    seen = {id(unit)}
    pending = [unit]
    while pending:
        current = pending.pop()
        if not isinstance(current.node, DEF_TYPES):
            continue
        for name in sorted(current.loads_later):
            definer = effective.get(name)
            if definer is not None and id(definer) not in seen:
                seen.add(id(definer))
                found.append(definer)
                pending.append(definer)
    return found


def _kahn(units: list[Unit], needs: Mapping[int, set[int]], priority: Any) -> list[Unit] | None:
    by_id = {id(unit): unit for unit in units}
    waiting = {key: set(value) for key, value in needs.items()}
    users: dict[int, list[int]] = {key: [] for key in by_id}
    for key, value in needs.items():
        for other in value:
            users[other].append(key)
    ready = [(priority(by_id[key]), key) for key, value in waiting.items() if not value]
    heapq.heapify(ready)
    result: list[Unit] = []
    while ready:
        _, key = heapq.heappop(ready)
        result.append(by_id[key])
        for user in users[key]:
            waiting[user].discard(key)
            if not waiting[user]:
                heapq.heappush(ready, (priority(by_id[user]), user))
    return result if len(result) == len(units) else None


def _skipped_names(cells: list[Cell]) -> dict[str, str]:
    found: dict[str, str] = {}
    for cell in cells:
        if "wb-skip" not in cell.tags:
            continue
        try:
            module = ast.parse(cell.source)
        except PARSE_ERRORS:
            continue
        for name in sorted(names_of(module).stores):
            found.setdefault(name, f"{cell.label}, which is tagged wb-skip")
    return found
