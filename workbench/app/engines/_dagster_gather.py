"""Dagster definitions gathered from a namespace, and described the way ``list`` shows them.

Nothing here imports ``dagster``: functions that need its classes take the module as ``dg``
from the Dagster engine, the one module that imports it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workbench.app.engines._dagster_config import job_name_of, type_name
from workbench.app.namespace import call_definitions
from workbench.errors import DefinitionError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = ["asset_steps", "describe", "gather", "group_names", "usage"]

KINDS = ("jobs", "sensors", "schedules")
"""The named definitions a Definitions holds besides assets and resources."""


def gather(dg: Any, namespace: Mapping[str, Any]) -> Any:
    """Merge every Definitions and ``@definitions`` function with loose Dagster objects.

    A loose asset, job, sensor or schedule wins over one of the same key or name inside a
    Definitions (it is the newest cell's), as with workbench definitions.

    Raises:
        DefinitionError: one resource key bound to two different resources (naming both
            places), or a ``@definitions`` function that raised.
    """
    found: list[tuple[str, Any]] = []
    loose: dict[str, dict[Any, Any]] = {kind: {} for kind in ("assets", *KINDS)}
    for name, value in list(namespace.items()):
        if name.startswith("_"):
            continue
        if isinstance(value, dg.Definitions):
            found.append((name, value))
        elif type(value).__name__ == "LazyDefinitions" and callable(value):
            found.append((f"{name}()", call_definitions(name, value)))
        elif isinstance(value, dg.AssetsDefinition):
            loose["assets"][tuple(sorted(value.keys))] = value
        elif isinstance(value, dg.AssetSpec | dg.SourceAsset):
            loose["assets"][(value.key,)] = value
        elif isinstance(value, dg.JobDefinition) or type(value).__name__ == (
            "UnresolvedAssetJobDefinition"
        ):
            loose["jobs"][value.name] = value
        elif isinstance(value, dg.SensorDefinition):
            loose["sensors"][value.name] = value
        elif isinstance(value, dg.ScheduleDefinition):
            loose["schedules"][value.name] = value
    resources: dict[str, Any] = {}
    owners: dict[str, str] = {}
    merged: dict[str, dict[Any, Any]] = {kind: {} for kind in loose}
    for place, defs in found:
        for item in defs.assets or ():
            keys = tuple(sorted(item.keys)) if hasattr(item, "keys") else (item.key,)
            merged["assets"].setdefault(keys, item)
        for kind in KINDS:
            for item in getattr(defs, kind) or ():
                merged[kind].setdefault(item.name, item)
        for key, value in (defs.resources or {}).items():
            if key in resources and resources[key] is not value and resources[key] != value:
                raise DefinitionError(
                    f"resource key {key!r} is bound to different resources in "
                    f"{owners[key]!r} and {place!r}; bind it in one place, or give one of "
                    "them another key"
                )
            resources.setdefault(key, value)
            owners.setdefault(key, place)
    for kind, items in loose.items():
        merged[kind].update(items)
    return dg.Definitions(
        assets=_one_per_key(merged["assets"]),
        jobs=list(merged["jobs"].values()),
        sensors=list(merged["sensors"].values()),
        schedules=list(merged["schedules"].values()),
        resources=resources,
    )


def _one_per_key(assets: Mapping[tuple[Any, ...], Any]) -> list[Any]:
    """Drop an asset whose keys a later (loose) one already provides."""
    chosen: list[Any] = []
    covered: set[Any] = set()
    for keys, item in reversed(list(assets.items())):
        if covered.intersection(keys):
            continue
        covered.update(keys)
        chosen.append(item)
    return list(reversed(chosen))


def asset_steps(defs: Any) -> dict[str, str]:
    """Asset key (user string) -> the step that materializes it (external assets have none)."""
    return {
        key.to_user_string(): item.node_def.name
        for item in defs.assets or ()
        if hasattr(item, "required_resource_keys")
        for key in item.keys
    }


def usage(defs: Any) -> dict[str, list[str]]:
    """Resource key -> the assets, jobs, sensors and schedules that need it."""
    found: dict[str, list[str]] = {key: [] for key in defs.resources or {}}
    users: list[tuple[str, Any]] = []
    for item in defs.assets or ():
        if hasattr(item, "required_resource_keys"):
            name = ", ".join(key.to_user_string() for key in item.keys)
            users.append((f"asset {name}", item.required_resource_keys))
    for kind in KINDS:
        for item in getattr(defs, kind) or ():
            keys = getattr(item, "required_resource_keys", None) or ()
            users.append((f"{kind[:-1]} {item.name}", keys))
    for user, keys in users:
        for key in keys:
            if key in found:
                found[key].append(user)
    return found


def group_names(defs: Any) -> dict[str, str]:
    """Asset key (user string) -> its group in Dagster's asset graph."""
    graph = defs.resolve_asset_graph()
    return {
        key.to_user_string(): graph.get(key).group_name or "default"
        for key in graph.toposorted_asset_keys
    }


def describe(defs: Any, usage_of: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """What ``list`` shows, in the shape the native engine gives it."""
    graph = defs.resolve_asset_graph()
    needs = {
        key: sorted(item.required_resource_keys)
        for item in defs.assets or ()
        if hasattr(item, "required_resource_keys")
        for key in item.keys
    }
    assets = [
        {
            "key": key.to_user_string(),
            "group": graph.get(key).group_name or "default",
            "deps": [up.to_user_string() for up in sorted(graph.get(key).parent_keys)],
            "resources": needs[key],
        }
        for key in graph.toposorted_asset_keys
        if key in needs
    ]
    return {
        "assets": assets,
        "jobs": [{"name": job.name} for job in defs.jobs or ()],
        "resources": [
            {"key": key, "type": type_name(value), "used_by": list(usage_of.get(key, []))}
            for key, value in sorted(dict(defs.resources or {}).items())
        ],
        "sensors": [{"name": item.name, "job": job_name_of(item)} for item in defs.sensors or ()],
        "schedules": [
            {"name": item.name, "cron": item.cron_schedule, "job": job_name_of(item)}
            for item in defs.schedules or ()
        ],
    }
