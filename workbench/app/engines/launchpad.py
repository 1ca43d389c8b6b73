"""A launchpad for definitions an engine runs: pick a job, edit resources and run config, launch.

The native engine has its own, richer launchpad (``workbench.widgets.launchpad``); this one is
built on the engine protocol alone, so Dagster definitions get one too: the same resource forms,
run config as YAML in Dagster's shape, and a run launched through the engine with live progress.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from workbench.core.run import EventType
from workbench.errors import ConfigError, WorkbenchError
from workbench.widgets.forms import ResourcesPanel

if TYPE_CHECKING:
    from workbench.app.engines.base import Engine
    from workbench.widgets.forms import OnApply

__all__ = ["ALL_ASSETS", "EngineLaunchpad"]

ALL_ASSETS = "materialize all assets"
"""The picker's choice that materializes every asset instead of running a job."""


class EngineLaunchpad:
    """Choose a job, edit resources and run config, and launch it through an engine.

    Attributes:
        job_picker: the job to run (or :data:`ALL_ASSETS`).
        config: run config as YAML (``ops: {NAME: {config: {...}}}``, ``resources: ...``).
        resources: the resource forms; Apply binds an edit for the runs launched here.
        launch_button: starts the run.
        status: progress, then the outcome (or what was wrong).
        result: the last run's result (the engine's own result object).
        widget: the ipywidgets container to display.
    """

    def __init__(
        self,
        defs: Any,
        engine: Engine,
        *,
        job: str | None = None,
        on_apply: OnApply | None = None,
    ) -> None:
        self.defs = defs
        self.engine = engine
        names = [item.name for item in defs.jobs or ()]
        choices = [*names, ALL_ASSETS] if defs.assets else names
        if job is not None and job not in choices:
            raise ConfigError(f"no job {job!r}; choose one of: {', '.join(choices) or 'none'}")
        self.job_picker = widgets.Dropdown(
            options=choices, value=job or (choices[0] if choices else None), description="job"
        )
        self.config = widgets.Textarea(
            value="",
            placeholder="ops:\n  NAME:\n    config: {...}",
            description="run config",
            layout=widgets.Layout(width="100%", height="100px"),
        )
        self.resources = ResourcesPanel(
            engine.resources(defs),
            usage=engine.usage(defs),
            on_apply=on_apply,
            specs_of=engine.field_specs,
            build=engine.form_builder(),
        )
        self.launch_button = widgets.Button(description="Launch", button_style="success")
        self.launch_button.on_click(lambda _button: self._guard())
        self.status = widgets.HTML("")
        self.result: Any = None
        self._counts = {"done": 0, "failed": 0}
        self.widget = widgets.VBox(
            [self.job_picker, self.config, self.resources.widget, self.launch_button, self.status]
        )
        self.widget.add_class("wb-launchpad")

    def run_config(self) -> dict[str, Any]:
        """The run config the YAML box holds.

        Raises:
            ConfigError: it is not YAML, or not a mapping.
        """
        import yaml

        try:
            data = yaml.safe_load(self.config.value) if self.config.value.strip() else {}
        except yaml.YAMLError as exc:
            raise ConfigError(
                f"the run config is not valid YAML ({exc}); write it as "
                "ops: {NAME: {config: {...}}}"
            ) from None
        if not isinstance(data, dict):
            raise ConfigError(
                f"the run config must be a mapping with ops: and/or resources:, "
                f"got {type(data).__name__}"
            )
        return data

    def launch(self) -> Any:
        """Launch the chosen job (or materialize every asset); return the engine's result."""
        self._counts = {"done": 0, "failed": 0}
        config = self.run_config()
        name = self.job_picker.value
        self.status.value = html.escape(f"launching {name}")
        if name == ALL_ASSETS:
            result = self.engine.materialize(self.defs, run_config=config, on_event=self._progress)
        else:
            result = self.engine.launch(self.defs, name, run_config=config, on_event=self._progress)
        self.result = result
        outcome = "success" if result.success else "failure"
        self.status.value = html.escape(f"run {result.run_id}: {outcome}; {self._summary()}")
        return result

    def _summary(self) -> str:
        return f"steps done: {self._counts['done']}, failed: {self._counts['failed']}"

    def _progress(self, event: Any) -> None:
        if event.event_type is EventType.STEP_SUCCESS:
            self._counts["done"] += 1
        elif event.event_type is EventType.STEP_FAILURE:
            self._counts["failed"] += 1
        else:
            return
        self.status.value = html.escape(f"{self._summary()} (last: {event.step_key})")

    def _guard(self) -> None:
        """Launch from the button; show what goes wrong instead of raising into the notebook."""
        try:
            self.launch()
        except WorkbenchError as exc:
            self.status.value = f"<span style='color:#cf222e'>{html.escape(str(exc))}</span>"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle: dict[str, Any] = dict(self.widget._repr_mimebundle_() or {})
        bundle["text/plain"] = repr(self)
        return bundle

    def __repr__(self) -> str:
        return f"EngineLaunchpad({self.engine.name}, job={self.job_picker.value!r})"
