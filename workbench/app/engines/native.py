"""The native engine: workbench's own core runs the definitions (light, fast, the default)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workbench.core.fields import field_specs
from workbench.core.instance import default_instance
from workbench.core.plain import from_launch_config
from workbench.core.resource import PartialResource

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Mapping, Sequence

    from workbench.app.engines.base import Library
    from workbench.core.definitions import Definitions
    from workbench.core.fields import FieldSpec
    from workbench.core.result import ExecuteInProcessResult
    from workbench.core.run import RunStore
    from workbench.core.sensor import TickResult
    from workbench.widgets.graph import AssetStatus

__all__ = ["NativeEngine"]


def with_session_edits(defs: Definitions) -> Definitions:
    """``defs`` with the forms' applied edits bound: the notebook layer binds them (#12)."""
    from workbench.app.namespace import with_session_edits as bind

    return bind(defs)


class NativeEngine:
    """Runs workbench definitions with workbench's core, recording to the default instance."""

    name: Library = "workbench"

    def gather(self, namespace: Mapping[str, Any]) -> Definitions:
        """Merge the workbench definitions found in ``namespace``."""
        from workbench.app.namespace import gather_definitions

        return gather_definitions(namespace)

    def resources(self, defs: Definitions) -> dict[str, Any]:
        """The resources bound in the code, by key."""
        return dict(defs.resources)

    def usage(self, defs: Definitions) -> Mapping[str, Sequence[str]]:
        """Resource key -> what uses it."""
        return defs.usage()

    def field_specs(self, resource: Any) -> tuple[FieldSpec, ...]:
        """The fields of a resource (or of what ``configure_at_launch()`` returned)."""
        return field_specs(resource)

    def build_resource(self, resource: Any, config: Mapping[str, Any]) -> Any:
        """A new resource of ``resource``'s class from config (``{"env": NAME}``: an EnvVar)."""
        cls = resource.resource_class if isinstance(resource, PartialResource) else type(resource)
        return cls(**from_launch_config(cls, dict(config)))

    def form_builder(self) -> None:
        """A form calls the resource's class with its values, as it always has."""
        return None

    def describe(self, defs: Definitions) -> dict[str, Any]:
        """What ``list`` shows (see :func:`workbench.app.listing.describe`)."""
        from workbench.app.listing import describe

        return describe(defs)

    def validate(self, defs: Definitions) -> Definitions:
        """Check everything together (one error listing every problem)."""
        return defs.validate()

    def materialize(
        self,
        defs: Definitions,
        *,
        selection: Sequence[str] = (),
        run_config: Mapping[str, Any] | None = None,
        only_stale: bool = False,
        tags: Mapping[str, str] | None = None,
        on_event: Callable[[Any], None] | None = None,
    ) -> ExecuteInProcessResult:
        """Materialize the selected assets in this process."""
        from workbench.core.executor import materialize
        from workbench.core.graph import as_selection

        chosen: Any = None
        for item in selection:
            current = as_selection(item)
            chosen = current if chosen is None else chosen | current
        defs = with_session_edits(defs)
        return materialize(
            defs.assets,
            run_config,
            resources=defs.resources,
            selection=chosen,
            only_stale=only_stale,
            raise_on_error=False,
            tags=tags,
            on_event=on_event,
            instance=default_instance(),
        )

    def launch(
        self,
        defs: Definitions,
        job_name: str,
        *,
        run_config: Mapping[str, Any] | None = None,
        tags: Mapping[str, str] | None = None,
        on_event: Callable[[Any], None] | None = None,
    ) -> ExecuteInProcessResult:
        """Run the job ``job_name`` in this process."""
        return (
            with_session_edits(defs)
            .resolve_job_def(job_name)
            .execute_in_process(
                run_config,
                raise_on_error=False,
                instance=default_instance(),
                tags=tags,
                on_event=on_event,
            )
        )

    def run_text(self, result: ExecuteInProcessResult) -> str:
        """The result's own text (as a notebook shows it in plain text)."""
        return str(result._repr_mimebundle_()["text/plain"])

    def tick(
        self,
        defs: Definitions,
        name: str,
        *,
        cursor: str | None = None,
        at: dt.datetime | None = None,
        launch: bool = False,
    ) -> TickResult:
        """Evaluate a sensor or schedule once with its resources."""
        from workbench.core.tick import tick

        edited = with_session_edits(defs)
        return tick(edited, name, cursor=cursor, at=at, launch=launch, instance=default_instance())

    def schedule(self, defs: Definitions, name: str) -> Any:
        """The schedule ``name``."""
        return defs.get_schedule_def(name)

    def run_store(self) -> RunStore:
        """The default instance's run store."""
        return default_instance().run_store

    def statuses(self, defs: Definitions) -> Mapping[str, AssetStatus]:
        """Asset key -> fresh, stale (and why), missing, failed or external."""
        from workbench.widgets.graph import asset_statuses

        return asset_statuses(with_session_edits(defs), self.run_store())
