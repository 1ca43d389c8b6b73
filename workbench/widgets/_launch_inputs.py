"""What a launch is given: the jobs to pick, the bindings with the session's edits, run config."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workbench.core.config import Config
from workbench.core.plain import redact, to_run_config
from workbench.core.resource import PartialResource
from workbench.core.run_config import RunConfig, normalize_run_config
from workbench.core.session import current_session

if TYPE_CHECKING:
    from collections.abc import Mapping

    from workbench.core.definitions import Definitions
    from workbench.widgets._op_config import OpConfigEditor
    from workbench.widgets.forms import ResourceForm

__all__ = [
    "applied_bindings",
    "current_binding",
    "default_op_config",
    "job_names",
    "problems_of",
    "run_config_of",
]


def job_names(defs: Definitions) -> list[str]:
    """Every job of ``defs``, those only sensors and schedules target included, in order."""
    names: dict[str, None] = {job.name: None for job in defs.jobs}
    extra = [job for item in defs.sensors for job in item.jobs]
    extra += [job for item in defs.schedules for job in item.jobs]
    for job in extra:
        names.setdefault(job.name, None)
    return list(names)


def current_binding(bindings: Mapping[str, Any], key: str) -> Any:
    """What ``key`` is bound to now: the session's applied form edit, or the code's binding."""
    return current_session().overrides.get(key, bindings.get(key))


def applied_bindings(bindings: Mapping[str, Any]) -> dict[str, Any]:
    """The bindings a launch passes down: the session's applied form edits in place (#12)."""
    return {key: current_binding(bindings, key) for key in bindings}


def default_op_config(config: Any) -> dict[str, Any]:
    """A job's default op config; Config objects kept, so their secrets stay hidden in editors."""
    if isinstance(config, RunConfig):
        return {
            name: {"config": value} if isinstance(value, Config) else value
            for name, value in config.ops.items()
        }
    ops: dict[str, Any] = normalize_run_config(config)["ops"]
    return ops


def run_config_of(
    forms: Mapping[str, ResourceForm],
    editors: Mapping[str, OpConfigEditor],
    bindings: Mapping[str, Any],
    *,
    redacted: bool,
) -> dict[str, Any]:
    """The run config the forms and op-config editors hold, in Dagster's shape.

    With ``redacted`` secrets are replaced (for display); without it, a resource's config is
    written only when it differs from what is bound now (or is a PartialResource's).
    """
    resources: dict[str, Any] = {}
    for key, form in forms.items():
        value = form.value
        if value is None:
            continue
        if redacted:
            resources[key] = {"config": redact(value)}
        elif isinstance(form.applied, PartialResource) or value != current_binding(bindings, key):
            resources[key] = {"config": to_run_config(value)}
    ops: dict[str, Any] = {}
    for key, editor in editors.items():
        if editor.value is not None:
            ops[key] = {"config": redact(editor.value) if redacted else editor.value}
    return {"ops": ops, "resources": resources}


def problems_of(
    forms: Mapping[str, ResourceForm], editors: Mapping[str, OpConfigEditor]
) -> list[str]:
    """What keeps a launch from running: each invalid form and op config, with its errors."""
    found = [
        f"resource {key!r}: "
        + "; ".join(f"{path}: {text}" if path else text for path, text in form.errors.items())
        for key, form in forms.items()
        if form.value is None
    ]
    for key, editor in editors.items():
        if editor.validate() is None:
            found.append(
                f"config of {key!r}: "
                + "; ".join(f"{path}: {text}" if path else text for path, text in editor.errors)
            )
    return found
