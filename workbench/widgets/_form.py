"""ResourceForm: one resource's config as a form, built only from the core's field specs.

A form validates as the user types, shows each error beside its field, and on Apply binds a
new resource in the session so the next run uses it. A secret's value is never shown.
"""

from __future__ import annotations

import functools
import html
import os
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import ipywidgets as widgets
from pydantic import BaseModel, SecretStr, ValidationError

from workbench.core.config import describe_validation_error
from workbench.core.fields import FieldSpec, field_specs, literal_values, partial_parts
from workbench.core.secrets import Scrubber, collect_secrets, mark_secret_paths
from workbench.core.session import current_session
from workbench.errors import ConfigError
from workbench.widgets._controls import Kit, error_html
from workbench.widgets._editors import (
    Context,
    Editor,
    FieldEditor,
    build_editor,
    drop_under,
    initial_literal,
)
from workbench.widgets._form_origin import CodeComparison
from workbench.widgets._form_status import (
    FormNotes,
    apply_head,
    apply_warnings,
    class_problems,
    place_problems,
    specs_by_path,
    unset_variables,
)
from workbench.widgets._form_values import (
    describe,
    kept_secrets,
    mark_secret,
    secret_paths,
    without_secrets,
)
from workbench.widgets._theme import STYLE_SHEET

__all__ = ["BuildResource", "OnApply", "ResourceForm", "SpecsOf"]

OnApply = Callable[[str, Any, dict[str, Any]], object]
"""Called on Apply with the resource key, the new resource and its literal config. One that
saves the edit binds the resource again with its save time (``Session.bind(..., saved_at=)``),
and the form then says how old the edit in force is."""
SpecsOf = Callable[[Any], tuple[FieldSpec, ...]]
"""A resource's field specs, as its engine reads them (the core's ``field_specs`` by default)."""
BuildResource = Callable[[Any, dict[str, Any]], Any]
"""Build a new resource of the given one's class from the form's values (its engine's way)."""

_LIVE_FORMS: weakref.WeakSet[ResourceForm] = weakref.WeakSet()
"""Every form shown in this process: Apply in one updates the others of the same resource."""


class ResourceForm:
    """A form for one resource's config.

    Attributes:
        resource_key: the key the resource is bound to.
        fields: dotted field path -> the control whose ``.value`` is the field's value (for a
            union, the variant chooser; for an Optional field, the "unset" switch is in
            ``unset_switches``).
        env_fields: field path -> the Text holding the environment variable's name.
        sources: field path -> the value / environment variable switch.
        unset_switches: field path -> the "unset" checkbox of an Optional field.
        sections: field path -> the collapsible section of nested config.
        errors: field path (``""`` for the whole resource) -> message.
        warnings: what Apply could not do (e.g. keep a typed secret out of saved config).
        widget: the ipywidgets container to display.
    """

    def __init__(
        self,
        resource_key: str,
        resource: Any,
        *,
        code_resource: Any = None,
        on_apply: OnApply | None = None,
        used_by: Sequence[str] = (),
        specs_of: SpecsOf = field_specs,
        build: BuildResource | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        parts = partial_parts(resource)
        if parts is not None:
            self._class: type[BaseModel] = parts[0]
        elif isinstance(resource, BaseModel):
            self._class = type(resource)
        else:
            raise TypeError(
                f"resource {resource_key!r} is a {type(resource).__name__}, which has no config "
                "to edit; a form needs a ConfigurableResource (or configure_at_launch())"
            )
        self.resource_key = resource_key
        self.used_by = tuple(used_by)
        self._specs_of = specs_of
        self._build = build
        self._on_apply = on_apply
        self._applied: Any = resource
        self._code: Any = resource if code_resource is None else code_resource
        self._value: Any = None
        self.fields: dict[str, Any] = {}
        self.env_fields: dict[str, Any] = {}
        self.sources: dict[str, Any] = {}
        self.unset_switches: dict[str, Any] = {}
        self.sections: dict[str, Any] = {}
        self.errors: dict[str, str] = {}
        self.warnings: list[str] = []
        self._clock = clock
        self._by_path: dict[str, Editor] = {}
        self._problems: list[tuple[str, str]] = []
        kit = Kit()
        self._context = Context(
            kit=kit,
            changed=self._changed,
            restructured=self._restructured,
            guard=self._guard,
            environ=lambda name: name in os.environ,
        )
        # a field the code gives as EnvVar is secret even once a value is typed over it (#11)
        self._secret_paths = secret_paths(specs_of(self._code))
        specs = self._specs(resource)
        self._context.kept = kept_secrets(resource, specs)
        self._context.loading = True
        try:
            self._editors = [
                build_editor(self._context, spec, initial_literal(spec)) for spec in specs
            ]
        finally:
            self._context.loading = False
        self._top_error = kit.html()
        self._comparison = CodeComparison(
            kit, lambda path: self._guard(functools.partial(self.revert_field, path))
        )
        self._origin = self._comparison.widget
        self._form_notes = FormNotes(kit)
        self._notes = self._form_notes.widget
        self.apply_button = kit.make(widgets.Button, description="Apply", button_style="primary")
        self.reset_button = kit.make(widgets.Button, description="Reset")
        self.revert_button = kit.make(widgets.Button, description="Revert")
        self.apply_button.on_click(lambda _button: self._guard(self.apply))
        self.reset_button.on_click(lambda _button: self._guard(self.reset))
        self.revert_button.on_click(lambda _button: self._guard(self.revert))
        self.apply_button.tooltip = "bind the edited resource; the next run uses it"
        self.reset_button.tooltip = "back to the last applied config"
        self.revert_button.tooltip = "back to the config in the code"
        buttons = [self.apply_button, self.reset_button, self.revert_button]
        for button, name in zip(buttons, ("apply", "reset", "revert"), strict=True):
            button.add_class(f"wb-{name}")
        body = kit.make(widgets.VBox, children=[editor.widget for editor in self._editors])
        self.widget = widgets.VBox(
            [
                kit.html(f"<style>{STYLE_SHEET}</style>{self._header()}"),
                self._origin,
                self._top_error,
                body,
                kit.make(widgets.HBox, children=buttons),
                self._notes,
            ]
        )
        self.widget.add_class("wb-resource-form")
        self._register()
        self._compare_with_code()
        self._validate()
        _LIVE_FORMS.add(self)

    # -- public API --------------------------------------------------------------------------

    @property
    def value(self) -> Any:
        """The resource the form holds now, validated; None while anything is invalid."""
        return self._value

    @property
    def differs(self) -> dict[str, str]:
        """Field path -> why its value in force is not the code's (a saved edit, and its age)."""
        return self._comparison.differs

    @property
    def applied(self) -> Any:
        """The resource last applied (the one given, until Apply)."""
        return self._applied

    def apply(self) -> Any:
        """Bind the edited resource in the session and call ``on_apply``.

        Every other form of the same resource (another panel, the launchpad) then shows it.

        Returns:
            The new resource, or None when the form is invalid (the errors are shown).
        """
        self._validate()
        if self._value is None:
            self._form_notes.show_error("fix the errors above, then Apply")
            return None
        new = self._value
        unset = unset_variables(new, self._context.environ)
        typed = [editor.spec.path for editor in self._typed_secrets()]
        self.warnings = apply_warnings(self.resource_key, typed, unset)
        current_session().bind(self.resource_key, new)
        saved = without_secrets(literal_values(new), literal_values(self._code), self._secret_paths)
        notes = [apply_head(unset), *self.warnings]
        if self._on_apply is not None:
            # before the form shows it: saving it records when it was saved (#14)
            try:
                self._on_apply(self.resource_key, new, saved)
            except Exception as exc:
                notes.append(f"applied for this session, but saving failed: {describe(exc)}")
        self._adopt(new)
        self._form_notes.show(notes, "applied", warning=bool(self.warnings))
        for other in list(_LIVE_FORMS):
            same = other.resource_key == self.resource_key and other._class is self._class
            if other is not self and same:
                other._guard(functools.partial(other._applied_elsewhere, new))
        return new

    def reset(self) -> None:
        """Go back to the last applied config."""
        self._load(self._applied)
        self._form_notes.show(["reset to the last applied config"], "reset")

    def revert(self) -> None:
        """Go back to the config in the code; Apply makes runs use it again."""
        self._load(self._code)
        self._form_notes.show(["reverted to the code's config; Apply to use it"], "dirty")

    @property
    def has_unapplied_changes(self) -> bool:
        """Whether the form holds edits that Apply has not put in force."""
        if self._typed_secrets():
            return True
        if self._value is None:
            return True
        return bool(literal_values(self._value) != literal_values(self._applied))

    def refresh(self) -> None:
        """Read the environment again: update every set/unset badge."""
        for editor in self._by_path.values():
            if isinstance(editor, FieldEditor):
                editor.refresh()
        self._compare_with_code()  # and how old the saved edit is now
        self._show(self._problems)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle: dict[str, Any] = dict(self.widget._repr_mimebundle_() or {})
        bundle["text/plain"] = self._text()
        return bundle

    def __repr__(self) -> str:
        return f"ResourceForm({self.resource_key!r}, {self._class.__name__})"

    # -- inside ------------------------------------------------------------------------------

    def _adopt(self, resource: Any) -> None:
        """Show ``resource`` as the config in force."""
        self._applied = resource
        self._compare_with_code()
        self._load(resource)

    def _applied_elsewhere(self, resource: Any) -> None:
        """Another view applied this resource: show it, unless edits here would be lost."""
        if self.has_unapplied_changes:
            self._applied = resource
            self._compare_with_code()
            self._show(self._problems)
            self._form_notes.show(
                ["applied in another view since; Reset shows that config (drops the edits here)"],
                "dirty",
            )
            return
        self._adopt(resource)
        self._form_notes.show(["applied in another view: this is the config in force"], "applied")

    def _compare_with_code(self) -> None:
        """Mark each field whose value in force is not the code's, with the saved edit's age."""
        session = current_session()
        in_force = session.overrides.get(self.resource_key) is self._applied
        saved_at = session.saved_at(self.resource_key) if in_force else None
        self._comparison.update(self._applied, self._code, self._by_path, saved_at, self._clock())

    def revert_field(self, path: str) -> None:
        """Put the code's value of one field back in the form; Apply puts it in force."""
        editor = self._by_path.get(path)
        spec = specs_by_path(self._specs_of(self._code)).get(path)
        if not isinstance(editor, FieldEditor) or spec is None:
            raise KeyError(f"no field {path!r} to revert; fields: {', '.join(self.fields)}")
        with self._loading():
            editor.load(spec, initial_literal(spec))
        self._validate()

    def _header(self) -> str:
        title = f"<b>{html.escape(self.resource_key)}</b> <code>{self._class.__name__}</code>"
        if self.used_by:
            title += f"<br><small>used by: {html.escape(', '.join(self.used_by))}</small>"
        return title

    def _text(self) -> str:
        state = "valid" if not self.errors else f"{len(self.errors)} invalid"
        lines = [f"{self!r}: {state}"]
        lines += [f"  {path or '(resource)'}: {text}" for path, text in self.errors.items()]
        lines += [f"  {path}: {text}" for path, text in self.differs.items()]
        return "\n".join(lines)

    def _guard(self, action: Callable[[], object]) -> None:
        """Run a widget callback; show what it raises instead of raising into the notebook."""
        try:
            action()
        except Exception as exc:
            self._top_error.value = error_html(f"could not handle that change: {describe(exc)}")
            self.apply_button.disabled = True

    def _changed(self) -> None:
        if not self._context.loading:
            self._validate()

    def _restructured(self) -> None:
        self._register()
        self._changed()

    @contextmanager
    def _loading(self) -> Iterator[None]:
        self._context.loading = True
        try:
            yield
        finally:
            self._context.loading = False

    def _specs(self, resource: Any) -> tuple[FieldSpec, ...]:
        """The resource's field specs, secret wherever the code's are."""
        return mark_secret(self._specs_of(resource), self._secret_paths)

    def _load(self, resource: Any) -> None:
        specs = self._specs(resource)
        self._context.kept = kept_secrets(resource, specs)
        with self._loading():
            for editor, spec in zip(self._editors, specs, strict=True):
                editor.load(spec, initial_literal(spec))
        self._register()
        self._validate()

    def _register(self) -> None:
        for mapping in (self.fields, self.env_fields, self.sources, self.unset_switches):
            mapping.clear()
        self.sections.clear()
        self._by_path = {}
        for top in self._editors:
            for editor in top.walk():
                path = editor.spec.path
                self._by_path[path] = editor
                if editor.unset is not None:
                    self.unset_switches[path] = editor.unset
                if isinstance(editor.control, widgets.Accordion):
                    self.sections[path] = editor.control
                    continue
                self.fields[path] = editor.control
                if isinstance(editor, FieldEditor) and editor.source is not None:
                    self.env_fields[path] = editor.env_name
                    self.sources[path] = editor.source

    def _validate(self) -> None:
        problems: list[tuple[str, str]] = []
        omitted: list[str] = []
        data: dict[str, Any] = {}
        candidate = None
        try:
            for editor in self._editors:
                editor.collect(data, problems, omitted)
            if self._build is None:
                candidate = self._class(**data)
            else:
                candidate = self._build(self._code, data)
            mark_secret_paths(candidate, self._secret_paths)
            if not problems:
                problems.extend(class_problems(candidate, self.resource_key, self._context.environ))
        except ConfigError as exc:
            problems.extend(drop_under(exc.errors, omitted))
        except ValidationError as exc:
            problems.extend(drop_under(describe_validation_error(exc), omitted))
        except Exception as exc:
            problems.append(("", describe(exc)))
        self._value = None if problems else candidate
        self._problems = problems
        self._show(problems)
        if not self._context.loading:
            self._form_notes.mark_unapplied(self.has_unapplied_changes)

    def _show(self, problems: list[tuple[str, str]]) -> None:
        self.errors = place_problems(problems, self._by_path, self._scrubber())
        for path, editor in self._by_path.items():
            editor.show_error(self.errors.get(path, ""), self.differs.get(path, ""))
        self._top_error.value = error_html(self.errors.get("", ""))
        self.apply_button.disabled = bool(self.errors)

    def _typed_secrets(self) -> list[FieldEditor]:
        return [
            editor
            for editor in self._by_path.values()
            if isinstance(editor, FieldEditor) and editor.typed_secret()
        ]

    def _scrubber(self) -> Scrubber:
        """The one scrubber: the secrets typed here, kept here, and the code resource's."""
        typed = [editor.typed_text() for editor in self._typed_secrets()]
        texts = [*typed, *self._context.kept.values()]
        secrets = collect_secrets([SecretStr(t) if isinstance(t, str) else t for t in texts])
        return Scrubber(secrets | collect_secrets(self._code))
