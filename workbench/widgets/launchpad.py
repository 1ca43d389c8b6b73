"""The launchpad: pick a job or assets, edit config, launch with progress, logs and a summary."""

from __future__ import annotations

import traceback
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import yaml
from pydantic import BaseModel

from workbench.core.asset import AssetKey
from workbench.core.executor import materialize
from workbench.core.graph import as_selection
from workbench.core.instance import Instance, default_instance
from workbench.core.plan import Plan, plan_assets, plan_job
from workbench.core.resource import PartialResource
from workbench.core.secrets import scrubber_for
from workbench.core.session import current_session
from workbench.errors import ConfigError, WorkbenchError
from workbench.widgets._display import (
    bundle,
    error_box,
    esc,
    summary_html,
    summary_text,
)
from workbench.widgets._launch_inputs import (
    applied_bindings,
    current_binding,
    default_op_config,
    job_names,
    problems_of,
    run_config_of,
)
from workbench.widgets._op_config import OpConfigEditor
from workbench.widgets._progress import RunProgress, enable_after_queued_clicks
from workbench.widgets._theme import STYLE_SHEET
from workbench.widgets.forms import OnApply, ResourceForm

if TYPE_CHECKING:
    from collections.abc import Mapping

    from workbench.core.config import Config
    from workbench.core.definitions import Definitions
    from workbench.core.result import ExecuteInProcessResult

__all__ = ["MATERIALIZE", "Launchpad", "OpConfigEditor"]

MATERIALIZE = "materialize assets"
"""The job picker's entry for materializing the selected assets."""


class Launchpad:
    """Launch a job or materialize assets from the notebook, with config forms and progress.

    Attributes:
        job_picker: a Dropdown of the jobs, plus :data:`MATERIALIZE`.
        asset_picker: a SelectMultiple of the asset keys (used with :data:`MATERIALIZE`).
        forms: resource key -> its :class:`ResourceForm` (the resources the run needs).
        op_config: step key -> its :class:`OpConfigEditor`.
        run_config_text: a Textarea with the equivalent run config as YAML (secrets redacted).
        launch_button: validates, then runs.
        run_progress: the run's :class:`RunProgress` (step bars, counts and log).
        overall: an IntProgress of finished steps.
        counts: steps finished of all, failures and the time since the run started.
        log: the live log (HTML).
        summary: the result summary, or what went wrong (HTML).
        result: the last run's result.
        widget: the container to display.
    """

    def __init__(
        self,
        defs: Definitions,
        *,
        instance: Instance | None = None,
        job: str | None = None,
        selection: Any = None,
        on_apply: OnApply | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        self.defs = defs
        self.tags = dict(tags or {})
        self._on_apply = on_apply
        self._scrub = scrubber_for(defs.resources, current_session().overrides)
        self.instance = instance or default_instance()
        self.result: ExecuteInProcessResult | None = None
        self.forms: dict[str, ResourceForm] = {}
        self.op_config: dict[str, OpConfigEditor] = {}
        self._all_forms: dict[str, ResourceForm] = {}
        self._sources: dict[str, Any] = {}
        self._all_editors: dict[tuple[str, str, type[Config]], OpConfigEditor] = {}
        self._watched: set[int] = set()
        self._plan: Plan | None = None
        self._bindings: dict[str, Any] = {}
        self._running = False
        graph = defs.asset_graph
        keys = [key.to_user_string() for key in graph.toposort() if graph.assets.get(key)]
        jobs = job_names(defs)
        if job is not None and job not in jobs:
            defs.resolve_job_def(job)  # raises DefinitionError naming the jobs there are
            job = None  # the implicit asset job: materialize every asset
        self.job_picker = widgets.Dropdown(
            options=[MATERIALIZE, *jobs],
            value=job if job in jobs else MATERIALIZE,
            description="job",
        )
        chosen = keys
        if selection is not None:
            chosen = [
                key.to_user_string()
                for key in graph.toposort(as_selection(selection).resolve(graph))
            ]
        self.asset_picker = widgets.SelectMultiple(
            options=keys,
            value=tuple(key for key in chosen if key in keys),
            description="assets",
            rows=min(8, max(2, len(keys))),
        )
        self._resources_box = widgets.VBox()
        self._ops_box = widgets.VBox()
        self.run_config_text = widgets.Textarea(
            disabled=True,
            layout=widgets.Layout(width="95%", height="10em"),
            description="run config",
        )
        self.problems = widgets.HTML()
        self.launch_button = widgets.Button(
            description="Launch", button_style="primary", icon="play"
        )
        self.run_progress = RunProgress()
        self.overall = self.run_progress.overall
        self.counts = self.run_progress.counts
        self.log = self.run_progress.log
        self.summary = widgets.HTML()
        self.widget = widgets.VBox(
            [
                widgets.HTML(f"<style>{STYLE_SHEET}</style><b>Launchpad</b>"),
                self.job_picker,
                self.asset_picker,
                widgets.HTML("<b>Resources</b>"),
                self._resources_box,
                widgets.HTML("<b>Op and asset config</b>"),
                self._ops_box,
                self.run_config_text,
                self.problems,
                self.launch_button,
                self.run_progress.widget,
                self.summary,
            ]
        )
        self.widget.add_class("wb-launchpad")
        self.summary.add_class("wb-run-summary")
        self.launch_button.add_class("wb-launch")
        self.job_picker.observe(lambda _change: self._guard(self._rebuild), names="value")
        self.asset_picker.observe(lambda _change: self._guard(self._rebuild), names="value")
        self.launch_button.on_click(lambda _button: self._guard(self._clicked))
        self._guard(self._rebuild)

    # -- public API --------------------------------------------------------------------------

    @property
    def progress(self) -> dict[str, Any]:
        """Step key -> its IntProgress in the current run (see :class:`RunProgress`)."""
        return self.run_progress.bars

    @property
    def job_name(self) -> str | None:
        """The chosen job, or None to materialize the selected assets."""
        value = self.job_picker.value
        return None if value == MATERIALIZE else str(value)

    def run_config(self, *, redacted: bool = True) -> dict[str, Any]:
        """The run config the forms and editors hold, in Dagster's shape.

        Args:
            redacted: replace secrets by ``{"env": NAME}`` or ``**********`` (for display);
                with False the values themselves are kept (for the run).
        """
        return run_config_of(self.forms, self.op_config, self._bindings, redacted=redacted)

    def launch(self) -> ExecuteInProcessResult | None:
        """Validate, then run; show progress, logs and a summary.

        Returns:
            The run's result, or None when nothing ran (what was wrong is shown, or a run was
            already going: one runs at a time).
        """
        if self._running:  # called again during the run (a click, a callback): one run at a time
            return None
        self._running = True
        try:
            return self._launch()
        except Exception as exc:
            self._show_error(exc)
            return None
        finally:
            self._running = False

    def _clicked(self) -> None:
        """Launch, with the button disabled until clicks made during the run are let go."""
        if self.launch_button.disabled:
            return
        self.launch_button.disabled = True
        self.launch_button.description = "Running…"
        try:
            self.launch()
        finally:
            self.launch_button.description = "Launch"
            enable_after_queued_clicks(self.launch_button)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        target = self.job_name or f"materialize {', '.join(self.asset_picker.value) or '-'}"
        lines = [f"Launchpad: {target}"]
        if self.result is not None:
            lines.append(self._scrub(summary_text(self.result)))
        return bundle(self.widget, "\n".join(lines), include=include, exclude=exclude)

    def __repr__(self) -> str:
        return f"Launchpad(job={self.job_name!r})"

    # -- building ----------------------------------------------------------------------------

    def _guard(self, action: Any) -> None:
        try:
            action()
        except Exception as exc:  # never raise into the notebook from a widget callback
            self._show_error(exc)

    def _rebuild(self) -> None:
        self.asset_picker.disabled = self.job_name is not None
        self.problems.value = ""
        self._plan = None
        self._plan = self._make_plan()
        bindings, given = self._bindings_and_config()
        self._bindings = bindings
        needed = sorted(key for key in self._plan.resource_keys if key in bindings)
        overrides = current_session().overrides
        parts: list[Any] = []
        self.forms = {}
        for key in needed:
            resource = overrides.get(key, bindings[key])
            if not isinstance(resource, BaseModel | PartialResource):
                parts.append(
                    widgets.HTML(
                        f"<small>{esc(key)}: a {esc(type(resource).__name__)} object, "
                        "no config to edit</small>"
                    )
                )
                continue
            form = self._all_forms.get(key)
            if form is not None and self._is_stale(key, resource):
                form = None  # applied elsewhere since, and not edited here: show the new config
            if form is None:
                form = ResourceForm(
                    key, resource, code_resource=bindings[key], on_apply=self._on_apply
                )
                self._all_forms[key] = form
                self._sources[key] = resource
            self.forms[key] = form
            if key in overrides:
                parts.append(
                    widgets.HTML(f"<small>{esc(key)}: showing the session's applied config</small>")
                )
            parts.append(form.widget)
            self._watch(form.widget)
        self._resources_box.children = tuple(parts) or (
            widgets.HTML("<small>this run needs no resources</small>"),
        )
        self.op_config = {}
        for step in self._plan.steps:
            if step.config_class is None:
                continue
            cache_key = (str(self.job_picker.value), step.key, step.config_class)
            editor = self._all_editors.get(cache_key)
            if editor is None:
                editor = OpConfigEditor(
                    step.key, step.config_class, (given.get(step.key) or {}).get("config")
                )
                self._all_editors[cache_key] = editor
                editor.text.observe(
                    lambda _change: self._guard(self._show_run_config), names="value"
                )
            self.op_config[step.key] = editor
        self._ops_box.children = tuple(editor.widget for editor in self.op_config.values()) or (
            widgets.HTML("<small>no step takes config</small>"),
        )
        self._show_run_config()

    def _make_plan(self) -> Plan:
        graph = self.defs.asset_graph
        name = self.job_name
        if name is None:
            keys = {AssetKey.from_user_string(text) for text in self.asset_picker.value}
            return plan_assets(graph, keys)
        job = self.defs.resolve_job_def(name)
        if job.is_asset_job:
            return plan_assets(graph, job.asset_selection.resolve(graph))
        return plan_job(job)

    def _bindings_and_config(self) -> tuple[dict[str, Any], dict[str, Any]]:
        name = self.job_name
        if name is None:
            return dict(self.defs.resources), {}
        job = self.defs.resolve_job_def(name)
        return {**self.defs.resources, **job.resource_defs}, default_op_config(job.config)

    def _watch(self, widget: Any) -> None:
        """Refresh the YAML when any control inside ``widget`` changes (rows may be added)."""
        if id(widget) not in self._watched and "value" in widget.trait_names():
            self._watched.add(id(widget))
            widget.observe(lambda _change: self._guard(self._show_run_config), names="value")
        for child in getattr(widget, "children", ()):
            self._watch(child)

    def _show_run_config(self) -> None:
        self.problems.value = ""  # what was wrong before may be fixed now: checked at Launch
        for form in self.forms.values():
            self._watch(form.widget)
        lines: list[str] = []
        for key, form in self.forms.items():
            if form.value is None:
                lines.append(f"# resource {key!r} is invalid: fix its form")
        for key, editor in self.op_config.items():
            if editor.value is None:
                lines.append(f"# config of {key!r} is invalid: fix its YAML")
        text = yaml.safe_dump(self.run_config(), sort_keys=False)
        self.run_config_text.value = "\n".join([*lines, text])

    # -- running -----------------------------------------------------------------------------

    def _is_stale(self, key: str, resource: Any) -> bool:
        """Whether ``key`` was applied elsewhere since its form was built here, unedited here."""
        source = self._sources.get(key)
        if source is None or resource is source:
            return False
        form = self._all_forms[key]
        return form.value is None or form.value == source

    def _launch(self) -> ExecuteInProcessResult | None:
        self.summary.value = ""
        self.problems.value = ""
        if self._plan is None or any(
            self._is_stale(key, current_binding(self._bindings, key)) for key in self.forms
        ):
            self._rebuild()
        problems = problems_of(self.forms, self.op_config)
        if self.job_name is None and not self.asset_picker.value:
            problems.append("no assets are selected; select at least one")
        if problems:
            self.problems.value = error_box("nothing was run; fix these first:", problems)
            return None
        assert self._plan is not None
        run_config = self.run_config(redacted=False)
        self._scrub = scrubber_for(
            self.defs.resources,
            current_session().overrides,
            [form.value for form in self.forms.values()],
            [editor.value for editor in self.op_config.values()],
        )
        self.run_progress.start([step.key for step in self._plan.steps], self._scrub)
        name = self.job_name
        if name is None:
            result = materialize(
                list(self.defs.assets),
                run_config,
                resources=applied_bindings(self.defs.resources),
                selection=[AssetKey.from_user_string(text) for text in self.asset_picker.value],
                instance=self.instance,
                raise_on_error=False,
                tags=self.tags,
                on_event=self.run_progress.on_event,
            )
        else:
            result = self.defs.resolve_job_def(name).execute_in_process(
                run_config,
                resources=applied_bindings(self._bindings),
                instance=self.instance,
                raise_on_error=False,
                tags=self.tags,
                on_event=self.run_progress.on_event,
            )
        self.result = result
        self.summary.value = self._scrub(summary_html(result, self._plan))
        return result

    def _show_error(self, exc: BaseException) -> None:
        if isinstance(exc, WorkbenchError):
            self.problems.value = error_box(
                "nothing was run:" if isinstance(exc, ConfigError) else "could not do that:",
                [self._scrub(str(exc))],
            )
        else:
            self._scrub.exception(exc)
            text = self._scrub("".join(traceback.format_exception(exc)))
            self.problems.value = error_box(self._scrub(f"{type(exc).__name__}: {exc}"), [text])
