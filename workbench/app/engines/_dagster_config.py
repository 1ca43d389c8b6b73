"""What the Dagster engine does with Dagster's objects, without importing ``dagster`` itself.

Resource values as given (EnvVars kept), form values as Dagster resources, typed secrets handed
over as EnvVars, selections and schedules' tick times. Functions that need Dagster's classes
take the ``dagster`` module as ``dg`` from the engine, the one module that imports it.
"""

from __future__ import annotations

import hashlib
import os
from typing import TYPE_CHECKING, Any

from workbench.core.config import EnvVar, IntEnvVar, is_secret_field
from workbench.core.env_var import env_var_name, env_var_names_held
from workbench.core.fields import partial_parts

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Sequence

__all__ = [
    "CronTimes",
    "asset_selection",
    "field_values",
    "job_name_of",
    "nested_resource_class",
    "secrets_as_env",
    "to_dagster_env",
    "type_name",
]

SECRET_PREFIX = "WORKBENCH_SECRET_"
"""Names of the environment variables that carry secrets typed into forms to Dagster."""


class CronTimes:
    """A Dagster schedule's tick times, as workbench's schedule gives them."""

    def __init__(self, cron_schedule: str, timezone: dt.tzinfo) -> None:
        self.cron_schedule = cron_schedule
        self.timezone = timezone

    def next_tick_times(
        self, count: int = 5, after: dt.datetime | None = None
    ) -> list[dt.datetime]:
        """The next ``count`` tick times after ``after`` (default: now), in the schedule's zone."""
        from workbench.core.schedule import next_cron_times

        return next_cron_times(self.cron_schedule, self.timezone, count, after)


def type_name(value: Any) -> str:
    parts = partial_parts(value)
    cls = parts[0] if parts is not None else type(value)
    return f"{cls.__module__}.{cls.__qualname__}"


def job_name_of(target: Any) -> str | None:
    """The job a sensor or schedule targets (None when it targets several or none)."""
    try:
        name = target.job_name
    except Exception:  # Dagster raises when the target is not one job
        return None
    return name if isinstance(name, str) else None


def field_values(dg: Any, resource: Any) -> tuple[type[Any], dict[str, Any], bool]:
    """A resource's class, its field values as given (EnvVars kept), and if it is partial."""
    parts = partial_parts(resource)
    if parts is not None:
        return parts[0], parts[1], True
    cls = type(resource)
    values = {name: resource.__dict__[name] for name in cls.model_fields}
    # Dagster keeps EnvVar.int as 0 in the field; its resolved config still names the variable
    for name, variable in env_var_names_held(resource).items():
        if name in values and env_var_name(values[name]) is None:
            values[name] = dg.EnvVar.int(variable)
    return cls, values, False


def asset_selection(dg: Any, items: Sequence[str]) -> Any:
    """Asset keys or selection strings (``key:a+``, ``group:g``) as one AssetSelection."""
    chosen: Any = None
    for item in items:
        if item.startswith("group:") and not any(mark in item for mark in ("+", "*", " ")):
            current = dg.AssetSelection.groups(item.removeprefix("group:"))  # not from_string's
        elif any(mark in item for mark in (":", "+", "*", " ")):
            current = dg.AssetSelection.from_string(item)
        else:
            current = dg.AssetSelection.assets(dg.AssetKey.from_user_string(item))
        chosen = current if chosen is None else chosen | current
    return chosen if chosen is not None else dg.AssetSelection.all()


def nested_resource_class(annotation: Any, metadata: Sequence[Any]) -> type[Any] | None:
    """The resource class of a nested-resource field (Dagster types it a Union with partial)."""
    import typing

    from pydantic import BaseModel

    if "resource_dependency" not in metadata:
        return None
    for member in typing.get_args(annotation) or (annotation,):
        if isinstance(member, type) and issubclass(member, BaseModel):
            return member
    return None


def to_dagster_env(dg: Any, value: Any, info: Any) -> Any:
    """An EnvVar of workbench's (or ``{"env": NAME}``) as Dagster's; anything else unchanged."""
    name = env_var_name(value)
    if name is None and isinstance(value, dict) and set(value) == {"env"}:
        name = value["env"]
    if name is None:
        return value
    is_int = isinstance(value, IntEnvVar) or (
        info is not None and info.annotation is int and not isinstance(value, EnvVar)
    )
    return dg.EnvVar.int(name) if is_int else dg.EnvVar(name)


def secrets_as_env(dg: Any, resource: Any, path: str) -> Any:
    """The resource with each typed secret handed to Dagster as an EnvVar, never a value.

    Dagster writes a bound resource's config (nested resources' too) into the job snapshot it
    stores; a secret typed into a form goes into this process's environment under a private
    name instead, so the snapshot holds only that name (see #15).
    """
    from pydantic import BaseModel

    if partial_parts(resource) is not None or not isinstance(resource, BaseModel):
        return resource
    cls, values, _partial = field_values(dg, resource)
    changed = False
    for name, value in values.items():
        if isinstance(value, str) and env_var_name(value) is None and is_secret_field(cls, name):
            digest = hashlib.sha256(f"{path}.{name}".encode()).hexdigest()[:12]
            variable = f"{SECRET_PREFIX}{digest.upper()}"
            os.environ[variable] = value
            values[name] = dg.EnvVar(variable)
            changed = True
        elif isinstance(value, BaseModel):
            nested = secrets_as_env(dg, value, f"{path}.{name}")
            changed = changed or nested is not value
            values[name] = nested
    return cls(**values) if changed else resource
