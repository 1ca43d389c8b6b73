"""What the verbs share: the TARGET argument, selections, and the bindings a run starts from."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from workbench.app.namespace import with_session_edits

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from workbench.app.commands import Frontend
    from workbench.core.definitions import Definitions

__all__ = ["SELECT_HELP", "parse_selection", "run_tags", "runnable", "with_target"]

SELECT_HELP = "Asset keys or a selection ('key:a+', 'group:g'); repeatable, or a,b."


def with_target(frontend: Frontend) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Add the TARGET argument on a terminal (a notebook's verbs act on its namespace)."""

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        if frontend.needs_target:
            return click.argument("target", metavar="TARGET")(fn)
        return fn

    return decorate


def parse_selection(items: Sequence[str]) -> Any:
    """Join asset keys and selection strings (repeated, or ``a,b``) into one selection."""
    from workbench.core.graph import as_selection

    chosen = [part.strip() for item in items for part in item.split(",") if part.strip()]
    selection: Any = None
    for item in chosen:
        current = as_selection(item)
        selection = current if selection is None else selection | current
    return selection


def runnable(frontend: Frontend, target: str | None) -> Definitions:
    """The definitions a run starts from: with the session's applied form edits bound.

    Runs get the form edits from here, never from the core (see #12).
    """
    return with_session_edits(frontend.definitions(target))


def run_tags(frontend: Frontend) -> dict[str, str] | None:
    """The notebook a run starts from, as a tag the runs table shows."""
    notebook = frontend.notebook_path()
    if notebook is None:
        return None
    from workbench.widgets.runs import NOTEBOOK_TAG

    return {NOTEBOOK_TAG: notebook}
