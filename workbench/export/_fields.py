"""What the classes a notebook uses say about their fields, for writing baked form edits.

A class is the notebook's own or one it imports (read from its module's source, never run).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workbench.export._imported import find_class, search_path
from workbench.export._names import call_name

if TYPE_CHECKING:
    from workbench.export._text import ModuleText

__all__ = ["TypeRef", "config_class", "enum_member", "field_type", "item_type"]

_ENUM_BASES = frozenset({"Enum", "StrEnum", "IntEnum", "Flag", "IntFlag"})
_WRAPPERS = frozenset({"Optional", "Annotated"})


@dataclass(frozen=True)
class TypeRef:
    """A type annotation and where its names are bound.

    Attributes:
        expr: the annotation.
        module: the module whose source holds it, or None for the notebook's own code.
    """

    expr: ast.expr | None
    module: str | None = None


@dataclass(frozen=True)
class _Found:
    """A class, how the exported module spells it, and the import that spelling needs."""

    node: ast.ClassDef
    spelled: str
    module: str | None
    needs: str | None = None

    def spell(self, output: ModuleText) -> str:
        """The class's name in the module, adding the import it needs."""
        if self.needs is not None and self.needs not in output.extra_imports:
            output.extra_imports.append(self.needs)
        return self.spelled


def _class(output: ModuleText, ref: TypeRef | None) -> _Found | None:
    """The class an annotation names, if the notebook defines or imports it."""
    if ref is None or ref.expr is None:
        return None
    search = search_path(output.path)
    if ref.module is not None:
        return _class_in_module(output, ref.expr, ref.module, search)
    if isinstance(ref.expr, ast.Attribute):
        return _class_by_attribute(output, ref.expr, search)
    if not isinstance(ref.expr, ast.Name):
        return None
    definer = output.selection.defined.get(ref.expr.id)
    node = definer.node if definer is not None else None
    if isinstance(node, ast.ClassDef):
        return _Found(node, node.name, None)
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        for alias in node.names:
            if (alias.asname or alias.name) == ref.expr.id:
                found = find_class(node.module, alias.name, search)
                return None if found is None else _Found(found[0], ref.expr.id, found[1])
    return None


def _class_by_attribute(
    output: ModuleText, expr: ast.Attribute, search: tuple[str, ...]
) -> _Found | None:
    """``shop.enums.Region`` where the notebook has ``import shop.enums`` (or ``as`` a name)."""
    dotted = ast.unparse(expr).split(".")
    definer = output.selection.defined.get(dotted[0])
    node = definer.node if definer is not None else None
    if not isinstance(node, ast.Import):
        return None
    for alias in node.names:
        if alias.asname == dotted[0]:
            module = ".".join([alias.name, *dotted[1:-1]])
        elif alias.asname is None and alias.name.split(".")[0] == dotted[0]:
            module = ".".join(dotted[:-1])
        else:
            continue
        found = find_class(module, dotted[-1], search)
        return None if found is None else _Found(found[0], ".".join(dotted), found[1])
    return None


def _class_in_module(
    output: ModuleText, expr: ast.expr, module: str, search: tuple[str, ...]
) -> _Found | None:
    """A class named in another module's source, with the import the exported module needs."""
    if not isinstance(expr, ast.Name):
        return None
    found = find_class(module, expr.id, search)
    if found is None:
        return None
    node, home = found
    definer = output.selection.defined.get(node.name)
    if definer is not None:
        # the notebook binds that name: usable only if it binds this very class
        mine = _class(output, TypeRef(ast.Name(id=node.name)))
        if mine is None or mine.module != home or mine.node.name != node.name:
            return None
        return _Found(node, node.name, home)
    return _Found(node, node.name, home, f"from {home} import {node.name}")


def _is_enum(found: _Found) -> bool:
    return any(call_name(base) in _ENUM_BASES for base in found.node.bases)


def config_class(output: ModuleText, ref: TypeRef | None) -> str | None:
    """The name of the class (a Config or resource) a field is typed as, as the module spells it.

    Its edited value, a mapping, is then written as a call, ``Tuning(batch_size=25)``, as a
    person would write it.
    """
    found = _class(output, ref)
    if found is None or _is_enum(found):
        return None
    return found.spell(output)


def _unwrapped(annotation: ast.expr | None) -> ast.expr | None:
    """``Optional[X]``, ``X | None`` and ``Annotated[X, ...]`` -> ``X``."""
    while annotation is not None:
        if isinstance(annotation, ast.Subscript) and call_name(annotation.value) in _WRAPPERS:
            inner = annotation.slice
            annotation = inner.elts[0] if isinstance(inner, ast.Tuple) else inner
        elif isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
            sides = [annotation.left, annotation.right]
            kept = [s for s in sides if not (isinstance(s, ast.Constant) and s.value is None)]
            if len(kept) != 1:
                return None
            annotation = kept[0]
        else:
            return annotation
    return None


def field_type(output: ModuleText, owner: TypeRef | str | None, field: str) -> TypeRef | None:
    """The annotation of ``field`` in a class the notebook uses (or one of its own bases).

    Args:
        output: the module being written.
        owner: the class, by name or by an annotation naming it.
        field: the field's name.
    """
    if isinstance(owner, str):
        owner = TypeRef(ast.Name(id=owner))
    pending: list[TypeRef] = (
        [] if owner is None else [TypeRef(_unwrapped(owner.expr), owner.module)]
    )
    seen: set[tuple[str | None, str]] = set()
    while pending:
        found = _class(output, pending.pop())
        if found is None or (found.module, found.node.name) in seen:
            continue
        seen.add((found.module, found.node.name))
        for statement in found.node.body:
            if (
                isinstance(statement, ast.AnnAssign)
                and isinstance(statement.target, ast.Name)
                and statement.target.id == field
            ):
                return TypeRef(_unwrapped(statement.annotation), found.module)
        pending.extend(TypeRef(base, found.module) for base in found.node.bases)
    return None


def item_type(ref: TypeRef | None) -> TypeRef | None:
    """``list[X]`` / ``Sequence[X]`` / ``tuple[X, ...]`` -> ``X``; else None."""
    if ref is None or not isinstance(ref.expr, ast.Subscript):
        return None
    inner = ref.expr.slice
    return TypeRef(_unwrapped(inner.elts[0] if isinstance(inner, ast.Tuple) else inner), ref.module)


def enum_member(output: ModuleText, ref: TypeRef | None, value: Any) -> str | None:
    """``Region.EU`` for a value naming a member of an Enum the notebook uses, else None.

    A form saves an Enum field as the member's name (``"EU"``); an older edit may hold its
    value (``"eu-west-1"``). Written as the member, the module means the same to Dagster and to
    workbench (#13). An Enum from another module is written with the import it needs.
    """
    found = _class(output, ref)
    if found is None or not _is_enum(found):
        return None
    members: dict[str, Any] = {}
    for statement in found.node.body:
        if (
            isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name)
            and not statement.targets[0].id.startswith("_")
        ):
            literal = statement.value
            members[statement.targets[0].id] = (
                literal.value if isinstance(literal, ast.Constant) else None
            )
    if isinstance(value, str) and value in members:
        return f"{found.spell(output)}.{value}"
    for name, member_value in members.items():
        if member_value is not None and member_value == value and type(member_value) is type(value):
            return f"{found.spell(output)}.{name}"
    return None
