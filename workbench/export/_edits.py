"""Form edits baked into resource constructor calls, and the checks that keep secrets out."""

from __future__ import annotations

import ast
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from workbench.errors import ExportError
from workbench.export._names import call_name
from workbench.export._secrets import check_literal_secrets, secret_fields

if TYPE_CHECKING:
    from workbench.export._plan import Entry
    from workbench.export._text import ModuleText
    from workbench.export.notebook import Unit

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
        _rewrite_call(output, key, unit, call, edits[key], fields)


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
        text = _literal(output, value, f"{key}.{name}")
        if name in existing:
            start, end = unit.cell.span(existing[name].value)
            output.replace(unit.cell, start, end, text)
        else:
            additions.append(f"{name}={text}")
    if not additions:
        return
    arguments = [*call.args, *(k.value for k in call.keywords)]
    if arguments:
        _, end = unit.cell.span(arguments[-1])
        output.replace(unit.cell, end, end, "".join(f", {a}" for a in additions))
    else:
        _, end = unit.cell.span(call)
        output.replace(unit.cell, end - 1, end - 1, ", ".join(additions))


def _literal(output: ModuleText, value: Any, where: str) -> str:
    if isinstance(value, Mapping):
        if set(value) == {"env"} and isinstance(value["env"], str):
            return f"{output.env_var}({_quote(value['env'])})"
        items = ", ".join(
            f"{_literal(output, k, where)}: {_literal(output, v, f'{where}.{k}')}"
            for k, v in value.items()
        )
        return "{" + items + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_literal(output, v, where) for v in value) + "]"
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
