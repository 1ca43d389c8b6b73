"""Notebook widgets: config forms (ipywidgets only, no injected JavaScript)."""

from workbench.widgets.forms import ResourceForm, ResourcesPanel

__all__ = ["ResourceForm", "ResourcesPanel"]
