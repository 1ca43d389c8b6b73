"""The application layer: active definitions, the verbs shared by ``%wb`` and the CLI."""

from workbench.app.api import (
    active_definitions,
    export_notebook,
    launchpad,
    load_definitions,
    notebook_from_module,
    runs,
    show_graph,
    show_resources,
)

__all__ = [
    "active_definitions",
    "export_notebook",
    "launchpad",
    "load_definitions",
    "notebook_from_module",
    "runs",
    "show_graph",
    "show_resources",
]
