"""A field's editor: its control, label, help, error line, and EnvVar or unset switches."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import ipywidgets as widgets

from workbench.core.config import EnvVar, IntEnvVar
from workbench.core.fields import MISSING, FieldSpec
from workbench.widgets._controls import (
    Kit,
    Problem,
    badge_html,
    differs_html,
    error_html,
    from_control,
    help_html,
    label_html,
    make_control,
    to_control,
)

__all__ = [
    "Context",
    "Editor",
    "FieldEditor",
    "Problems",
    "drop_under",
    "initial_literal",
    "is_env_literal",
    "mark_field",
]

Problems = list[tuple[str, str]]


@dataclass
class Context:
    """What every editor of one form shares."""

    kit: Kit
    changed: Callable[[], None]
    restructured: Callable[[], None]
    guard: Callable[[Callable[[], object]], None]
    environ: Callable[[str], bool]
    loading: bool = False
    kept: dict[str, Any] = field(default_factory=dict)
    """Secret values already in the resource, by path: used, never shown."""


def is_env_literal(literal: Any) -> bool:
    """Tell whether a literal value stands for an EnvVar (``{"env": NAME}``)."""
    return isinstance(literal, dict) and set(literal) == {"env"}


def initial_literal(spec: FieldSpec, parent: Any = MISSING) -> Any:
    """The literal a field starts from: its EnvVar, its value, the parent's, or its default."""
    if spec.env_var is not None:
        return {"env": spec.env_var}
    if spec.value is not MISSING:
        return spec.value
    if isinstance(parent, Mapping) and spec.name in parent:
        return parent[spec.name]
    return spec.default


def drop_under(errors: Problems, omitted: list[str]) -> Problems:
    """Leave out errors about fields that were left out because they hold a problem."""
    return [
        (path, text)
        for path, text in errors
        if not any(path == gone or path.startswith(f"{gone}.") for gone in omitted)
    ]


def mark_field(widget: Any, spec: FieldSpec) -> None:
    """CSS classes that name the field, for styling and for browser tests to find it."""
    widget.add_class("wb-field")
    widget.add_class("wb-field-" + spec.path.replace(".", "-"))


class Editor:
    """The widgets of one field, and how to read them back into config."""

    spec: FieldSpec
    widget: Any
    note: Any
    control: Any = None
    unset: Any = None

    def __init__(self, context: Context, spec: FieldSpec) -> None:
        self.context = context
        self.spec = spec
        self.help = help_html(spec)
        self.message = ""
        self.differs = ""
        self.note = context.kit.html(self.help)
        self.note.add_class("wb-note")

    def show_error(self, message: str, differs: str = "") -> None:
        """Show ``message`` (or no error) beside the field, after its help text.

        Args:
            message: the field's error ("" for none).
            differs: how the value in force differs from the code's ("" when it does not).
        """
        if (message, differs) == (self.message, self.differs):
            return
        self.message, self.differs = message, differs
        parts = [text for text in (self.help, differs_html(differs), error_html(message)) if text]
        self.note.value = "<br>".join(parts)

    def load(self, spec: FieldSpec, literal: Any) -> None:
        """Show ``literal`` (and the EnvVar and kept secret that ``spec`` says)."""
        raise NotImplementedError

    def collect(self, out: dict[str, Any], problems: Problems, omitted: list[str]) -> None:
        """Put this field's value into ``out``, or record why it cannot be read."""
        raise NotImplementedError

    def walk(self) -> Iterator[Editor]:
        """This editor and every editor nested in it."""
        yield self

    def typed_secret(self) -> bool:
        """Tell whether the user typed a secret's value into this field."""
        return False

    def _watch(self, widget: Any, handler: Callable[[], object]) -> None:
        widget.observe(lambda _change: self.context.guard(handler), names="value")

    def _unset_box(self) -> Any:
        if not self.spec.optional:
            return None
        box = self.context.kit.make(
            widgets.Checkbox, value=False, description="unset", indent=False
        )
        self._watch(box, self._unset_changed)
        return box

    def _unset_changed(self) -> None:
        self.context.changed()


class FieldEditor(Editor):
    """A field with one control: scalars, secrets, lists and dicts."""

    def __init__(self, context: Context, spec: FieldSpec, literal: Any) -> None:
        super().__init__(context, spec)
        kit = context.kit
        self.control = make_control(kit, spec, to_control(spec, literal))
        self.label = kit.html(label_html(spec), kit.label_layout)
        self.label.add_class("wb-label")
        self.unset = self._unset_box()
        self.source: Any = None
        self.env_name: Any = None
        self.badge: Any = None
        self.revert_button: Any = None
        if spec.env_capable:
            options = [("value", "value"), ("environment variable", "env")]
            self.source = kit.make(
                widgets.ToggleButtons,
                kit.keep_width,
                options=options,
                value="value",
                style=kit.toggle_style,
            )
            self.env_name = kit.make(widgets.Text, placeholder="VARIABLE_NAME")
            self.badge = kit.html()
        self.row = self.widget = kit.make(widgets.HBox)
        self.row.add_class("wb-row")  # laid out as a grid by the form's style sheet
        mark_field(self.widget, spec)
        self._typed = ""
        if isinstance(self.control, widgets.Password):
            # the typed secret moves into memory and the box empties, so that the widget's
            # state (which JupyterLab can save in the notebook) never holds it (#11)
            self.control.continuous_update = False
        self.load(spec, literal)
        self._watch(self.control, self._value_changed)
        if self.source is not None:
            self._watch(self.source, self._arrange_and_notify)
            self._watch(self.env_name, self._arrange_and_notify)

    def load(self, spec: FieldSpec, literal: Any) -> None:
        """Show ``literal``; an EnvVar switches the source to the environment."""
        env = literal["env"] if is_env_literal(literal) else None
        kept = self.context.kept.get(spec.path)
        if self.source is not None:
            self.source.value = "env" if env else "value"
            self.env_name.value = env or ""
        self._typed = ""
        self.control.value = to_control(self.spec, None if env else literal)
        if self.unset is not None:
            self.unset.value = literal is None and kept is None and env is None
        if isinstance(self.control, widgets.Password):
            self.control.placeholder = "set; type to replace" if kept is not None else ""
        self._arrange()

    def show_revert(self, button: Any) -> None:
        """Show ``button`` (going back to the code's value) after the field, or none."""
        self.revert_button = button
        self._arrange()

    def _arrange(self) -> None:
        parts = [self.label]
        tail = [self.note]
        if self.revert_button is not None:
            tail.append(self.revert_button)
        if self.source is not None:
            parts.append(self.source)
        if self.source is not None and self.source.value == "env":
            name = self.env_name.value.strip()
            self.badge.value = badge_html(name, bool(name) and self.context.environ(name))
            parts += [self.env_name, self.badge]
        else:
            if self.unset is not None:
                parts.append(self.unset)
                self.control.disabled = self.unset.value
            parts.append(self.control)
        parts += tail
        if list(self.row.children) != parts:
            self.row.children = parts

    def _arrange_and_notify(self) -> None:
        self._arrange()
        self.context.changed()

    def _unset_changed(self) -> None:
        self._arrange_and_notify()

    def _value_changed(self) -> None:
        if isinstance(self.control, widgets.Password):
            if not self.control.value:
                return  # the box emptied after taking a secret, or nothing was typed
            self._typed = self.control.value
            self.control.value = ""
            self.control.placeholder = "typed; Apply to use it"
        if not self.context.loading:
            if self.unset is not None and self.unset.value:
                self.unset.value = False
            if self.is_env():
                # a value given (e.g. `form.fields[path].value = ...`) replaces the EnvVar
                self.source.value = "value"
        self.context.changed()

    def typed_text(self) -> str:
        """The text typed into this field (for a password box, held here, not in the box)."""
        return self._typed if isinstance(self.control, widgets.Password) else self.control.value

    def is_env(self) -> bool:
        """Tell whether the value comes from an environment variable."""
        return self.source is not None and self.source.value == "env"

    def collect(self, out: dict[str, Any], problems: Problems, omitted: list[str]) -> None:
        """Put the value (an EnvVar, None, a kept secret, or the control's) into ``out``."""
        spec, name = self.spec, self.spec.name
        if self.is_env():
            variable = self.env_name.value.strip()
            if not variable:
                problems.append((spec.path, "give the environment variable's name"))
                omitted.append(spec.path)
                return
            out[name] = IntEnvVar(variable) if spec.kind == "int" else EnvVar(variable)
            return
        if self.unset is not None and self.unset.value:
            out[name] = None
            return
        text = self.typed_text() if spec.kind in ("str", "secret") else self.control.value
        if isinstance(self.control, widgets.Password) and not text:
            kept = self.context.kept.get(spec.path)
            if kept is not None:
                out[name] = kept
            return
        if spec.required and spec.kind == "str" and text == "":
            return  # an empty box for a required text field is "not given" (pydantic says so)
        try:
            out[name] = from_control(spec, text)
        except Problem as exc:
            problems.append((spec.path, str(exc)))
            omitted.append(spec.path)

    def typed_secret(self) -> bool:
        """Tell whether a secret was typed into the password box (and is in use)."""
        return (
            isinstance(self.control, widgets.Password)
            and bool(self._typed)
            and not self.is_env()
            and not (self.unset is not None and self.unset.value)
        )

    def refresh(self) -> None:
        """Read the environment again for the set/unset badge."""
        if self.is_env():
            self._arrange()
