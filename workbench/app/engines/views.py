"""The widgets of the native engine, fed by whichever engine runs the definitions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from workbench.app.engines import engine_for
from workbench.core.instance import default_instance

if TYPE_CHECKING:
    from collections.abc import Sequence

    from workbench.app.engines.dagster import DagsterEngine
    from workbench.widgets.graph import GraphView

__all__ = ["graph_view", "run_store_of"]


def run_store_of(defs: Any) -> Any:
    """Where the engine of ``defs`` keeps runs, as the runs widgets read them."""
    return engine_for(defs).run_store()


def graph_view(
    defs: Any, selection: Sequence[str] = (), open_groups: Sequence[str] = ()
) -> GraphView:
    """The asset graph of ``defs`` with each asset's status, as its engine reports it.

    Args:
        defs: the engine's own definitions.
        selection: ``--select`` items (the syntax ``materialize`` takes); empty for all.
        open_groups: large groups to show asset by asset (``"all"`` for every one).
    """
    from workbench.app._verb_options import parse_selection
    from workbench.widgets.graph import GraphView, select_statuses

    engine = engine_for(defs)
    if engine.name == "workbench":
        return GraphView(
            defs,
            default_instance().run_store,
            selection=parse_selection(selection) if selection else None,
            open_groups=open_groups,
        )

    class EngineGraphView(GraphView):
        """The same drawing, text, selection and groups, read from Dagster's own graph."""

        def __init__(self, defs: Any, engine: DagsterEngine) -> None:
            self.engine = engine
            self.groups = dict(engine.group_names(defs))
            super().__init__(
                defs, engine.run_store(), selection=selection or None, open_groups=open_groups
            )

        @property
        def graph(self) -> Any:
            """The engine's own asset graph."""
            return self.defs.resolve_asset_graph()

        def refresh(self) -> None:
            """Read the engine's statuses again and redraw."""
            statuses = dict(self.engine.statuses(self.defs))
            if self.selection is not None:
                statuses = select_statuses(
                    statuses, self.engine.selected_keys(self.defs, self.selection)
                )
            self.statuses = statuses
            self._draw()

        def _group_of(self, key: str) -> str:
            return self.groups.get(key, "default")

    return EngineGraphView(defs, cast("DagsterEngine", engine))
