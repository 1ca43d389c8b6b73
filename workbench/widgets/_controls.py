"""The controls of a config form: one per field kind, plus list and dict editors."""

from __future__ import annotations

import datetime
import html
import json
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets
import traitlets
from pydantic import SecretStr

from workbench.core.fields import MISSING, FieldSpec, format_annotation
from workbench.widgets._theme import colour

__all__ = [
    "DictEditor",
    "Kit",
    "ListEditor",
    "Problem",
    "badge_html",
    "differs_html",
    "error_html",
    "from_control",
    "help_html",
    "label_html",
    "make_control",
    "to_control",
]


class Problem(Exception):
    """A control holds something that cannot become the field's value (e.g. bad JSON)."""


class Kit:
    """Shared layouts and styles for one form: a widget costs far less when it has none of its own.

    Attributes:
        layout: the layout of every widget that never changes its own layout.
    """

    def __init__(self) -> None:
        self.layout = widgets.Layout()
        self.label_layout = widgets.Layout(width="180px", min_width="180px")
        self.indent_layout = widgets.Layout(margin="0 0 0 16px")
        self._styles: dict[type[Any], Any] = {}
        # buttons as wide as their labels, so a row fits a narrow output area (JupyterLab's)
        self.toggle_style = widgets.ToggleButtonsStyle(button_width="auto")
        self.keep_width = widgets.Layout(flex="0 0 auto")

    def make(self, cls: type[Any], layout: Any = None, **kwargs: Any) -> Any:
        """Build a widget of class ``cls`` with the shared layout and style."""
        trait = cls.class_traits().get("style")
        if trait is not None and "style" not in kwargs:
            style_class = trait.klass
            if style_class not in self._styles:
                self._styles[style_class] = style_class()
            kwargs["style"] = self._styles[style_class]
        return cls(layout=layout or self.layout, **kwargs)

    def html(self, value: str = "", layout: Any = None) -> Any:
        """An HTML widget (the caller escapes what it puts in)."""
        return self.make(widgets.HTML, layout, value=value)


def blank(spec: FieldSpec) -> Any:
    """The value a control holds for a field that has no value yet."""
    choices = spec.choices
    blanks: dict[str, Any] = {
        "str": "",
        "secret": "",
        "int": 0,
        "float": 0.0,
        "bool": False,
        "enum": choices[0] if choices else None,
        "literal": choices[0] if choices else None,
        "list": [],
        "dict": {},
        "any": "",
    }
    return blanks.get(spec.kind)


def to_control(spec: FieldSpec, literal: Any) -> Any:
    """Turn a literal value (as in a FieldSpec) into what the field's control holds."""
    if literal is MISSING or literal is None or _is_env(literal):
        return blank(spec)
    if spec.kind == "secret" or spec.secret:
        return ""
    if spec.kind in ("date", "datetime") and isinstance(literal, str):
        parse = datetime.datetime if spec.kind == "datetime" else datetime.date
        return parse.fromisoformat(literal)
    if spec.kind == "any":
        return json.dumps(literal, default=str)
    if spec.kind == "float" and isinstance(literal, int):
        return float(literal)
    if spec.kind == "list" and spec.item is not None:
        return [to_control(spec.item, item) for item in literal]
    if spec.kind == "dict" and spec.item is not None:
        return {key: to_control(spec.item, item) for key, item in literal.items()}
    return literal


def from_control(spec: FieldSpec, value: Any) -> Any:
    """Turn what a control holds into a value for validation.

    Raises:
        Problem: when the control's content cannot be read (bad JSON).
    """
    if spec.kind == "enum" and isinstance(value, str):
        return spec.base_type[value]
    if spec.kind == "any":
        if isinstance(value, str) and not value.strip():
            return None
        try:
            return json.loads(value)
        except (TypeError, ValueError) as exc:
            message = f'not valid JSON ({exc}); write a JSON value, e.g. 1, "text" or [1, 2]'
            raise Problem(message) from None
    if spec.kind == "list" and spec.item is not None:
        return [from_control(spec.item, item) for item in value]
    if spec.kind == "dict" and spec.item is not None:
        return {key: from_control(spec.item, item) for key, item in value.items()}
    return value


def _is_env(literal: Any) -> bool:
    return isinstance(literal, dict) and set(literal) == {"env"}


def make_control(kit: Kit, spec: FieldSpec, value: Any) -> Any:
    """Build the control for ``spec`` holding ``value`` (as :func:`to_control` gives it)."""
    kind = spec.kind
    if kind in ("str", "secret"):
        cls = widgets.Password if (spec.secret or kind == "secret") else widgets.Text
        return kit.make(cls, value=value or "", continuous_update=True)
    if kind == "int":
        return kit.make(widgets.IntText, value=value if value is not None else 0)
    if kind == "float":
        return kit.make(widgets.FloatText, value=value if value is not None else 0.0)
    if kind == "bool":
        return kit.make(widgets.Checkbox, value=bool(value), indent=False)
    if kind in ("enum", "literal"):
        options = [(_choice_label(choice), choice) for choice in spec.choices]
        return kit.make(widgets.Dropdown, options=options, value=value)
    if kind == "date":
        return kit.make(widgets.DatePicker, value=value)
    if kind == "datetime":
        aware = isinstance(value, datetime.datetime) and value.tzinfo is not None
        cls = widgets.DatetimePicker if aware else widgets.NaiveDatetimePicker
        return kit.make(cls, value=value)
    if kind == "list" and spec.item is not None:
        return ListEditor(kit, spec.item, list(value or []))
    if kind == "dict" and spec.item is not None:
        return DictEditor(kit, spec.item, dict(value or {}))
    return kit.make(widgets.Textarea, value=value or "", placeholder="a JSON value")


def _choice_label(choice: Any) -> str:
    return choice if isinstance(choice, str) else repr(choice)


class _RowsEditor(widgets.VBox):  # type: ignore[misc]
    """What the list and dict editors share: rows with a remove button, and an add button."""

    def __init__(self, kit: Kit, item: FieldSpec) -> None:
        self._kit = kit
        self._item = item
        self._syncing = False
        self._all: list[tuple[Any, Any, Any]] = []
        self.add_button = kit.make(widgets.Button, description="add", icon="plus")
        self.add_button.on_click(lambda _button: self._add())
        super().__init__(layout=kit.layout)

    def _row(self, key: Any, value: Any) -> tuple[Any, Any, Any]:
        try:
            control = make_control(self._kit, self._item, value)
        except (traitlets.TraitError, TypeError, ValueError):
            # a value set from code that no row control can hold: the row starts blank and
            # validation reports the item (see ResourceForm's never-raise rule)
            control = make_control(self._kit, self._item, blank(self._item))
        control.observe(self._rows_changed, names="value")
        remove = self._kit.make(widgets.Button, description="remove", icon="trash")
        parts = [control, remove] if key is None else [key, control, remove]
        row = self._kit.make(widgets.HBox, children=parts)
        remove.on_click(lambda _button: self._remove(row))
        return row, key, control

    def _layout(self) -> None:
        self.children = [*(row for row, _key, _control in self._all), self.add_button]

    def _remove(self, row: Any) -> None:
        self._all = [entry for entry in self._all if entry[0] is not row]
        self._layout()
        self._rows_changed()

    def _add(self) -> None:
        raise NotImplementedError

    def _rows_changed(self, change: Any = None) -> None:
        raise NotImplementedError


class ListEditor(_RowsEditor):
    """A list with one row per item; ``.value`` is the list."""

    value: traitlets.List[Any] = traitlets.List()

    def __init__(self, kit: Kit, item: FieldSpec, value: list[Any]) -> None:
        super().__init__(kit, item)
        self.value = value
        self._rebuild()

    @traitlets.observe("value")
    def _value_set(self, change: Any) -> None:
        if not self._syncing:
            self._rebuild()

    def _rebuild(self) -> None:
        self._all = [self._row(None, item) for item in self.value]
        self._layout()

    def _add(self) -> None:
        self._all.append(self._row(None, blank(self._item)))
        self._layout()
        self._rows_changed()

    def _rows_changed(self, change: Any = None) -> None:
        self._syncing = True
        try:
            self.value = [control.value for _row, _key, control in self._all]
        finally:
            self._syncing = False


class DictEditor(_RowsEditor):
    """A dict with one key/value row per entry; ``.value`` is the dict."""

    value: traitlets.Dict[str, Any] = traitlets.Dict()

    def __init__(self, kit: Kit, item: FieldSpec, value: dict[str, Any]) -> None:
        super().__init__(kit, item)
        self.value = value
        self._rebuild()

    @traitlets.observe("value")
    def _value_set(self, change: Any) -> None:
        if not self._syncing:
            self._rebuild()

    def _key(self, key: str) -> Any:
        text = self._kit.make(widgets.Text, value=key, placeholder="key")
        text.observe(self._rows_changed, names="value")
        return text

    def _rebuild(self) -> None:
        self._all = [self._row(self._key(key), item) for key, item in self.value.items()]
        self._layout()

    def _add(self) -> None:
        self._all.append(self._row(self._key(""), blank(self._item)))
        self._layout()
        self._rows_changed()

    def _rows_changed(self, change: Any = None) -> None:
        self._syncing = True
        try:
            self.value = {key.value: control.value for _row, key, control in self._all}
        finally:
            self._syncing = False


def label_html(spec: FieldSpec) -> str:
    """The field's name, a red star when it is required, and its type."""
    star = (
        f' <span style="color:{colour("error")}" title="required">*</span>' if spec.required else ""
    )
    kind = html.escape(format_annotation(spec.annotation))
    return f"<b>{html.escape(spec.name)}</b>{star}<br><small><code>{kind}</code></small>"


_BOUNDS = {"ge": "≥", "gt": ">", "le": "≤", "lt": "<"}


def help_html(spec: FieldSpec) -> str:
    """The description, the default and the constraints, as one small line (or "")."""
    parts: list[str] = []
    if spec.description:
        parts.append(html.escape(spec.description))
    if spec.required:
        parts.append("required")
    elif spec.default is not MISSING and not spec.secret:
        parts.append(f"default: <code>{html.escape(_show(spec.default))}</code>")
    for name, value in spec.constraints.items():
        sign = _BOUNDS.get(name)
        text = f"{sign} {value}" if sign else f"{name.replace('_', ' ')} {value}"
        parts.append(html.escape(text))
    if not parts:
        return ""
    return f'<small class="wb-help" style="color:{colour("muted")}">{" · ".join(parts)}</small>'


def _show(value: Any) -> str:
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, SecretStr):
        return "**********"
    return json.dumps(value, default=str)


def error_html(message: str) -> str:
    """An error message in red (empty when there is none)."""
    if not message:
        return ""
    return f'<span style="color:{colour("error")}">{html.escape(message)}</span>'


def differs_html(text: str) -> str:
    """A marker saying the value in force is not the code's (empty when it is)."""
    if not text:
        return ""
    return f'<small class="wb-differs">● {html.escape(text)}</small>'


def badge_html(name: str, is_set: bool) -> str:
    """Whether the environment variable ``name`` is set; never its value."""
    if not name:
        return f'<small style="color:{colour("muted")}">no variable named</small>'
    if is_set:
        return f'<small style="color:{colour("success")}">● {html.escape(name)} is set</small>'
    return f'<small style="color:{colour("error")}">○ {html.escape(name)} is not set</small>'


Notify = Callable[[], None]
