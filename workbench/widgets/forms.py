"""Config forms: one form per resource, built only from the core's field specs.

A form validates as the user types, shows each error beside its field, and on Apply binds a
new resource in the session so the next run uses it. A secret's value is never shown.
"""

from __future__ import annotations

import copy
import dataclasses
import html
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import ipywidgets as widgets
from pydantic import BaseModel, SecretStr, ValidationError

from workbench.core.config import EnvVar, IntEnvVar, describe_validation_error
from workbench.core.fields import MISSING, FieldSpec, field_specs, literal_values, partial_parts
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
    is_env_literal,
)

__all__ = ["BuildResource", "OnApply", "ResourceForm", "ResourcesPanel", "SpecsOf"]

OnApply = Callable[[str, Any, dict[str, Any]], object]
"""Called after Apply with the resource key, the new resource and its literal config."""
SpecsOf = Callable[[Any], tuple[FieldSpec, ...]]
"""A resource's field specs, as its engine reads them (the core's ``field_specs`` by default)."""
BuildResource = Callable[[Any, dict[str, Any]], Any]
"""Build a new resource of the given one's class from the form's values (its engine's way)."""


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
        self._by_path: dict[str, Editor] = {}
        kit = Kit()
        self._context = Context(
            kit=kit,
            changed=self._changed,
            restructured=self._restructured,
            guard=self._guard,
            environ=lambda name: name in os.environ,
        )
        # a field the code gives as EnvVar is secret even once a value is typed over it (#11)
        self._secret_paths = _secret_paths(specs_of(self._code))
        specs = self._specs(resource)
        self._context.kept = _kept_secrets(resource, specs)
        self._context.loading = True
        try:
            self._editors = [
                build_editor(self._context, spec, initial_literal(spec)) for spec in specs
            ]
        finally:
            self._context.loading = False
        self._top_error = kit.html()
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
                kit.html(self._header()),
                self._top_error,
                body,
                kit.make(widgets.HBox, children=buttons),
                self._notes,
            ]
        )
        self.widget.add_class("wb-resource-form")
        self._register()
        self._validate()

    # -- public API --------------------------------------------------------------------------

    @property
    def value(self) -> Any:
        """The resource the form holds now, validated; None while anything is invalid."""
        return self._value

    @property
    def applied(self) -> Any:
        """The resource last applied (the one given, until Apply)."""
        return self._applied

    def apply(self) -> Any:
        """Bind the edited resource in the session and call ``on_apply``.

        Returns:
            The new resource, or None when the form is invalid (the errors are shown).
        """
        self._validate()
        if self._value is None:
            self._notes.value = error_html("fix the errors above, then Apply")
            return None
        new = self._value
        typed = self._typed_secrets()
        self.warnings = [self._secret_warning(editor) for editor in typed]
        current_session().bind(self.resource_key, new)
        saved = _without_secrets(
            literal_values(new), literal_values(self._code), self._secret_paths
        )
        self._applied = new
        self._load(new)
        notes = ["applied: the next run uses this config", *self.warnings]
        if self._on_apply is not None:
            try:
                self._on_apply(self.resource_key, new, saved)
            except Exception as exc:
                notes.append(f"applied for this session, but saving failed: {_describe(exc)}")
        self._notes.value = "<br>".join(html.escape(note) for note in notes)
        return new

    def reset(self) -> None:
        """Go back to the last applied config."""
        self._load(self._applied)
        self._notes.value = html.escape("reset to the last applied config")

    def revert(self) -> None:
        """Go back to the config in the code; Apply makes runs use it again."""
        self._load(self._code)
        self._notes.value = html.escape("reverted to the code's config; Apply to use it")

    def refresh(self) -> None:
        """Read the environment again: update every set/unset badge."""
        for editor in self._by_path.values():
            if isinstance(editor, FieldEditor):
                editor.refresh()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle: dict[str, Any] = dict(self.widget._repr_mimebundle_() or {})
        bundle["text/plain"] = self._text()
        return bundle

    def __repr__(self) -> str:
        return f"ResourceForm({self.resource_key!r}, {self._class.__name__})"

    # -- inside ------------------------------------------------------------------------------

    def _header(self) -> str:
        title = f"<b>{html.escape(self.resource_key)}</b> <code>{self._class.__name__}</code>"
        if self.used_by:
            title += f"<br><small>used by: {html.escape(', '.join(self.used_by))}</small>"
        return title

    def _text(self) -> str:
        state = "valid" if not self.errors else f"{len(self.errors)} invalid"
        lines = [f"{self!r}: {state}"]
        lines += [f"  {path or '(resource)'}: {text}" for path, text in self.errors.items()]
        return "\n".join(lines)

    def _guard(self, action: Callable[[], object]) -> None:
        """Run a widget callback; show what it raises instead of raising into the notebook."""
        try:
            action()
        except Exception as exc:
            self._top_error.value = error_html(f"could not handle that change: {_describe(exc)}")
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
        return _mark_secret(self._specs_of(resource), self._secret_paths)

    def _load(self, resource: Any) -> None:
        specs = self._specs(resource)
        self._context.kept = _kept_secrets(resource, specs)
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
        except ConfigError as exc:
            problems.extend(drop_under(exc.errors, omitted))
        except ValidationError as exc:
            problems.extend(drop_under(describe_validation_error(exc), omitted))
        except Exception as exc:
            problems.append(("", _describe(exc)))
        self._value = None if problems else candidate
        self._show(problems)

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
            editor.show_error(self.errors.get(path, ""))
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


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _secret_paths(specs: tuple[FieldSpec, ...]) -> frozenset[str]:
    found: set[str] = set()
    for spec in specs:
        if spec.secret:
            found.add(spec.path)
        found |= _secret_paths(spec.children)
    return frozenset(found)


def _mark_secret(specs: tuple[FieldSpec, ...], paths: frozenset[str]) -> tuple[FieldSpec, ...]:
    """``specs`` with every field at ``paths`` secret (its value hidden, as a secret's is)."""
    marked = []
    for spec in specs:
        if spec.path in paths and not spec.secret:
            spec = dataclasses.replace(spec, secret=True, value=None)
        if spec.children:
            spec = dataclasses.replace(spec, children=_mark_secret(spec.children, paths))
        marked.append(spec)
    return tuple(marked)


def _without_secrets(
    literal: dict[str, Any], code: Mapping[str, Any], paths: Iterable[str]
) -> dict[str, Any]:
    """The literal config to save: each secret typed at ``paths`` replaced by the code's value.

    A typed secret lives in the session only; what is saved (and exported) keeps what the
    code says for that field, e.g. ``{"env": "API_KEY"}``, unless the form names a variable.
    """
    saved = copy.deepcopy(literal)
    for path in paths:
        *parents, name = path.split(".")
        into: Any = saved
        original: Any = code
        for part in parents:
            into = into.get(part) if isinstance(into, dict) else None
            original = original.get(part) if isinstance(original, Mapping) else None
        if not isinstance(into, dict) or is_env_literal(into.get(name)):
            continue
        into.pop(name, None)
        if isinstance(original, Mapping) and name in original:
            into[name] = copy.deepcopy(original[name])
    return saved


def _kept_secrets(resource: Any, specs: tuple[FieldSpec, ...]) -> dict[str, Any]:
    """Secret values the resource already has, by path (kept out of every widget)."""
    kept: dict[str, Any] = {}

    def visit(spec: FieldSpec) -> None:
        if spec.secret and spec.env_var is None and spec.kind not in ("config", "resource"):
            raw = _raw_at(resource, spec.path)
            if raw is not MISSING and raw is not None and not isinstance(raw, EnvVar | IntEnvVar):
                kept[spec.path] = raw
        for child in spec.children:
            visit(child)

    for spec in specs:
        visit(spec)
    return kept


def _raw_at(resource: Any, path: str) -> Any:
    parts = partial_parts(resource)
    current: Any = parts[1] if parts is not None else resource
    for part in path.split("."):
        if isinstance(current, BaseModel):
            current = current.__dict__.get(part, MISSING)
        elif isinstance(current, Mapping):
            current = current.get(part, MISSING)
        else:
            return MISSING
    return current


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
    ) -> None:
        usage = usage or {}
        self.forms: dict[str, ResourceForm] = {}
        parts: list[Any] = []
        for key, resource in resources.items():
            used_by = tuple(usage.get(key, ()))
            if isinstance(resource, BaseModel) or partial_parts(resource) is not None:
                form = ResourceForm(
                    key,
                    resource,
                    on_apply=on_apply,
                    used_by=used_by,
                    specs_of=specs_of,
                    build=build,
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
