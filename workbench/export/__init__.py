"""Notebook <-> module: export a notebook to a definitions module, and back."""

from __future__ import annotations

from workbench.export.module import notebook_from_module
from workbench.export.render import export_notebook, export_source

__all__ = ["export_notebook", "export_source", "notebook_from_module"]
