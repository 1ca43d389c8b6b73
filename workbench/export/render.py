"""Module source from a notebook: copied segments, one ``@definitions`` function, atomic writes."""

from __future__ import annotations

import ast
import os
from typing import TYPE_CHECKING, Any

from workbench.core.files import NotAFileError, replace_file
from workbench.errors import ExportError
from workbench.export._edits import apply_edits
from workbench.export._names import DEF_TYPES, call_name, names_of
from workbench.export._plan import LIST_FIELDS, Entry
from workbench.export._secrets import check_literal_secrets, secret_fields
from workbench.export._select import choose_statements
from workbench.export._targets import (
    DAGSTER_NAMES,
    import_text,
    prepare_names,
    refuse_path_deps,
)
from workbench.export._text import ModuleText, Target
from workbench.export.notebook import Unit, cells_of, read_notebook, reads_notebook

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["DAGSTER_NAMES", "Target", "export_notebook", "export_source", "write_atomic"]

_INDENT = "    "


class _Renderer(ModuleText):
    """Writes the module: kept statements in order, then the one ``@definitions`` function."""

    def definitions_block(self) -> str:
        prefix = self.prefix
        base = 2 if self.plan.merge_parts else 1
        arguments: list[str] = []
        lists = {name: list(entries) for name, entries in self.plan.lists.items()}
        built = self.named_by_parts()
        for role, units in self.selection.loose.items():
            entries = lists.setdefault(role, [])
            listed = self.listed_names(entries) | built
            for unit in units:
                for name in sorted(unit.defines):
                    if name not in listed:
                        entries.append(Entry(None, None, text=name))
                        listed.add(name)
        inner = _INDENT * (base + 2)
        for name in LIST_FIELDS:
            entries = lists.get(name, [])
            if entries:
                body = "".join(f"{inner}{self.entry_text(e, base + 2)},\n" for e in entries)
                arguments.append(f"{name}=[\n{body}{_INDENT * (base + 1)}]")
        if self.plan.resources:
            body = "".join(
                f"{inner}{self.resource_text(e, base + 2)},\n" for e in self.plan.resources
            )
            arguments.append(f"resources={{\n{body}{_INDENT * (base + 1)}}}")
        for name in sorted(self.plan.singles):
            text = self.entry_text(self.plan.singles[name], base + 1)
            arguments.append(f"{name}={text}")
        call = f"{prefix}Definitions("
        if arguments:
            lines = "".join(f"{_INDENT * (base + 1)}{a},\n" for a in arguments)
            call += f"\n{lines}{_INDENT * base})"
        else:
            call += ")"
        if self.plan.merge_parts:
            merged = "".join(
                f"{_INDENT * 2}{self.entry_text(part, 2)},\n" for part in self.plan.merge_parts
            )
            call = f"{prefix}Definitions.merge(\n{merged}{_INDENT * 2}{call},\n{_INDENT})"
        return (
            f"@{prefix}definitions\n"
            f"def {self.plan.name}() -> {prefix}Definitions:\n"
            f'{_INDENT}"""{self.plan.docstring}"""\n'
            f"{_INDENT}return {call}\n"
        )

    def named_by_parts(self) -> set[str]:
        """Names the code of the merge parts reads, which the module does not list again.

        A function building Definitions that export cannot see into (``staging()``) holds the
        assets it names.
        """
        builders = list(self.selection.merged_functions)
        for part in self.plan.merge_parts:
            for name in names_of(part.node).loads if part.node is not None else ():
                definer = self.selection.defined.get(name)
                if definer is not None:
                    builders.append(definer)
        return {name for unit in builders for name in unit.loads_now | unit.loads_later}

    def listed_names(self, entries: list[Entry]) -> set[str]:
        listed: set[str] = set()
        for entry in entries:
            if entry.text is not None:
                listed.add(entry.text)
            elif isinstance(entry.node, ast.Name) and not entry.splat:
                listed.add(entry.node.id)
            elif isinstance(entry.node, ast.Name):
                found = self.assignment(entry.node.id)
                value = found[1] if found is not None else None
                if isinstance(value, ast.List | ast.Tuple):
                    listed |= {e.id for e in value.elts if isinstance(e, ast.Name)}
        return listed

    def entry_text(self, entry: Entry, depth: int) -> str:
        if entry.text is not None:
            return entry.text
        assert entry.unit is not None
        assert entry.node is not None
        text = _reindent(self, entry.unit, entry.node, depth)
        return f"*{text}" if entry.splat else text

    def resource_text(self, entry: Entry, depth: int) -> str:
        assert entry.unit is not None
        value = self.entry_text(entry, depth)
        if entry.splat:
            return f"*{value}"
        assert entry.key_node is not None
        return f"{self.node_text(entry.unit, entry.key_node)}: {value}"

    def strip_definitions_decorators(self) -> None:
        for unit in self.selection.merged_functions:
            node = unit.node
            if isinstance(node, ast.FunctionDef):
                for decorator in node.decorator_list:
                    if call_name(decorator) == "definitions":
                        cell = unit.cell
                        start = cell.offset(decorator.lineno, 0)
                        end = cell.line_starts[(decorator.end_lineno or decorator.lineno)]
                        self.replace(cell, start, end, "")
                texts = [f"{node.name}()"]
            else:
                texts = sorted(unit.defines)
            listed = {part.source() for part in self.plan.merge_parts}
            self.plan.merge_parts += [Entry(None, None, text=t) for t in texts if t not in listed]

    def module(self, notebook_name: str) -> str:
        safe_name = notebook_name.replace("\\", "/").replace('"', "'")
        header = (
            f'"""Definitions exported from the notebook {safe_name}.\n\n'
            "Edit the notebook and export it again rather than editing this module.\n"
            '"""\n'
        )
        future: list[str] = []
        imports: list[str] = list(self.extra_imports)
        body: list[list[str]] = []  # chunks, each the pieces joined to make it
        previous: Unit | None = None
        for unit in self.selection.units:
            if unit.is_import:
                text = import_text(self, unit)
                node = unit.node
                if isinstance(node, ast.ImportFrom) and node.module == "__future__":
                    future.append(text)
                elif text:
                    if body:
                        body.append([text])
                    else:
                        imports.append(text)
                continue
            text = self.text(unit.cell, unit.start, unit.end)
            if body and previous is not None and _adjacent(previous, unit):
                gap = unit.cell.text(previous.end, unit.start)
                body[-1] += [gap if not gap.strip() and "\n" in gap else "\n", text]
            else:
                body.append([text])
            previous = unit
        body.append([self.definitions_block()])
        self.raise_problems()
        parts = [header]
        if future:
            parts.append("\n".join(future) + "\n")
        if imports:
            parts.append("\n".join(imports) + "\n")
        chunks = "\n\n\n".join("".join(chunk).rstrip("\n") for chunk in body)
        return "\n".join(parts) + "\n\n" + chunks + "\n"


def _adjacent(first: Unit, second: Unit) -> bool:
    """Two plain statements that follow each other in one cell stay together."""
    plain = not isinstance(first.node, DEF_TYPES) and not isinstance(second.node, DEF_TYPES)
    return plain and first.cell is second.cell and second.order == first.order + 1


def _reindent(output: ModuleText, unit: Unit, node: ast.expr, depth: int) -> str:
    """A node's text, its continuation lines moved to ``depth`` levels of indentation."""
    text = output.node_text(unit, node)
    if "\n" not in text:
        return text
    multiline_string = any(
        isinstance(child, ast.Constant | ast.JoinedStr) and (child.end_lineno or 0) > child.lineno
        for child in ast.walk(node)
    )
    if multiline_string:
        return text
    cell = unit.cell
    first = cell.line(node.lineno).rstrip(b"\r\n").decode("utf-8", "surrogatepass")
    original = len(first) - len(first.lstrip(" "))
    delta = len(_INDENT) * depth - original
    lines = text.split("\n")
    shifted = [lines[0]]
    for line in lines[1:]:
        if delta >= 0:
            shifted.append(" " * delta + line if line.strip() else line)
        else:
            spaces = len(line) - len(line.lstrip(" "))
            shifted.append(line[min(spaces, -delta) :])
    return "\n".join(shifted)


def _render(
    notebook: Any,
    *,
    path: str,
    name: str,
    target: Target,
    edits: Mapping[str, Mapping[str, Any]] | None,
) -> str:
    if target not in ("workbench", "dagster"):
        raise ExportError(
            f"unknown export target {target!r}; choose 'workbench' or 'dagster'", path=path
        )
    cells = cells_of(notebook)
    selection, plan = choose_statements(cells, path)
    renderer = _Renderer(selection=selection, plan=plan, target=target, path=path)
    prepare_names(renderer)
    refuse_path_deps(renderer)
    renderer.strip_definitions_decorators()
    renderer.raise_problems()
    if edits:
        apply_edits(renderer, edits)
    else:
        check_literal_secrets(renderer, secret_fields(renderer))
    source = renderer.module(name)
    try:
        compile(source, path, "exec", dont_inherit=True)
    except SyntaxError as exc:
        raise ExportError(
            f"exporting {path!r} gave a module that does not compile (line {exc.lineno}: "
            f"{exc.msg}); tag the cells involved wb-export or wb-skip and report the notebook",
            path=path,
        ) from exc
    return source


def export_source(
    notebook: Any,
    *,
    name: str,
    target: Target = "workbench",
    edits: Mapping[str, Mapping[str, Any]] | None = None,
) -> str:
    """Export a notebook held in memory to module source.

    Args:
        notebook: a ``nbformat.NotebookNode`` or the notebook's JSON text.
        name: the notebook's name, used in messages and in the module's docstring.
        target: ``"workbench"`` or ``"dagster"`` (``import dagster as dg``).
        edits: applied form edits, resource key -> config; secrets only as ``{"env": NAME}``.

    Returns:
        The module's source.

    Raises:
        ExportError: the notebook cannot be exported; the message names cell and line.
    """
    if isinstance(notebook, str):
        notebook = reads_notebook(notebook, name)
    else:
        notebook = reads_notebook(_to_json(notebook, name), name)
    return _render(notebook, path=name, name=name, target=target, edits=edits)


def _to_json(notebook: Any, name: str) -> str:
    import nbformat

    try:
        return str(nbformat.writes(notebook))
    except Exception as exc:
        # nbformat raises several types for a malformed node; each means "not a notebook".
        raise ExportError(
            f"{name!r} is not a valid Jupyter notebook: {exc}; pass a NotebookNode or JSON text",
            path=name,
        ) from exc


def export_notebook(
    path: str | os.PathLike[str],
    out: str | os.PathLike[str] | None = None,
    *,
    target: Target = "workbench",
    edits: Mapping[str, Mapping[str, Any]] | None = None,
) -> str:
    """Export a notebook to a definitions module, for workbench or for real Dagster.

    The notebook is read as data (no cell runs). Nothing is written unless the whole export
    succeeds, and then ``out`` is replaced in one step.

    Args:
        path: the ``.ipynb`` file.
        out: where to write the module; nothing is written if None.
        target: ``"workbench"`` or ``"dagster"``.
        edits: applied form edits, resource key -> config; secrets only as ``{"env": NAME}``.

    Returns:
        The module's source.

    Raises:
        ExportError: the notebook cannot be exported; the message names cell and line.

    Example:
        >>> import workbench as wb
        >>> wb.export_notebook("pipeline.ipynb", "pipeline.py")  # doctest: +SKIP
    """
    location = os.fspath(path)
    notebook = read_notebook(location)
    try:
        source = _render(
            notebook, path=location, name=os.path.basename(location), target=target, edits=edits
        )
    except UnicodeEncodeError as exc:
        raise ExportError(
            f"cannot export {location!r}: a saved form edit holds text that is not valid "
            f"Unicode ({exc.object[max(exc.start - 20, 0) : exc.start]!r} then a lone "
            "surrogate); retype it in the form, or clear it with '%wb resources --reset'",
            path=location,
        ) from None
    if out is not None:
        write_atomic(os.fspath(out), source)
    return source


def write_atomic(path: str, text: str) -> None:
    """Write an exported file whole or not at all, only over a regular file (keeping its mode).

    Raises:
        ExportError: ``path`` is a link, pipe, device or folder, or cannot be written.
    """
    try:
        replace_file(path, text.encode("utf-8"))
    except NotAFileError:
        raise ExportError(
            f"cannot write {path!r}: it is not a regular file (a link, a pipe, a device or a "
            "folder) and is left as it is; give -o a file path",
            path=path,
        ) from None
    except OSError as exc:
        raise ExportError(
            f"cannot write {path!r}: {exc.strerror or exc}; check the folder", path=path
        ) from exc
