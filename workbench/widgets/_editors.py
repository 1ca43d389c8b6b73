"""Field editors: one per field, and nested config and unions as blocks of child editors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
from pydantic import BaseModel, ValidationError

from workbench.core.config import describe_validation_error
from workbench.core.fields import MISSING
from workbench.errors import ConfigError
from workbench.widgets._controls import label_html
from workbench.widgets._field_editor import (
    Context,
    Editor,
    FieldEditor,
    Problems,
    drop_under,
    initial_literal,
    is_env_literal,
    mark_field,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    from workbench.core.fields import FieldSpec

# the single field's editor and what editors share live in _field_editor.py (#17)
__all__ = [
    "Context",
    "Editor",
    "FieldEditor",
    "build_editor",
    "drop_under",
    "initial_literal",
    "is_env_literal",
]


class _GroupEditor(Editor):
    """What nested config and unions share: child editors in an indented block."""

    children: list[Editor]
    body: Any

    def _build_children(self, specs: tuple[FieldSpec, ...], literal: Any) -> None:
        skip = self.spec.discriminator
        self.children = [
            build_editor(self.context, child, initial_literal(child, literal))
            for child in specs
            if child.name != skip
        ]
        self.body.children = [child.widget for child in self.children]

    def _load_children(self, specs: tuple[FieldSpec, ...], literal: Any) -> None:
        by_name = {spec.name: spec for spec in specs}
        for child in self.children:
            spec = by_name[child.spec.name]
            child.load(spec, initial_literal(spec, literal))

    def walk(self) -> Iterator[Editor]:
        """This editor and every editor nested in it."""
        yield self
        for child in self.children:
            yield from child.walk()

    def _collect_children(self, problems: Problems, omitted: list[str]) -> dict[str, Any] | None:
        if self.unset is not None and self.unset.value:
            return None
        values: dict[str, Any] = {}
        for child in self.children:
            child.collect(values, problems, omitted)
        return values


class SectionEditor(_GroupEditor):
    """Nested config or a nested resource, as a collapsible section."""

    def __init__(self, context: Context, spec: FieldSpec, literal: Any) -> None:
        super().__init__(context, spec)
        kit = context.kit
        self.body = kit.make(widgets.VBox)
        self._build_children(spec.children, literal)
        star = " *" if spec.required else ""
        title = f"{spec.name}{star} ({getattr(spec.base_type, '__name__', spec.kind)})"
        self.control = kit.make(widgets.Accordion, children=[self.body], titles=(title,))
        self.control.selected_index = 0
        self.unset = self._unset_box()
        parts = [self.unset] if self.unset is not None else []
        self.widget = kit.make(widgets.VBox, children=[*parts, self.control, self.note])
        mark_field(self.widget, spec)
        self.load(spec, literal)

    def load(self, spec: FieldSpec, literal: Any) -> None:
        """Show ``literal`` in the children; None ticks "unset"."""
        if self.unset is not None:
            self.unset.value = literal is None
        self._load_children(spec.children, literal)

    def collect(self, out: dict[str, Any], problems: Problems, omitted: list[str]) -> None:
        """Put the section's dict (or None) into ``out``."""
        out[self.spec.name] = self._collect_children(problems, omitted)


class UnionEditor(_GroupEditor):
    """A union of Config classes: a variant chooser and the chosen variant's fields."""

    def __init__(self, context: Context, spec: FieldSpec, literal: Any) -> None:
        super().__init__(context, spec)
        kit = context.kit
        self.body = kit.make(widgets.VBox, layout=kit.indent_layout)
        self.tag = self._tag_of(spec, literal)
        self._build_children(spec.variants[self.tag], literal)
        self.control = kit.make(widgets.Dropdown, options=list(spec.variants), value=self.tag)
        self.unset = self._unset_box()
        label = kit.html(label_html(spec), kit.label_layout)
        head = [label, self.control] + ([self.unset] if self.unset is not None else [])
        head.append(self.note)
        parts = [kit.make(widgets.HBox, children=head), self.body]
        self.widget = kit.make(widgets.VBox, children=parts)
        mark_field(self.widget, spec)
        self._watch(self.control, self._variant_chosen)

    def _tag_of(self, spec: FieldSpec, literal: Any) -> str:
        key = spec.discriminator
        if (
            isinstance(literal, Mapping)
            and key is not None
            and str(literal.get(key)) in spec.variants
        ):
            return str(literal[key])
        for tag, children in spec.variants.items():
            if any(child.value is not MISSING for child in children):
                return tag
        return next(iter(spec.variants))

    def _variant_chosen(self) -> None:
        if self.control.value != self.tag:
            self.tag = self.control.value
            self._build_children(self.spec.variants[self.tag], MISSING)
            self.context.restructured()

    def load(self, spec: FieldSpec, literal: Any) -> None:
        """Choose the variant ``literal`` is, and show its fields."""
        if self.unset is not None:
            self.unset.value = literal is None
        tag = self._tag_of(spec, literal)
        if tag != self.tag:
            self.tag = tag
            self.control.value = tag
            self._build_children(spec.variants[tag], literal)
        else:
            self._load_children(spec.variants[tag], literal)

    def collect(self, out: dict[str, Any], problems: Problems, omitted: list[str]) -> None:
        """Build the chosen variant (so its errors get this field's path) and put it in ``out``."""
        path = self.spec.path
        inner_omitted: list[str] = []
        values = self._collect_children(problems, inner_omitted)
        omitted += inner_omitted
        if values is None:
            out[self.spec.name] = None
            return
        cls: type[BaseModel] = self.spec.variant_classes[self.tag]
        key = self.spec.discriminator
        if key is not None and key in cls.model_fields:
            choices = next(
                (spec.choices for spec in self.spec.variants[self.tag] if spec.name == key), ()
            )
            values[key] = choices[0] if choices else self.tag
        try:
            out[self.spec.name] = cls(**values)
        except ConfigError as exc:
            found = [(f"{path}.{where}" if where else path, text) for where, text in exc.errors]
            problems.extend(drop_under(found, inner_omitted))
            omitted.append(path)
        except ValidationError as exc:
            found = [(f"{path}.{where}", text) for where, text in describe_validation_error(exc)]
            problems.extend(drop_under(found, inner_omitted))
            omitted.append(path)


def build_editor(context: Context, spec: FieldSpec, literal: Any) -> Editor:
    """Build the editor for ``spec``, showing ``literal``."""
    if spec.kind in ("config", "resource"):
        return SectionEditor(context, spec, literal)
    if spec.kind == "union":
        return UnionEditor(context, spec, literal)
    return FieldEditor(context, spec, literal)
