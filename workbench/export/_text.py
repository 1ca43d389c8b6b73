"""The module being written: cell text with byte-range replacements, and the problems found."""

from __future__ import annotations

import ast
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from workbench.errors import ExportError
from workbench.export.notebook import listing

if TYPE_CHECKING:
    from workbench.export._plan import DefinitionsPlan
    from workbench.export._select import Selection
    from workbench.export.notebook import Cell, Unit

__all__ = ["ModuleText", "Target"]

Target = Literal["workbench", "dagster"]


@dataclass
class _Edit:
    start: int
    end: int
    text: str


@dataclass
class _CellEdits:
    """One cell's replacements, ordered by ``(start, end)`` then by when they were made."""

    edits: list[_Edit] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)

    def add(self, start: int, end: int, text: str) -> None:
        """Record a replacement, dropping the earlier ones it covers."""
        low = bisect_left(self.starts, start)
        if end > start:
            high = bisect_right(self.starts, end, lo=low)
            covered = [i for i in range(low, high) if self.ends[i] <= end]
            for index in reversed(covered):
                del self.edits[index], self.starts[index], self.ends[index]
        # After every edit sorting before (start, end): ties stay in the order they were made.
        index = bisect_right(self.starts, start, lo=low)
        while index > low and self.ends[index - 1] > end:
            index -= 1
        self.edits.insert(index, _Edit(start, end, text))
        self.starts.insert(index, start)
        self.ends.insert(index, end)

    def within(self, start: int, end: int) -> list[_Edit]:
        """The replacements inside ``start:end``, in order."""
        low = bisect_left(self.starts, start)
        high = bisect_right(self.starts, end, lo=low)
        return [self.edits[i] for i in range(low, high) if self.ends[i] <= end]


@dataclass
class ModuleText:
    """What the module keeps, the replacements made in its cells, and the problems found."""

    selection: Selection
    plan: DefinitionsPlan
    target: Target
    path: str
    edits: dict[int, _CellEdits] = field(default_factory=dict)
    problems: list[tuple[str, Unit, int]] = field(default_factory=list)
    prefix: str = "wb."
    extra_imports: list[str] = field(default_factory=list)
    env_var: str = "EnvVar"

    def replace(self, cell: Cell, start: int, end: int, text: str) -> None:
        """Replace a cell's bytes ``start:end`` (an insertion when they are equal)."""
        self.edits.setdefault(cell.position, _CellEdits()).add(start, end, text)

    def text(self, cell: Cell, start: int, end: int) -> str:
        """A cell's bytes ``start:end`` with the replacements inside them applied."""
        data = cell.data
        chunks: list[bytes] = []
        position = start
        edits = self.edits.get(cell.position)
        for edit in edits.within(start, end) if edits is not None else []:
            if edit.start < position:
                continue
            chunks += [data[position : edit.start], edit.text.encode("utf-8")]
            position = edit.end
        chunks.append(data[position:end])
        return b"".join(chunks).decode("utf-8", "surrogatepass")

    def node_text(self, unit: Unit, node: ast.stmt | ast.expr) -> str:
        """A node's text, replacements applied."""
        return self.text(unit.cell, *unit.cell.span(node))

    def visible_units(self) -> list[Unit]:
        """The kept units and the Definitions merged into the module's own."""
        return [*self.selection.units, *self.selection.absorbed]

    def assignment(self, name: str) -> tuple[Unit, ast.expr] | None:
        """The kept statement that defines ``name`` and the value it assigns, if it has one."""
        definer = self.selection.defined.get(name)
        value = getattr(definer.node, "value", None) if definer is not None else None
        if definer is None or not isinstance(value, ast.expr):
            return None
        return definer, value

    def problem(self, message: str, unit: Unit, line: int) -> None:
        """Note a problem; :meth:`raise_problems` reports all of them at once."""
        self.problems.append((message, unit, line))

    def raise_problems(self) -> None:
        """Raise one ExportError listing every problem noted, if any.

        Raises:
            ExportError: at least one problem was noted.
        """
        if not self.problems:
            return
        lines = [f"{message} ({unit.where(line)})" for message, unit, line in self.problems]
        _, unit, line = self.problems[0]
        raise ExportError(
            f"cannot export {self.path!r} for {self.target}: {listing(lines)}",
            path=self.path,
            cell=unit.cell.number,
            line=line,
        )
