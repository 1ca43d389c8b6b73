"""A definitions module as a notebook: one cell per definition, under section headings."""

from __future__ import annotations

import ast
import os
from typing import Any

from workbench.errors import ExportError
from workbench.export._names import (
    DEF_TYPES,
    alias_text,
    call_name,
    first_node,
    is_definitions_merge,
    is_main_block,
    role_of,
)
from workbench.export.notebook import Cell, drop_reason, line_starts, segment
from workbench.export.render import write_atomic

__all__ = ["SECTIONS", "notebook_from_module"]

SECTIONS = ("Resources", "Assets", "Jobs", "Automation", "Definitions")
"""The notebook's section headings, in order."""

_ROLE_SECTION = {
    "assets": 1,
    "asset_checks": 1,
    "spec": 1,
    "op": 2,
    "jobs": 2,
    "sensors": 3,
    "schedules": 3,
    "definitions": 4,
}
_RESOURCE_BASES = frozenset({"ConfigurableResource", "ConfigurableIOManager"})


def _base_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Subscript):
        node = node.value
    return call_name(node)


def _section(node: ast.stmt, resource_classes: set[str]) -> int | None:
    if isinstance(node, ast.ClassDef):
        if any(_base_name(base) in _RESOURCE_BASES | resource_classes for base in node.bases):
            resource_classes.add(node.name)
            return 0
        return None
    role = role_of(node)
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return _ROLE_SECTION[role] if role is not None else None
    if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Call):
        if call_name(node.value) in resource_classes or (
            isinstance(node.value.func, ast.Attribute)
            and node.value.func.attr == "configure_at_launch"
        ):
            return 0
        if role is None and is_definitions_merge(node.value):
            return 4
        return _ROLE_SECTION.get(role or "")
    return None


def _together(cell: Cell, first: ast.stmt, second: ast.stmt) -> bool:
    """Whether two statements share a cell: both plain, less than two blank lines apart.

    That is how export writes the statements of one notebook cell.
    """
    if isinstance(first, DEF_TYPES) or isinstance(second, DEF_TYPES):
        return False
    between = range((first.end_lineno or first.lineno) + 1, first_node(second).lineno)
    return sum(1 for line in between if not cell.line(line).strip()) < 2


def _sections(groups: list[list[ast.stmt]]) -> list[int | None]:
    """Each cell's section, in module order.

    A cell of helpers (constants, functions) takes the section of the next cell that has one,
    so that section's heading comes before it.
    """
    resource_classes: set[str] = set()
    own = [
        min(
            (s for s in (_section(node, resource_classes) for node in group) if s is not None),
            default=None,
        )
        for group in groups
    ]
    result: list[int | None] = []
    following: int | None = None
    for section in reversed(own):
        following = section if section is not None else following
        result.append(following)
    return result[::-1]


def _import_for_workbench(node: ast.Import | ast.ImportFrom, text: str) -> str:
    """``import dagster as dg`` -> ``import workbench as dg`` (same names, see DESIGN.md)."""
    if isinstance(node, ast.ImportFrom):
        if node.module == "dagster" and node.level == 0:
            names = ", ".join(alias_text(alias) for alias in node.names)
            return f"from workbench import {names}"
        return text
    if any(alias.name == "dagster" for alias in node.names):
        names = ", ".join(
            ("workbench" if a.name == "dagster" else a.name)
            + (f" as {a.asname}" if a.asname else (" as dagster" if a.name == "dagster" else ""))
            for a in node.names
        )
        return f"import {names}"
    return text


def _read_module(location: str) -> tuple[str, ast.Module]:
    try:
        with open(location, encoding="utf-8") as handle:
            source = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise ExportError(
            f"cannot read module {location!r}: {exc}; check the path", path=location
        ) from exc
    try:
        return source, ast.parse(source, location)
    except (SyntaxError, ValueError) as exc:
        line = getattr(exc, "lineno", None)
        raise ExportError(
            f"syntax error in {location!r}, line {line}: {getattr(exc, 'msg', exc)}; fix the "
            "module first",
            path=location,
            line=line,
        ) from exc


def _as_cell(source: str) -> Cell:
    data = source.encode("utf-8")
    return Cell(0, 1, None, frozenset(), source, data, line_starts(data))


def notebook_from_module(path: str | os.PathLike[str], out: str | os.PathLike[str]) -> Any:
    """Turn a definitions module into a notebook, written atomically to ``out``.

    The first cell is ``%load_ext workbench``; the imports come next, then one cell per
    definition under the headings Resources, Assets, Jobs, Automation and Definitions.
    Exporting the notebook gives back an equivalent module.

    Args:
        path: the ``.py`` module.
        out: the ``.ipynb`` file to write.

    Returns:
        The ``nbformat.NotebookNode`` written.

    Raises:
        ExportError: the module cannot be read or parsed, or ``out`` cannot be written.
    """
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    location = os.fspath(path)
    source, module = _read_module(location)
    cell = _as_cell(source)
    body = list(module.body)
    docstring = ast.get_docstring(module, clean=True)
    if docstring is not None:
        body = body[1:]
    imports: list[str] = []
    groups: list[list[ast.stmt]] = []
    texts: list[str] = []
    previous: ast.stmt | None = None
    previous_end = 0
    for index, node in enumerate(body):
        if is_main_block(node):
            continue
        start, end = segment(cell, node, body, index)
        text = cell.text(start, end)
        if isinstance(node, ast.Import | ast.ImportFrom):
            imports.append(_import_for_workbench(node, text))
            previous = None
            continue
        if previous is not None and _together(cell, previous, node):
            groups[-1].append(node)
            texts[-1] += cell.text(previous_end, start) + text
        else:
            groups.append([node])
            texts.append(text)
        previous, previous_end = node, end

    cells = [new_code_cell("%load_ext workbench")]
    if docstring and not docstring.startswith("Definitions exported from the notebook"):
        cells.append(new_markdown_cell(docstring))
    if imports:
        cells.append(new_code_cell("\n".join(imports)))
    current: int | None = None
    for group, text, section in zip(groups, texts, _sections(groups), strict=True):
        if section is not None and (current is None or section > current):
            current = section
            cells.append(new_markdown_cell(f"## {SECTIONS[current]}"))
        code = new_code_cell(text)
        if any(drop_reason(node, forced=False) is not None for node in group):
            code.metadata["tags"] = ["wb-export"]  # top-level code the module runs: keep it
        cells.append(code)
    for number, item in enumerate(cells):
        item.id = f"wb-{number}"
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {
        "display_name": "Python 3",
        "language": "python",
        "name": "python3",
    }
    notebook.metadata["language_info"] = {"name": "python"}
    nbformat.validate(notebook)
    text = nbformat.writes(notebook)
    write_atomic(os.fspath(out), text)
    return notebook
