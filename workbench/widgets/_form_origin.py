"""Where a form's values come from: which fields in force differ from the code, since when."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from workbench.core.fields import MISSING, literal_values
from workbench.widgets._editors import FieldEditor
from workbench.widgets._form_values import flatten, show_literal

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from workbench.widgets._controls import Kit
    from workbench.widgets._editors import Editor

__all__ = ["CodeComparison", "describe_age"]

_MINUTE = 60
_HOUR = 60 * _MINUTE
_DAY = 24 * _HOUR


def describe_age(seconds: float) -> str:
    """How long ago something happened, in words: ``just now``, ``5 min ago``, ``2 h ago``.

    Example:
        >>> [describe_age(s) for s in (5, 300, 7_300, 90_000, 260_000)]
        ['just now', '5 min ago', '2 h ago', '1 day ago', '3 days ago']
    """
    if seconds < _MINUTE:
        return "just now"  # a clock set back reads as now, never as a negative age
    if seconds < _HOUR:
        return f"{int(seconds // _MINUTE)} min ago"
    if seconds < _DAY:
        return f"{int(seconds // _HOUR)} h ago"
    days = int(seconds // _DAY)
    return "1 day ago" if days == 1 else f"{days} days ago"


class CodeComparison:
    """Marks each field whose value in force is not the code's: a note, a revert button, a banner.

    A note says where the value comes from ("in force: a saved edit, 2 h ago; the code has
    'ada'", or "an applied edit" when it was not saved); a "use the code's value" button
    beside the field puts the code's value back.

    Args:
        kit: the form's shared layouts.
        on_revert: called with a field's path when its button is clicked.

    Attributes:
        differs: field path -> the note beside it.
        widget: the banner above the form listing the fields that differ.
    """

    def __init__(self, kit: Kit, on_revert: Callable[[str], None]) -> None:
        self.differs: dict[str, str] = {}
        self.widget = kit.html()
        self._on_revert = on_revert

    def update(
        self,
        applied: Any,
        code: Any,
        by_path: Mapping[str, Editor],
        saved_at: float | None,
        now: float,
    ) -> None:
        """Compare ``applied`` (the resource in force) with ``code``; show what differs.

        Args:
            applied: the resource in force.
            code: the resource the code binds.
            by_path: the form's editors, by field path.
            saved_at: when the edit in force was saved (seconds since the epoch), if known.
            now: the time now, in the same unit.
        """
        # without a save time the edit was applied but not saved (or saved before times were)
        age = None if saved_at is None else describe_age(now - saved_at)
        origin = "an applied edit" if age is None else f"a saved edit, {age}"
        applied_values = flatten(literal_values(applied))
        code_values = flatten(literal_values(code))
        self.differs = {}
        for path in sorted(set(applied_values) | set(code_values)):
            if applied_values.get(path, MISSING) == code_values.get(path, MISSING):
                continue
            target = path
            while target and target not in by_path:
                target = target.rpartition(".")[0]
            if not target:
                continue
            if by_path[target].spec.secret or target != path:
                text = f"in force: {origin}; the code's value differs"
            else:
                text = f"in force: {origin}; the code has {show_literal(code_values.get(path))}"
            self.differs[target] = text
        self._show_revert_buttons(by_path)
        if self.differs:
            names = ", ".join(self.differs)
            kind, since = (
                ("applied edits", "") if age is None else ("saved edits", f" (saved {age})")
            )
            self.widget.value = (
                f"<small class='wb-origin'>{kind} in force differ from the code in: "
                f"{html.escape(names)}{since}. Revert (or a field's \"use the code's value\"), "
                "then Apply, to use the code's config.</small>"
            )
        else:
            self.widget.value = ""

    def _show_revert_buttons(self, by_path: Mapping[str, Editor]) -> None:
        """A "use the code's value" button beside each field that differs from the code."""
        for path, editor in by_path.items():
            if not isinstance(editor, FieldEditor):
                continue
            wanted = path in self.differs
            if wanted and editor.revert_button is None:
                button = widgets.Button(
                    description="use the code's value",
                    tooltip=f"put the code's value of {path} back in the form; Apply to use it",
                    layout=widgets.Layout(width="auto"),
                )
                button.add_class("wb-revert-field")
                button.on_click(lambda _button, path=path: self._on_revert(path))
                editor.show_revert(button)
            elif not wanted and editor.revert_button is not None:
                editor.show_revert(None)
