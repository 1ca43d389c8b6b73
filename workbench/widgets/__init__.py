"""Notebook widgets: forms, launchpad, runs and graph (ipywidgets only, no injected JavaScript)."""

from workbench.widgets.forms import ResourceForm, ResourcesPanel
from workbench.widgets.graph import GraphView
from workbench.widgets.launchpad import Launchpad
from workbench.widgets.runs import RunDetail, RunsView, TickView, runs_table, tick_view

__all__ = [
    "GraphView",
    "Launchpad",
    "ResourceForm",
    "ResourcesPanel",
    "RunDetail",
    "RunsView",
    "TickView",
    "runs_table",
    "tick_view",
]
