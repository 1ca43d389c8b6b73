"""Config forms: one form per resource, and the panel of every resource's form.

A form validates as the user types, shows each error beside its field, and on Apply binds a
new resource in the session so the next run uses it. A secret's value is never shown.
"""

from __future__ import annotations

import html
import time
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
from pydantic import BaseModel

from workbench.core.fields import field_specs, partial_parts
from workbench.core.session import current_session
from workbench.widgets._form import BuildResource, OnApply, ResourceForm, SpecsOf

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

__all__ = ["BuildResource", "OnApply", "ResourceForm", "ResourcesPanel", "SpecsOf"]


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
