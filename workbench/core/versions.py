"""Code, config and data versions: which assets are missing or stale, and why."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from workbench.core._resources import prepare_resources
from workbench.core.definitions import asset_resources
from workbench.core.plain import config_hash
from workbench.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from workbench.core.asset import Asset, AssetKey
    from workbench.core.definitions import Definitions
    from workbench.core.run import RunStore

__all__ = [
    "NEVER_MATERIALIZED",
    "BaseConfigHashes",
    "materialization_config_hash",
    "stale_assets",
]

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


class BaseConfigHashes:
    """The base config hash of each asset: its config without a run's one-off launch config.

    The base config is what the code binds (in a notebook, with the applied form edits) and
    the asset's default op config. Each materialization records it beside the hash of the
    config it ran with, and staleness compares it with the base config of now: so a run
    launched with ``--config run.yaml`` (or the launchpad's YAML) leaves its assets fresh,
    and a change of the code's config makes them stale (see #14).

    Args:
        bindings: the resources bound, as a run gets them before its launch config.
        environ: the environment EnvVars are read from.
    """

    def __init__(self, bindings: Mapping[str, Any], environ: Mapping[str, str]) -> None:
        self._bindings = bindings
        self._environ = environ
        self._resources: dict[str, str] = {}

    def resource_hash(self, resource_key: str) -> str:
        """The hash of one bound resource's config, with no launch config applied."""
        if resource_key not in self._resources:
            try:
                prepared = prepare_resources(self._bindings, [resource_key], {}, self._environ)
                self._resources[resource_key] = prepared.hash_of(resource_key)
            except ConfigError:
                self._resources[resource_key] = "<unresolved>"
        return self._resources[resource_key]

    def of(self, item: Asset) -> str:
        """The base config hash of the asset (or multi-asset) ``item``."""
        resource_hashes = [(key, self.resource_hash(key)) for key in item.required_resource_keys]
        config_class = next(
            (param.annotation for param in item.params if param.role.value == "config"), None
        )
        return materialization_config_hash(resource_hashes, _default_config(config_class))


def stale_assets(
    defs: Definitions,
    *,
    store: RunStore | None = None,
    selection: Iterable[AssetKey] | None = None,
) -> dict[AssetKey, str]:
    """Report each missing or stale asset with the reason, upstream first.

    Reasons: ``never materialized``, ``code changed``, ``config changed`` (the base config,
    bound resources and default op config, differs from the last materialization's: a run's
    one-off launch config does not count, see :class:`BaseConfigHashes`), ``upstream
    changed`` (an upstream asset was materialized again since, or is itself stale).
    """
    if store is None:
        from workbench.core.instance import default_instance

        store = default_instance().run_store
    graph = defs.asset_graph
    keys = [key for key in graph.toposort() if graph.assets.get(key) is not None]
    wanted = set(selection) if selection is not None else set(keys)
    latest = store.latest_materializations([key.to_user_string() for key in keys])
    base = BaseConfigHashes({**asset_resources(graph.definitions), **defs.resources}, os.environ)
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
            # a materialization recorded before base hashes were (#14) has only its own
            recorded = found.base_config_hash or found.config_hash
            reason = CONFIG_CHANGED if base.of(item) != recorded else ""
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
