"""Name and scope analysis of statements: what each one binds, reads now, and reads later."""

from __future__ import annotations

import ast
import builtins
import symtable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = [
    "BUILTINS",
    "DEFINING_CALLS",
    "DEFINING_DECORATORS",
    "DEF_TYPES",
    "EXPLORATORY_CALLS",
    "Names",
    "alias_text",
    "assigned_names",
    "bound_name",
    "call_name",
    "first_node",
    "is_definitional",
    "is_definitions_merge",
    "is_exploratory",
    "is_main_block",
    "later_loads",
    "names_of",
    "role_of",
]

DEFINING_DECORATORS: Mapping[str, str] = {
    "asset": "assets",
    "multi_asset": "assets",
    "graph_asset": "assets",
    "graph_multi_asset": "assets",
    "asset_check": "asset_checks",
    "multi_asset_check": "asset_checks",
    "op": "op",
    "graph": "op",
    "job": "jobs",
    "sensor": "sensors",
    "asset_sensor": "sensors",
    "multi_asset_sensor": "sensors",
    "run_status_sensor": "sensors",
    "run_failure_sensor": "sensors",
    "schedule": "schedules",
    "definitions": "definitions",
}
"""Decorator name (last dotted part) -> the role of the decorated definition."""

DEFINING_CALLS: Mapping[str, str] = {
    "define_asset_job": "jobs",
    "ScheduleDefinition": "schedules",
    "SensorDefinition": "sensors",
    "AssetSpec": "spec",
    "Definitions": "definitions",
}
"""Callable name (last dotted part) whose result, assigned to a name, is a definition."""

EXPLORATORY_CALLS = frozenset(
    {
        "materialize",
        "materialize_to_memory",
        "execute_in_process",
        "display",
        "print",
        "show_resources",
        "launchpad",
        "show_graph",
        "runs",
        "load_definitions",
        "export_notebook",
        "notebook_from_module",
        "evaluate_tick",
        "get_ipython",
    }
)
"""Calls that explore or run things; a statement made of them is never exported."""

BUILTINS = frozenset(dir(builtins)) | {"__name__", "__file__", "__doc__", "__spec__"}
"""Names a module can read without defining them."""

DEF_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
"""Statements that define a function or class (and may carry decorators)."""


class Names(ast.NodeVisitor):
    """Names a statement stores at module level and loads while it runs (not in def bodies)."""

    def __init__(self) -> None:
        self.stores: set[str] = set()
        self.loads: set[str] = set()
        self.star = False
        self._scopes: list[tuple[set[str], set[str]]] = []

    def _store(self, name: str) -> None:
        (self._scopes[-1][0] if self._scopes else self.stores).add(name)

    def _nested(self, visit: Iterable[ast.AST]) -> None:
        self._scopes.append((set(), set()))
        for node in visit:
            self.visit(node)
        stores, loads = self._scopes.pop()
        for name in loads - stores:
            (self._scopes[-1][1] if self._scopes else self.loads).add(name)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            (self._scopes[-1][1] if self._scopes else self.loads).add(node.id)
        else:
            self._store(node.id)

    def _arguments(self, args: ast.arguments) -> None:
        for default in [*args.defaults, *args.kw_defaults]:
            if default is not None:
                self.visit(default)
        every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
        for arg in every:
            if arg is not None and arg.annotation is not None:
                self.visit(arg.annotation)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for decorator in node.decorator_list:
            self.visit(decorator)
        self._arguments(node.args)
        if node.returns is not None:
            self.visit(node.returns)
        self._store(node.name)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._arguments(node.args)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for expr in [*node.decorator_list, *node.bases, *(k.value for k in node.keywords)]:
            self.visit(expr)
        self._nested(node.body)
        self._store(node.name)

    def _comprehension(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp) -> None:
        self._nested([*node.generators, node.elt])

    visit_ListComp = visit_SetComp = visit_GeneratorExp = _comprehension

    def visit_DictComp(self, node: ast.DictComp) -> None:
        self._nested([*node.generators, node.key, node.value])

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._store(bound_name(alias))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        for alias in node.names:
            if alias.name == "*":
                self.star = True
            else:
                self._store(bound_name(alias))

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self._store(node.name)
        self.generic_visit(node)

    def visit_MatchAs(self, node: ast.MatchAs) -> None:
        if node.name:
            self._store(node.name)
        self.generic_visit(node)

    def visit_MatchStar(self, node: ast.MatchStar) -> None:
        if node.name:
            self._store(node.name)

    def visit_MatchMapping(self, node: ast.MatchMapping) -> None:
        if node.rest:
            self._store(node.rest)
        self.generic_visit(node)


def names_of(*nodes: ast.AST | None) -> Names:
    """The names the nodes store and load, taken together (``None`` entries are skipped)."""
    names = Names()
    for node in nodes:
        if node is not None:
            names.visit(node)
    return names


def later_loads(source: str, where: str) -> frozenset[str]:
    """Module names read inside function bodies (resolved when the function runs)."""
    table = symtable.symtable(source, where, "exec")
    found: set[str] = set()
    pending = list(table.get_children())
    while pending:
        child = pending.pop()
        pending.extend(child.get_children())
        if child.get_type() == "class":
            continue
        for symbol in child.get_symbols():
            if symbol.is_global() and symbol.is_referenced():
                found.add(symbol.get_name())
    return frozenset(found)


def bound_name(alias: ast.alias) -> str:
    """The name an import binds: ``import a.b`` binds ``a``; ``as`` names win."""
    return alias.asname or alias.name.split(".")[0]


def alias_text(alias: ast.alias) -> str:
    """``name`` or ``name as other``, as written in an import."""
    return alias.name + (f" as {alias.asname}" if alias.asname else "")


def first_node(node: ast.stmt) -> ast.stmt | ast.expr:
    """Where a statement's text starts: its first decorator, else the statement itself."""
    return node.decorator_list[0] if isinstance(node, DEF_TYPES) and node.decorator_list else node


def call_name(node: ast.AST) -> str | None:
    """``wb.asset(...)`` / ``asset`` / ``dg.asset`` -> ``"asset"``; else None."""
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name | ast.Attribute):
        return node.attr
    return None


def role_of(node: ast.stmt) -> str | None:
    """The role of a definition (a value of DEFINING_DECORATORS or DEFINING_CALLS), else None."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        for decorator in node.decorator_list:
            role = DEFINING_DECORATORS.get(call_name(decorator) or "")
            if role is not None:
                return role
        return None
    if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Call):
        return DEFINING_CALLS.get(call_name(node.value) or "")
    return None


def is_definitions_merge(node: ast.AST | None) -> bool:
    """Whether the node is a call of ``Definitions.merge(...)``."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "merge"
        and (call_name(func.value) == "Definitions")
    )


def is_main_block(node: ast.stmt) -> bool:
    """Whether the statement is an ``if __name__ == "__main__":`` block."""
    return isinstance(node, ast.If) and "__name__" in names_of(node.test).loads


def is_exploratory(node: ast.AST) -> bool:
    """Whether the node awaits or calls something that runs or shows things."""
    for child in ast.walk(node):
        if isinstance(child, ast.Await):
            return True
        if isinstance(child, ast.Call) and call_name(child) in EXPLORATORY_CALLS:
            return True
    return False


def is_definitional(node: ast.stmt) -> bool:
    """A compound statement made only of imports, definitions and plain assignments."""
    if isinstance(node, ast.Import | ast.ImportFrom | ast.Pass | ast.FunctionDef):
        return True
    if isinstance(node, ast.AsyncFunctionDef | ast.ClassDef):
        return True
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return True
    if isinstance(node, ast.Assign | ast.AnnAssign):
        return not is_exploratory(node)
    if isinstance(node, ast.Try):
        bodies = [*node.body, *node.orelse, *node.finalbody]
        bodies += [stmt for handler in node.handlers for stmt in handler.body]
        return all(is_definitional(stmt) for stmt in bodies)
    if isinstance(node, ast.If):
        return not is_exploratory(node.test) and all(
            is_definitional(stmt) for stmt in [*node.body, *node.orelse]
        )
    return False


def assigned_names(node: ast.Assign | ast.AnnAssign) -> list[str] | None:
    """Names bound by a plain assignment, or None if it writes attributes or items."""
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    names: list[str] = []
    for target in targets:
        for part in ast.walk(target):
            if isinstance(part, ast.Attribute | ast.Subscript):
                return None
            if isinstance(part, ast.Name):
                names.append(part.id)
    return names
