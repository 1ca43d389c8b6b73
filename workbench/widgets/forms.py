"""Config forms: one form per resource, built only from the core's field specs.

A form validates as the user types, shows each error beside its field, and on Apply binds a
new resource in the session so the next run uses it. A secret's value is never shown.
"""

from __future__ import annotations

import functools
import html
import os
import time
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import ipywidgets as widgets
from pydantic import BaseModel, SecretStr, ValidationError

from workbench.core.config import Config, describe_validation_error
from workbench.core.fields import FieldSpec, field_specs, literal_values, partial_parts
from workbench.core.resolve import resolve
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
from workbench.widgets._form_values import (
    describe,
    flatten,
    is_env,
    kept_secrets,
    mark_secret,
    secret_paths,
    without_secrets,
)
from workbench.widgets._theme import STYLE_SHEET

__all__ = ["BuildResource", "OnApply", "ResourceForm", "ResourcesPanel", "SpecsOf"]

OnApply = Callable[[str, Any, dict[str, Any]], object]
"""Called after Apply with the resource key, the new resource and its literal config."""
SpecsOf = Callable[[Any], tuple[FieldSpec, ...]]
"""A resource's field specs, as its engine reads them (the core's ``field_specs`` by default)."""
BuildResource = Callable[[Any, dict[str, Any]], Any]
"""Build a new resource of the given one's class from the form's values (its engine's way)."""

_LIVE_FORMS: weakref.WeakSet[ResourceForm] = weakref.WeakSet()
"""Every form shown in this process: Apply in one updates the others of the same resource."""
PLACEHOLDER = "0"
"""What an unset environment variable reads as while a form checks the class's validators."""


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
        self._note_kind = ""
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
        self._notes = kit.html()
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
            self._notes.value = error_html("fix the errors above, then Apply")
            self._note_kind = "error"
            return None
        new = self._value
        self.warnings = [self._secret_warning(editor) for editor in self._typed_secrets()]
        unset = self._unset_variables(new)
        self.warnings += [
            f"{path}: {name} is not set, so the next run will fail unless it is set "
            f"(set {name} in the kernel's environment, or give {path} a value)"
            for path, name in unset.items()
        ]
        current_session().bind(self.resource_key, new)
        saved = without_secrets(literal_values(new), literal_values(self._code), self._secret_paths)
        head = "applied: the next run uses this config"
        if unset:
            head = "applied, but the next run fails unless " + ", ".join(
                sorted(set(unset.values()))
            )
            head += " " + ("is" if len(set(unset.values())) == 1 else "are") + " set"
        notes = [head, *self.warnings]
        if self._on_apply is not None:
            # before the form shows it: saving it records when it was saved (#14)
            try:
                self._on_apply(self.resource_key, new, saved)
            except Exception as exc:
                notes.append(f"applied for this session, but saving failed: {describe(exc)}")
        self._adopt(new)
        self._show_notes(notes, "applied", warning=bool(unset or self.warnings))
        for other in list(_LIVE_FORMS):
            same = other.resource_key == self.resource_key and other._class is self._class
            if other is not self and same:
                other._guard(functools.partial(other._applied_elsewhere, new))
        return new

    def reset(self) -> None:
        """Go back to the last applied config."""
        self._load(self._applied)
        self._show_notes(["reset to the last applied config"], "reset")

    def revert(self) -> None:
        """Go back to the config in the code; Apply makes runs use it again."""
        self._load(self._code)
        self._show_notes(["reverted to the code's config; Apply to use it"], "dirty")

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
            self._show_notes(
                ["applied in another view since; Reset shows that config (drops the edits here)"],
                "dirty",
            )
            return
        self._adopt(resource)
        self._show_notes(["applied in another view: this is the config in force"], "applied")

    def _compare_with_code(self) -> None:
        """Mark each field whose value in force is not the code's, with the saved edit's age."""
        session = current_session()
        in_force = session.overrides.get(self.resource_key) is self._applied
        saved_at = session.saved_at(self.resource_key) if in_force else None
        self._comparison.update(self._applied, self._code, self._by_path, saved_at, self._clock())

    def revert_field(self, path: str) -> None:
        """Put the code's value of one field back in the form; Apply puts it in force."""
        editor = self._by_path.get(path)
        spec = _specs_by_path(self._specs_of(self._code)).get(path)
        if not isinstance(editor, FieldEditor) or spec is None:
            raise KeyError(f"no field {path!r} to revert; fields: {', '.join(self.fields)}")
        with self._loading():
            editor.load(spec, initial_literal(spec))
        self._validate()

    def _show_notes(self, notes: Sequence[str], kind: str, *, warning: bool = False) -> None:
        self._note_kind = kind
        text = "<br>".join(html.escape(note) for note in notes)
        self._notes.value = f"<span class='wb-warning'>{text}</span>" if warning else text

    def _unset_variables(self, resource: Any) -> dict[str, str]:
        """Field path -> the name of each environment variable it reads that is not set."""
        return {
            path: value["env"]
            for path, value in flatten(literal_values(resource)).items()
            if is_env(value) and not self._context.environ(value["env"])
        }

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
                problems.extend(self._class_problems(candidate))
        except ConfigError as exc:
            problems.extend(drop_under(exc.errors, omitted))
        except ValidationError as exc:
            problems.extend(drop_under(describe_validation_error(exc), omitted))
        except Exception as exc:
            problems.append(("", describe(exc)))
        self._value = None if problems else candidate
        self._problems = problems
        self._show(problems)
        self._mark_unapplied()

    def _class_problems(self, candidate: Any) -> list[tuple[str, str]]:
        """What the class's own validators say about ``candidate`` with its EnvVars read.

        A value given as an EnvVar waits for the run; here it is read from the environment
        (an unset variable reads as a placeholder, and errors about it are left out) so that
        field and model validators judge every other value as the user types.
        """
        if not isinstance(candidate, Config) or not candidate._has_env:
            return []
        unset = self._unset_variables(candidate)
        environ = dict(os.environ)
        environ.update(dict.fromkeys(unset.values(), PLACEHOLDER))
        try:
            resolve(candidate, f"resource {self.resource_key!r}", environ)
        except ConfigError as exc:
            return drop_under(list(exc.errors), list(unset))
        return []

    def _mark_unapplied(self) -> None:
        """Say when the form holds edits not in force (instead of an earlier "applied")."""
        if self._context.loading:
            return
        if self.has_unapplied_changes:
            if self._note_kind != "dirty":
                self._notes.value = (
                    "<span class='wb-unapplied'>● unapplied changes: Apply puts them in force, "
                    "Reset drops them</span>"
                )
                self._note_kind = "dirty"
        elif self._note_kind == "dirty":
            self._notes.value = ""
            self._note_kind = ""

    def _show(self, problems: list[tuple[str, str]]) -> None:
        scrub = self._scrubber()
        placed: dict[str, list[str]] = {}
        for path, text in problems:
            target = path
            while target and target not in self._by_path:
                target = target.rpartition(".")[0]
            rest = path[len(target) :].lstrip(".")
            text = f"{rest}: {text}" if rest and target else (f"{path}: {text}" if rest else text)
            placed.setdefault(target, []).append(scrub(text))
        self.errors = {path: "; ".join(texts) for path, texts in placed.items()}
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

    def _typed_texts(self) -> list[str]:
        return [editor.typed_text() for editor in self._typed_secrets()]

    def _secret_values(self) -> frozenset[str]:
        """The secrets typed here and those the form keeps (never shown in a control)."""
        texts = [*self._typed_texts(), *self._context.kept.values()]
        return collect_secrets(
            [SecretStr(text) if isinstance(text, str) else text for text in texts]
        )

    def _scrubber(self) -> Scrubber:
        """The one scrubber, for the form's secrets and those of the code's resource."""
        return Scrubber(self._secret_values() | collect_secrets(self._code))

    def _secret_warning(self, editor: FieldEditor) -> str:
        path = editor.spec.path
        variable = f"{self.resource_key}_{path}".upper().replace(".", "_").replace("-", "_")
        return (
            f"{path}: the secret typed here is used in this session only and is not saved; "
            f"set {variable} in the environment and choose 'environment variable' to keep it"
        )


def _specs_by_path(specs: Sequence[FieldSpec]) -> dict[str, FieldSpec]:
    found: dict[str, FieldSpec] = {}
    for spec in specs:
        found[spec.path] = spec
        found.update(_specs_by_path(spec.children))
    return found


class ResourcesPanel:
    """One form per resource, each with the assets, ops, sensors and schedules that use it.

    Attributes:
        forms: resource key -> its :class:`ResourceForm`.
        widget: the ipywidgets container to display.
    """

    def __init__(
        self,
        resources: Mapping[str, Any],
        *,
        usage: Mapping[str, Sequence[str]] | None = None,
        on_apply: OnApply | None = None,
        specs_of: SpecsOf = field_specs,
        build: BuildResource | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        usage = usage or {}
        self.forms: dict[str, ResourceForm] = {}
        parts: list[Any] = []
        overrides = current_session().overrides
        for key, code_resource in resources.items():
            used_by = tuple(usage.get(key, ()))
            resource = overrides.get(key, code_resource)
            if isinstance(resource, BaseModel) or partial_parts(resource) is not None:
                form = ResourceForm(
                    key,
                    resource,
                    code_resource=code_resource,
                    on_apply=on_apply,
                    used_by=used_by,
                    specs_of=specs_of,
                    build=build,
                    clock=clock,
                )
                self.forms[key] = form
                parts.append(form.widget)
            else:
                users = f" · used by: {', '.join(used_by)}" if used_by else ""
                text = f"{key}: a {type(resource).__name__} object, no config to edit{users}"
                parts.append(widgets.HTML(f"<small>{html.escape(text)}</small>"))
        if not parts:
            parts.append(widgets.HTML("<small>no resources are defined</small>"))
        self.widget = widgets.VBox(parts)
        self.widget.add_class("wb-resources-panel")

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle: dict[str, Any] = dict(self.widget._repr_mimebundle_() or {})
        bundle["text/plain"] = "\n".join(form._text() for form in self.forms.values()) or (
            "no resources with config"
        )
        return bundle
