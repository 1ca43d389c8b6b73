"""Form edits baked into resource constructor calls, and the checks that keep secrets out."""

from __future__ import annotations

import ast
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from workbench.errors import ExportError
from workbench.export._fields import TypeRef, config_class, enum_member, field_type, item_type
from workbench.export._names import call_name
from workbench.export._secrets import check_literal_secrets, secret_fields

if TYPE_CHECKING:
    from workbench.export._plan import Entry
    from workbench.export._text import ModuleText
    from workbench.export.notebook import Cell, Unit

__all__ = ["apply_edits"]


def apply_edits(output: ModuleText, edits: Mapping[str, Mapping[str, Any]]) -> None:
    """Write form edits into the constructor calls of the resources they configure.

    Raises:
        ExportError: an edit names no bound resource, a resource that is not a constructor
            call, a secret given as a literal, or a value a module cannot spell.
    """
    secrets = secret_fields(output)
    check_literal_secrets(output, secrets)
    by_key = {entry.key: entry for entry in output.plan.resources if entry.key is not None}
    for key in sorted(edits):
        entry = by_key.get(key)
        if entry is None or entry.unit is None or entry.node is None:
            choices = ", ".join(repr(k) for k in sorted(by_key)) or "none"
            raise ExportError(
                f"cannot bake form edits into resource {key!r} of {output.path!r}: no "
                f"Definitions binds that key with a literal resources mapping (keys: "
                f"{choices}); bind it as resources={{{key!r}: ...}}",
                path=output.path,
            )
        unit, call = _edit_target(output, key, entry)
        fields = secrets.get(call_name(call) or "", set())
        if call is entry.node and entry.key_node is not None:
            # written in the module's Definitions: ``"key": Call(...)`` at the resources depth
            base = 2 if output.plan.merge_parts else 1
            column = 4 * (base + 2) + len(output.node_text(unit, entry.key_node)) + 2
        else:
            column = call.col_offset
        _rewrite_call(output, key, unit, call, edits[key], fields, column)


def _edit_target(output: ModuleText, key: str, entry: Entry) -> tuple[Unit, ast.Call]:
    assert entry.unit is not None
    assert entry.node is not None
    node: ast.expr = entry.node
    unit = entry.unit
    if isinstance(node, ast.Name):
        found = output.assignment(node.id)
        if found is not None and isinstance(found[1], ast.Call):
            unit, node = found
    if not isinstance(node, ast.Call):
        raise ExportError(
            f"cannot bake form edits into resource {key!r}: it is bound to an expression, "
            f"not a constructor call ({unit.where(node.lineno)}); bind it as "
            f"{key!r}: SomeResource(...)",
            path=output.path,
            cell=unit.cell.number,
            line=node.lineno,
        )
    return unit, node


def _rewrite_call(
    output: ModuleText,
    key: str,
    unit: Unit,
    call: ast.Call,
    values: Mapping[str, Any],
    secrets: set[str],
    column: int,
) -> None:
    existing = {keyword.arg: keyword for keyword in call.keywords if keyword.arg}
    additions: list[str] = []
    for name, value in values.items():
        is_env = isinstance(value, Mapping) and set(value) == {"env"}
        if (name in secrets and not is_env) or _has_secret_literal(value):
            variable = f"{key}_{name}".upper()
            raise ExportError(
                f"resource {key!r} field {name!r} is a secret typed as a literal; a secret "
                f"is exported only as an environment variable: set {variable} and bind "
                f"{name} to EnvVar({variable!r}) in the form",
                path=output.path,
                cell=unit.cell.number,
                line=call.lineno,
            )
        annotation = field_type(output, call_name(call), name)
        text = _literal(output, value, f"{key}.{name}", annotation)
        if name in existing:
            start, end = unit.cell.span(existing[name].value)
            output.replace(unit.cell, start, end, text)
        else:
            additions.append(f"{name}={text}")
    _add_keywords(output, unit, call, additions, column)


def _add_keywords(
    output: ModuleText, unit: Unit, call: ast.Call, additions: list[str], column: int
) -> None:
    """Add keywords to a call (whose values may have been replaced) as a person would (#13).

    A call written over several lines gets one keyword per line; a one-line call stays on
    one line while it fits in the line length, and is otherwise split one argument per line.
    """
    cell = unit.cell
    arguments: list[ast.expr | ast.keyword] = [*call.args, *call.keywords]
    arguments.sort(key=lambda node: (node.lineno, node.col_offset))
    _, call_end = cell.span(call)
    last_end = call_end - 1
    if arguments:
        last = arguments[-1]
        last_end = cell.offset(last.end_lineno or last.lineno, last.end_col_offset or 0)
    line = cell.line(call.lineno).decode("utf-8", "surrogatepass")
    indent = line[: len(line) - len(line.lstrip(" "))]
    if call.end_lineno != call.lineno and arguments:
        if not additions:
            return
        tail = cell.data[last_end : call_end - 1]
        inner = _argument_indent(cell, arguments)
        has_comma = tail.lstrip().startswith(b",")
        if b"\n" in tail:  # ``)`` on a line of its own: one keyword per line, each with a comma
            if not has_comma:
                output.replace(cell, last_end, last_end, ",")
            at = last_end + tail.rindex(b"\n") + 1
            output.replace(cell, at, at, "".join(f"{inner}{a},\n" for a in additions))
        elif has_comma:  # ``)`` right after a trailing comma stays so
            at = last_end + tail.index(b",") + 1
            output.replace(cell, at, at, "".join(f"\n{inner}{a}," for a in additions))
        else:  # ``)`` right after the last argument stays so
            output.replace(cell, last_end, last_end, "".join(f",\n{inner}{a}" for a in additions))
        return
    written = [_argument_text(output, unit, node) for node in arguments]
    if column + len(output.node_text(unit, call)) + sum(len(a) + 2 for a in additions) < _WIDTH:
        if additions:
            joined = ", ".join(additions)
            output.replace(cell, last_end, last_end, f", {joined}" if arguments else joined)
        return
    inner = indent + "    "
    lines = "".join(f"{inner}{text},\n" for text in [*written, *additions])
    output.replace(cell, cell.span(call.func)[1], call_end, f"(\n{lines}{indent})")


def _argument_indent(cell: Cell, arguments: list[ast.expr | ast.keyword]) -> str:
    """The indentation of the arguments of a call written over several lines.

    That of the last argument's line when the argument starts it, else the first argument's
    column (``Call(a=1,`` then arguments lined up under ``a``).
    """
    last = arguments[-1]
    line = cell.line(last.lineno).decode("utf-8", "surrogatepass")
    indent = line[: len(line) - len(line.lstrip(" "))]
    if len(indent.encode("utf-8")) == last.col_offset:
        return indent
    return " " * arguments[0].col_offset


_WIDTH = 100
"""The line length exported code keeps to (the project's formatter setting)."""


def _argument_text(output: ModuleText, unit: Unit, node: ast.expr | ast.keyword) -> str:
    if isinstance(node, ast.keyword):
        value = output.node_text(unit, node.value)
        return f"{node.arg}={value}" if node.arg is not None else f"**{value}"
    return output.node_text(unit, node)


def _literal(output: ModuleText, value: Any, where: str, annotation: TypeRef | None = None) -> str:
    """A form edit as Python source.

    ``annotation`` is the field's type when the module defines it: an Enum member is then
    written as ``Region.EU``, which Dagster and workbench both accept (#13).
    """
    member = enum_member(output, annotation, value)
    if member is not None:
        return member
    if isinstance(value, Mapping):
        if set(value) == {"env"} and isinstance(value["env"], str):
            return f"{output.env_var}({_quote(value['env'])})"
        values = {
            key: _literal(output, item, f"{where}.{key}", field_type(output, annotation, str(key)))
            for key, item in value.items()
        }
        owner = config_class(output, annotation)
        if owner is not None and all(str(key).isidentifier() for key in values):
            return f"{owner}(" + ", ".join(f"{k}={v}" for k, v in values.items()) + ")"
        items = ", ".join(f"{_literal(output, k, where)}: {v}" for k, v in values.items())
        return "{" + items + "}"
    if isinstance(value, list | tuple):
        inner = item_type(annotation)
        return "[" + ", ".join(_literal(output, v, where, inner) for v in value) + "]"
    if isinstance(value, str):
        return _quote(value)
    if value is None or isinstance(value, bool | int | float):
        return repr(value)
    raise ExportError(
        f"form edit {where} is a {type(value).__name__}, which a module cannot spell; "
        "edits must be JSON values",
        path=output.path,
    )


def _quote(text: str) -> str:
    """A double-quoted Python string literal (JSON's escapes are Python's)."""
    return json.dumps(text, ensure_ascii=False)


def _has_secret_literal(value: Any) -> bool:
    if isinstance(value, Mapping):
        return "secret" in value or any(_has_secret_literal(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_has_secret_literal(v) for v in value)
    return False
