"""Each Dagster asset's status as the graph shows it, with staleness where Dagster says.

An asset is ``failed`` when its step failed in the latest run that planned it, ``external``
when nothing here materializes it, else what Dagster's own stale-status resolution says:
``missing``, ``stale`` (with Dagster's causes, in Dagster's words) or ``fresh``. Nothing here
imports ``dagster``: the engine hands over its resolver (see #15).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workbench.app.engines._dagster_gather import asset_steps

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from workbench.core.run import RunStore
    from workbench.widgets.graph import AssetStatus

__all__ = ["STALE_OR_MISSING", "asset_statuses", "by_records", "by_resolver", "stale_reason"]

STALE_OR_MISSING = frozenset({"STALE", "MISSING"})
"""The names of Dagster's stale statuses that ``--stale`` materializes."""


def stale_reason(causes: Iterable[Any]) -> str:
    """Dagster's stale causes of one asset in its own words, each dependency named.

    Example: ``has a new code version`` or ``has a new dependency materialization (raw)``.
    """
    parts: list[str] = []
    for cause in causes:
        dependency = cause.dependency_asset_key
        text = (
            cause.reason
            if dependency is None
            else f"{cause.reason} ({dependency.to_user_string()})"
        )
        if text not in parts:
            parts.append(text)
    return "; ".join(parts)


def by_resolver(resolver: Any) -> Callable[[Any], tuple[str, str]]:
    """Statuses read from Dagster's stale-status resolver (``get_status``, ``get_stale_causes``)."""

    def status(key: Any) -> tuple[str, str]:
        state = resolver.get_status(key).value
        if state == "MISSING":
            return "missing", "never materialized"
        if state == "STALE":
            return "stale", stale_reason(resolver.get_stale_causes(key)) or "stale"
        return "fresh", ""

    return status


def by_records(instance: Any, keys: Iterable[Any], note: str) -> Callable[[Any], tuple[str, str]]:
    """Statuses from the instance's asset records alone, when Dagster's resolver is missing.

    A materialized asset shows ``fresh`` with ``note`` (why staleness is not known).
    """
    records = {
        record.asset_entry.asset_key: record.asset_entry
        for record in instance.get_asset_records(list(keys))
    }

    def status(key: Any) -> tuple[str, str]:
        entry = records.get(key)
        if entry is None or entry.last_materialization_record is None:
            return "missing", "never materialized"
        return "fresh", note

    return status


def asset_statuses(
    defs: Any, graph: Any, store: RunStore, status_of: Callable[[Any], tuple[str, str]]
) -> dict[str, AssetStatus]:
    """Asset key -> its status, upstream first (``graph`` is ``defs``' resolved asset graph)."""
    from workbench.widgets.graph import AssetStatus, failed_steps

    steps = asset_steps(defs)
    op_jobs = {
        job.name for job in defs.jobs or () if type(job).__name__ != "UnresolvedAssetJobDefinition"
    }
    failed = failed_steps(store, set(steps.values()), op_jobs=op_jobs)
    found: dict[str, AssetStatus] = {}
    for key in graph.toposorted_asset_keys:
        text = key.to_user_string()
        upstream = tuple(up.to_user_string() for up in sorted(graph.get(key).parent_keys))
        if text not in steps:
            status, reason = "external", "not materialized here"
        elif steps[text] in failed:
            run_id, error = failed[steps[text]]
            status, reason = "failed", f"{error} (run {run_id[:8]})"
        else:
            status, reason = status_of(key)
        found[text] = AssetStatus(text, status, reason, upstream)
    return found
