"""The widgets of the native engine, fed by whichever engine runs the definitions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workbench.app.engines import engine_for
from workbench.core.instance import default_instance

if TYPE_CHECKING:
    from workbench.app.engines.base import Engine
    from workbench.widgets.graph import GraphView

__all__ = ["graph_view", "run_store_of"]


def run_store_of(defs: Any) -> Any:
    """Where the engine of ``defs`` keeps runs, as the runs widgets read them."""
    return engine_for(defs).run_store()


def graph_view(defs: Any) -> GraphView:
    """The asset graph of ``defs`` with each asset's status, as its engine reports it."""
    from workbench.widgets.graph import GraphView

    engine = engine_for(defs)
    if engine.name == "workbench":
        return GraphView(defs, default_instance().run_store)

    class EngineGraphView(GraphView):
        """The same drawing and text; statuses come from the engine."""

        def __init__(self, defs: Any, engine: Engine) -> None:
            self.engine = engine
            super().__init__(defs, engine.run_store())

        @property
        def graph(self) -> Any:
            """The engine's own asset graph."""
            return self.defs.resolve_asset_graph()

        def refresh(self) -> None:
            """Read the engine's statuses again and redraw."""
            self.statuses = dict(self.engine.statuses(self.defs))
            self._draw()

    return EngineGraphView(defs, engine)
