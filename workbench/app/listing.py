"""What ``list`` shows: assets, jobs, resources with who uses them, sensors, schedules."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbench.core.definitions import Definitions

__all__ = ["describe", "render_text"]


def describe(defs: Definitions) -> dict[str, Any]:
    """A JSON-able description of everything ``defs`` holds."""
    graph = defs.asset_graph
    usage = defs.usage()
    assets = [
        {
            "key": key.to_user_string(),
            "group": (graph.specs[key].group_name or "default"),
            "deps": [up.to_user_string() for up in graph.upstream.get(key, ())],
            "resources": sorted(item.required_resource_keys),
        }
        for key, item in graph.assets.items()
        if item is not None
    ]
    return {
        "assets": assets,
        "jobs": [{"name": job.name} for job in defs.jobs],
        "resources": [
            {
                "key": key,
                "type": _type_name(value),
                "used_by": usage.get(key, []),
            }
            for key, value in sorted(defs.resources.items())
        ],
        "sensors": [{"name": item.name, "job": item.job_name} for item in defs.sensors],
        "schedules": [
            {"name": item.name, "cron": item.cron_schedule, "job": item.job_name}
            for item in defs.schedules
        ],
    }


def _type_name(value: Any) -> str:
    cls = getattr(value, "resource_class", None) or type(value)
    return f"{cls.__module__}.{cls.__qualname__}"


def render_text(listing: dict[str, Any]) -> str:
    """The description as aligned text sections."""
    lines: list[str] = []
    lines.append("Assets")
    for item in listing["assets"]:
        deps = ", ".join(item["deps"]) or "-"
        lines.append(f"  {item['key']}  (group {item['group']}; deps: {deps})")
    if not listing["assets"]:
        lines.append("  -")
    lines.append("Jobs")
    lines += [f"  {item['name']}" for item in listing["jobs"]] or ["  -"]
    lines.append("Resources")
    for item in listing["resources"]:
        users = ", ".join(item["used_by"]) or "unused"
        lines.append(f"  {item['key']}: {item['type']}  (used by {users})")
    if not listing["resources"]:
        lines.append("  -")
    lines.append("Sensors")
    lines += [f"  {item['name']} -> {item['job']}" for item in listing["sensors"]] or ["  -"]
    lines.append("Schedules")
    lines += [
        f"  {item['name']} {item['cron']!r} -> {item['job']}" for item in listing["schedules"]
    ] or ["  -"]
    return "\n".join(lines)
