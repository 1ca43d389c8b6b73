"""Notebook cells as data: read a notebook, turn IPython syntax into Python, split into units."""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass
from typing import Any

from workbench.errors import ExportError
from workbench.export._names import (
    DEF_TYPES,
    Names,
    assigned_names,
    first_node,
    is_definitional,
    is_exploratory,
    is_main_block,
    later_loads,
    names_of,
    role_of,
)

__all__ = [
    "PARSE_ERRORS",
    "Cell",
    "Parsed",
    "Unit",
    "cells_of",
    "drop_reason",
    "line_starts",
    "listing",
    "parse_units",
    "read_notebook",
    "reads_notebook",
    "segment",
]

PARSE_ERRORS = (SyntaxError, ValueError, RecursionError, MemoryError)
"""What ``ast.parse`` raises for a cell it cannot parse."""

_SAFE_COMPOUND = (ast.If, ast.Try, ast.With)


def read_notebook(path: str) -> Any:
    """Read and validate a notebook file.

    Args:
        path: the ``.ipynb`` file.

    Returns:
        The ``nbformat.NotebookNode`` (version 4).

    Raises:
        ExportError: the file cannot be read, is not JSON, or is not a valid notebook.
    """
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise ExportError(
            f"cannot read notebook {path!r}: {exc}; check the path and that it is an .ipynb file",
            path=path,
        ) from exc
    return reads_notebook(text, path)


def reads_notebook(text: str, path: str) -> Any:
    """Parse and validate notebook JSON text (``path`` is only used in messages)."""
    import nbformat
    from nbformat.validator import normalize
    from nbformat.warnings import DuplicateCellId, MissingIDFieldWarning

    try:
        with warnings.catch_warnings():
            # Cells saved without ids (or with repeated ones) get fresh ids, as Jupyter
            # gives them on opening the notebook; nbformat warns about each one meanwhile.
            warnings.simplefilter("ignore", MissingIDFieldWarning)
            warnings.simplefilter("ignore", DuplicateCellId)
            notebook = nbformat.reads(text, as_version=4)
            _, normal = normalize(notebook)
        notebook = nbformat.from_dict(normal)
        nbformat.validate(notebook)
    except Exception as exc:
        # nbformat reports bad input with many exception types (ValueError, jsonschema's
        # ValidationError, KeyError, AttributeError...): each one means "not a notebook".
        problem = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ExportError(
            f"{path!r} is not a valid Jupyter notebook (nbformat 4): {problem[:200]}; "
            "open and save it in Jupyter, or pass the right file",
            path=path,
        ) from exc
    return notebook


@dataclass(frozen=True)
class Cell:
    """One code cell, with its source turned into Python."""

    position: int
    code_number: int
    execution_count: int | None
    tags: frozenset[str]
    source: str
    data: bytes
    line_starts: tuple[int, ...]

    @property
    def number(self) -> int:
        """The number users see: the execution count, else the index among code cells."""
        return self.execution_count if self.execution_count is not None else self.code_number

    @property
    def label(self) -> str:
        """The cell as users find it, saying how it is numbered."""
        if self.execution_count is not None:
            return f"cell [{self.execution_count}] (by execution count)"
        return f"code cell {self.code_number} (counting code cells from the top; it was never run)"

    def offset(self, line: int, col: int) -> int:
        """Byte offset of an ast position (1-based line, UTF-8 byte column)."""
        return self.line_starts[line - 1] + col

    def line(self, number: int) -> bytes:
        """The bytes of one line (1-based), its line break included."""
        return self.data[self.line_starts[number - 1] : self.line_starts[number]]

    def span(self, node: ast.stmt | ast.expr) -> tuple[int, int]:
        """Byte offsets where a parsed node starts and ends."""
        return (
            self.offset(node.lineno, node.col_offset),
            self.offset(node.end_lineno or 0, node.end_col_offset or 0),
        )

    def text(self, start: int, end: int) -> str:
        """The source between two byte offsets."""
        return self.data[start:end].decode("utf-8")


@dataclass(eq=False)
class Unit:
    """One top-level statement of a cell (a whole decorated definition counts as one)."""

    cell: Cell
    order: int
    node: ast.stmt
    start: int
    end: int
    defines: frozenset[str]
    loads_now: frozenset[str]
    loads_later: frozenset[str] = frozenset()
    role: str | None = None
    forced: bool = False
    self_loads: frozenset[str] = frozenset()

    @property
    def line(self) -> int:
        """The statement's first line inside its cell."""
        return self.node.lineno

    @property
    def is_import(self) -> bool:
        """Whether the statement is an import."""
        return isinstance(self.node, ast.Import | ast.ImportFrom)

    def where(self, line: int | None = None) -> str:
        """``cell [3] (...), line 2``."""
        return f"{self.cell.label}, line {line if line is not None else self.line}"


def _transform(source: str) -> str:
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        return str(TransformerManager().transform_cell(source))
    except Exception:
        # IPython gives up on some broken input; ast.parse then reports the real problem.
        return source


def cells_of(notebook: Any) -> list[Cell]:
    """The notebook's code cells, in order, with their sources turned into Python."""
    cells: list[Cell] = []
    code_number = 0
    for position, raw in enumerate(notebook.cells):
        if raw.cell_type != "code":
            continue
        code_number += 1
        tags = frozenset(str(tag) for tag in raw.get("metadata", {}).get("tags", []))
        source = str(raw.source)
        text = _transform(source) if source.strip() else ""
        data = text.encode("utf-8", "surrogatepass")
        count = raw.get("execution_count")
        cells.append(
            Cell(
                position=position,
                code_number=code_number,
                execution_count=count if isinstance(count, int) else None,
                tags=tags,
                source=text,
                data=data,
                line_starts=line_starts(data),
            )
        )
    return cells


def line_starts(data: bytes) -> tuple[int, ...]:
    """Byte offset of the start of every line (and of the end of the text)."""
    starts = [0]
    for line in data.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    return tuple(starts)


def listing(lines: list[str]) -> str:
    """One problem inline; several on indented lines of their own."""
    return lines[0] if len(lines) == 1 else "\n  " + "\n  ".join(lines)


@dataclass
class Parsed:
    """The units a notebook keeps, why other names were dropped, and whether it star-imports."""

    units: list[Unit]
    dropped: dict[str, str]
    star: bool


def segment(cell: Cell, node: ast.stmt, siblings: list[ast.stmt], index: int) -> tuple[int, int]:
    """Byte span of a statement with its decorators, leading comments and trailing comment."""
    first = first_node(node)
    first_line = first.lineno
    end_line = node.end_lineno or node.lineno
    previous_end = siblings[index - 1].end_lineno or 0 if index else 0
    following = siblings[index + 1].lineno if index + 1 < len(siblings) else None
    shares_start = previous_end == first_line
    start = cell.offset(first_line, 0 if not shares_start else first.col_offset)
    if isinstance(first, ast.expr) and not shares_start:
        start = cell.offset(first_line, 0)  # a decorator: keep its '@'
    if not shares_start:
        line = first_line - 1
        while line > max(previous_end, 0) and cell.line(line).lstrip().startswith(b"#"):
            line -= 1
        start = cell.offset(line + 1, 0)
    end = cell.offset(end_line, node.end_col_offset or 0)
    if following != end_line:
        rest = cell.line(end_line)[node.end_col_offset or 0 :]
        if rest.strip().startswith(b"#"):
            end += len(rest.rstrip(b"\r\n"))
    return start, end


def parse_units(cells: list[Cell], path: str) -> Parsed:
    """Split the cells a module may keep into units, in notebook order.

    Raises:
        ExportError: a cell has a syntax error.
    """
    units: list[Unit] = []
    dropped: dict[str, str] = {}
    star = False
    order = 0
    for cell in cells:
        if "wb-skip" in cell.tags or not cell.source.strip():
            continue
        try:
            module = ast.parse(cell.source)
        except PARSE_ERRORS as exc:
            line = getattr(exc, "lineno", None)
            problem = getattr(exc, "msg", None) or str(exc)
            at = f", line {line}" if line else ""
            raise ExportError(
                f"syntax error in {cell.label}{at} of {path!r}: {problem}; fix the cell "
                "(or tag it wb-skip) and export again",
                path=path,
                cell=cell.number,
                line=line,
            ) from exc
        forced = "wb-export" in cell.tags
        body = module.body
        for index, node in enumerate(body):
            order += 1
            reason = drop_reason(node, forced)
            names = names_of(node)
            if reason is not None:
                for name in sorted(names.stores):
                    dropped.setdefault(name, f"{cell.label}, line {node.lineno}: {reason}")
                continue
            star = star or names.star
            start, end = segment(cell, node, body, index)
            unit = _unit(cell, order, node, (start, end), names, path)
            unit.forced = forced
            units.append(unit)
    return Parsed(units, dropped, star)


def drop_reason(node: ast.stmt, forced: bool) -> str | None:
    """Why a statement stays out of the module, or None to keep it."""
    magic = any(
        isinstance(child, ast.Name) and child.id == "get_ipython" for child in ast.walk(node)
    )
    if magic:
        return "a magic or shell escape"
    if forced:
        return None
    if isinstance(node, (ast.Import, ast.ImportFrom, *DEF_TYPES)):
        return None
    if isinstance(node, ast.Assign | ast.AnnAssign):
        if node.value is None:
            return "an annotation without a value"
        if assigned_names(node) is None:
            return "an assignment to an attribute or item"
        if is_exploratory(node.value):
            return "a top-level call that runs or shows something"
        return None
    if isinstance(node, _SAFE_COMPOUND) and is_definitional(node):
        if is_main_block(node):
            return "a __main__ block"
        return None
    if isinstance(node, ast.Expr):
        return "a top-level expression"
    return "top-level code that runs when the cell runs (tag the cell wb-export to keep it)"


def _unit(
    cell: Cell, order: int, node: ast.stmt, span: tuple[int, int], names: Names, path: str
) -> Unit:
    start, end = span
    if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
        value_names = names_of(node.value)
        loads = set(value_names.loads)
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if isinstance(node, ast.AnnAssign):
            loads |= names_of(node.annotation).loads
        for target in targets:
            loads |= names_of(target).loads
        self_loads = frozenset(loads & names.stores)
    else:
        loads = names.loads - names.stores
        self_loads = frozenset()
    later: frozenset[str] = frozenset()
    if any(
        isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        for child in ast.walk(node)
    ):
        source = cell.text(cell.offset(first_node(node).lineno, 0), end)
        try:
            later = later_loads(source, f"{cell.label}")
        except SyntaxError as exc:
            line = node.lineno + (exc.lineno or 1) - 1
            raise ExportError(
                f"syntax error in {cell.label}, line {line} of {path!r}: {exc.msg}; "
                "fix the cell and export again",
                path=path,
                cell=cell.number,
                line=line,
            ) from exc
    return Unit(
        cell=cell,
        order=order,
        node=node,
        start=start,
        end=end,
        defines=frozenset(names.stores),
        loads_now=frozenset(loads),
        loads_later=later,
        role=role_of(node),
        self_loads=self_loads,
    )
