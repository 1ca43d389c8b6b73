"""Replacements in cell text: kept in order, covering ones win, lookups by range."""

from __future__ import annotations

from typing import Any, cast

from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.export._text import ModuleText
from workbench.export.notebook import Cell, line_starts

DATA = b"abcdefghijklmnopqrstuvwxyz\n0123456789\n"


def cell(data: bytes = DATA) -> Cell:
    return Cell(0, 1, None, frozenset(), data.decode(), data, line_starts(data))


def module_text() -> ModuleText:
    nothing = cast("Any", None)
    return ModuleText(selection=nothing, plan=nothing, target="workbench", path="n.ipynb")


def reference_text(edits: list[tuple[int, int, str]], start: int, end: int) -> str:
    """The text a list of replacements gives, applied one by one as they were made."""
    kept: list[tuple[int, int, str]] = []
    for e_start, e_end, text in edits:
        if e_end > e_start:
            kept = [e for e in kept if not (e_start <= e[0] and e[1] <= e_end)]
        kept.append((e_start, e_end, text))
    inside = sorted((e for e in kept if start <= e[0] and e[1] <= end), key=lambda e: e[:2])
    chunks, position = [], start
    for e_start, e_end, text in inside:
        if e_start < position:
            continue
        chunks += [DATA[position:e_start].decode(), text]
        position = e_end
    return "".join([*chunks, DATA[position:end].decode()])


def test_a_replacement_covering_earlier_ones_replaces_them():
    output, c = module_text(), cell()
    output.replace(c, 1, 2, "B")
    output.replace(c, 3, 3, "+")
    assert output.text(c, 0, 5) == "aBc+de"
    output.replace(c, 0, 4, "X")
    assert output.text(c, 0, 5) == "Xe"
    assert output.text(c, 1, 5) == "bcde"  # the replacement is not inside 1:5


def test_insertions_at_one_place_keep_the_order_they_were_made_in():
    output, c = module_text(), cell()
    output.replace(c, 3, 4, "D")
    output.replace(c, 2, 2, "1")
    output.replace(c, 2, 2, "2")
    assert output.text(c, 0, 6) == "ab12cDef"
    assert output.text(c, 2, 2) == "12"
    output.replace(c, 2, 4, "R")  # covers all three
    assert output.text(c, 0, 6) == "abRef"


def test_text_of_a_cell_without_replacements_is_its_source():
    output, c = module_text(), cell()
    assert output.text(c, 27, 37) == "0123456789"


POSITIONS = st.integers(0, len(DATA))
EDITS = st.lists(
    st.tuples(POSITIONS, POSITIONS, st.sampled_from(["", "x", "YY", "é"])).map(
        lambda e: (min(e[:2]), max(e[:2]), e[2])
    ),
    max_size=20,
)


@settings(max_examples=300, deadline=None)
@given(edits=EDITS, ranges=st.lists(st.tuples(POSITIONS, POSITIONS), min_size=1, max_size=5))
def test_text_matches_the_replacements_applied_one_by_one(edits, ranges):
    output, c = module_text(), cell()
    for start, end, text in edits:
        output.replace(c, start, end, text)
    for a, b in ranges:
        start, end = min(a, b), max(a, b)
        assert output.text(c, start, end) == reference_text(edits, start, end)


def test_cell_lines_are_read_from_the_line_offsets():
    c = cell(b"one\r\ntwo\rthree\nfour")
    assert [c.line(n) for n in range(1, 5)] == [b"one\r\n", b"two\r", b"three\n", b"four"]
    assert c.offset(3, 2) == len(b"one\r\ntwo\r") + 2
