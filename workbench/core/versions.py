"""Code, config and data versions: which assets are missing or stale, and why."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from pydantic import ValidationError

from workbench.core._resources import prepare_resources
from workbench.core.config import config_hash
from workbench.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from workbench.core.asset import AssetKey
    from workbench.core.definitions import Definitions
    from workbench.core.run import RunStore

__all__ = ["NEVER_MATERIALIZED", "materialization_config_hash", "stale_assets"]

NEVER_MATERIALIZED = "never materialized"
CODE_CHANGED = "code changed"
CONFIG_CHANGED = "config changed"
UPSTREAM_CHANGED = "upstream changed"


def materialization_config_hash(
    resource_hashes: Iterable[tuple[str, str]], op_config: object
) -> str:
    """The config hash of one materialization: its resources' config hashes and op config.

    Written with each materialization and recomputed here for staleness: one function, so
    the two cannot drift apart.
    """
    return config_hash([sorted(resource_hashes), op_config])


def _default_config(config_class: type | None) -> object:
    if config_class is None:
        return None
    try:
        return config_class()
    except (ValidationError, ConfigError):
        return "<required>"


def stale_assets(
    defs: Definitions,
    *,
    store: RunStore | None = None,
    selection: Iterable[AssetKey] | None = None,
) -> dict[AssetKey, str]:
    """Report each missing or stale asset with the reason, upstream first.

    Reasons: ``never materialized``, ``code changed``, ``config changed`` (resource or
    default op config differs from the last materialization's), ``upstream changed`` (an
    upstream asset was materialized again since, or is itself stale).
    """
    if store is None:
        from workbench.core.instance import default_instance

        store = default_instance().run_store
    graph = defs.asset_graph
    keys = [key for key in graph.toposort() if graph.assets.get(key) is not None]
    wanted = set(selection) if selection is not None else set(keys)
    latest = store.latest_materializations([key.to_user_string() for key in keys])
    bindings = defs.resources
    hashes: dict[str, str] = {}
    for resource_key in {k for item in graph.definitions for k in item.required_resource_keys}:
        try:
            prepared = prepare_resources(bindings, [resource_key], {}, os.environ)
            hashes[resource_key] = prepared.hash_of(resource_key)
        except ConfigError:
            hashes[resource_key] = "<unresolved>"
    stale: dict[AssetKey, str] = {}
    for key in keys:
        item = graph.assets[key]
        assert item is not None
        found = latest.get(key.to_user_string())
        if found is None:
            reason = NEVER_MATERIALIZED
        elif found.code_version != item.code_version_of(key):
            reason = CODE_CHANGED
        else:
            resource_hashes = [(k, hashes.get(k, "-")) for k in item.required_resource_keys]
            config_class = next(
                (param.annotation for param in item.params if param.role.value == "config"),
                None,
            )
            current = materialization_config_hash(resource_hashes, _default_config(config_class))
            reason = CONFIG_CHANGED if current != found.config_hash else ""
            if not reason:
                for up in item.upstream_keys:
                    upstream = latest.get(up.to_user_string())
                    recorded = found.input_data_versions.get(up.to_user_string())
                    if up in stale or (upstream is not None and upstream.data_version != recorded):
                        reason = UPSTREAM_CHANGED
                        break
        if reason:
            stale[key] = reason
    return {key: reason for key, reason in stale.items() if key in wanted}
