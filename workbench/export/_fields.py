"""What the notebook's own classes say about their fields, for writing baked form edits."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

from workbench.export._names import call_name

if TYPE_CHECKING:
    from workbench.export._text import ModuleText

__all__ = ["config_class", "enum_member", "field_type", "item_type"]

_ENUM_BASES = frozenset({"Enum", "StrEnum", "IntEnum", "Flag", "IntFlag"})
_WRAPPERS = frozenset({"Optional", "Annotated"})


def _class(output: ModuleText, annotation: ast.expr | None) -> ast.ClassDef | None:
    """The class a plain-name annotation names, if the module defines it."""
    if not isinstance(annotation, ast.Name):
        return None
    definer = output.selection.defined.get(annotation.id)
    node = definer.node if definer is not None else None
    return node if isinstance(node, ast.ClassDef) else None


def config_class(output: ModuleText, annotation: ast.expr | None) -> str | None:
    """The name of the class (a Config or resource the module defines) a field is typed as.

    Its edited value, a mapping, is then written as a call, ``Tuning(batch_size=25)``, as a
    person would write it.
    """
    node = _class(output, annotation)
    if node is None or any(call_name(base) in _ENUM_BASES for base in node.bases):
        return None
    return node.name


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


def field_type(output: ModuleText, owner: ast.expr | str | None, field: str) -> ast.expr | None:
    """The annotation of ``field`` in a class the module defines (or one of its own bases).

    Args:
        output: the module being written.
        owner: the class, by name or by an annotation naming it.
        field: the field's name.
    """
    pending = [ast.Name(id=owner) if isinstance(owner, str) else _unwrapped(owner)]
    seen: set[str] = set()
    while pending:
        node = _class(output, pending.pop())
        if node is None or node.name in seen:
            continue
        seen.add(node.name)
        for statement in node.body:
            if (
                isinstance(statement, ast.AnnAssign)
                and isinstance(statement.target, ast.Name)
                and statement.target.id == field
            ):
                return _unwrapped(statement.annotation)
        pending.extend(node.bases)
    return None


def item_type(annotation: ast.expr | None) -> ast.expr | None:
    """``list[X]`` / ``Sequence[X]`` / ``tuple[X, ...]`` -> ``X``; else None."""
    if not isinstance(annotation, ast.Subscript):
        return None
    inner = annotation.slice
    return _unwrapped(inner.elts[0] if isinstance(inner, ast.Tuple) else inner)


def enum_member(output: ModuleText, annotation: ast.expr | None, value: Any) -> str | None:
    """``Region.EU`` for a value naming a member of an Enum the module defines, else None.

    A form saves an Enum field as the member's name (``"EU"``); an older edit may hold its
    value (``"eu-west-1"``). Written as the member, the module means the same to Dagster and to
    workbench (#13).
    """
    node = _class(output, annotation)
    if node is None or not any(call_name(base) in _ENUM_BASES for base in node.bases):
        return None
    members: dict[str, Any] = {}
    for statement in node.body:
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
        return f"{node.name}.{value}"
    for name, member_value in members.items():
        if member_value is not None and member_value == value and type(member_value) is type(value):
            return f"{node.name}.{name}"
    return None
