"""Helpers for testing workbench code: run a notebook headless, build an in-memory instance."""

from __future__ import annotations

from workbench.app.notebooks import notebook_errors, run_notebook
from workbench.core.instance import Instance

__all__ = ["ephemeral_instance", "notebook_errors", "run_notebook"]


def ephemeral_instance() -> Instance:
    """An instance that records runs and keeps values in memory only."""
    return Instance.ephemeral()
