"""Run config in Dagster's shape: the RunConfig object and the check of a run-config dict."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workbench.core._short import short_repr
from workbench.core.config import Config, env_var_names
from workbench.core.plain import to_run_config
from workbench.errors import DagsterInvalidConfigError

__all__ = ["RunConfig", "normalize_run_config"]


class RunConfig:
    """Run config in Dagster's shape, built from Config and resource instances.

    Example:
        >>> RunConfig(resources={"db": {"config": {"user": "u"}}}).to_config_dict()["resources"]
        {'db': {'config': {'user': 'u'}}}
    """

    def __init__(
        self,
        ops: Mapping[str, Any] | None = None,
        resources: Mapping[str, Any] | None = None,
        loggers: Mapping[str, Any] | None = None,
        execution: Mapping[str, Any] | None = None,
    ) -> None:
        self.ops = dict(ops or {})
        self.resources = dict(resources or {})
        self.loggers = dict(loggers or {})
        self.execution = dict(execution or {})

    def to_config_dict(self) -> dict[str, Any]:
        """The plain-dict form, as Dagster writes it: every field, defaults included."""
        return {
            "loggers": dict(self.loggers),
            "resources": {key: _section(value) for key, value in self.resources.items()},
            "ops": {name: _section(value) for name, value in self.ops.items()},
            "execution": dict(self.execution),
        }

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RunConfig):
            return NotImplemented
        return self.to_config_dict() == other.to_config_dict()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"RunConfig(ops={self.ops!r}, resources={self.resources!r})"


def _section(value: Any) -> Any:
    if isinstance(value, Config):
        return {"config": to_run_config(value)}
    return value


def _graph_asset_section(ops: Any) -> Any:
    """A graph asset's ``{ops: {op: {config: ...}}}`` as its own config, by op name.

    (A job's nested graphs were flattened to node names before; only a graph asset, one step
    running its ops, still has this shape here.)
    """
    if not isinstance(ops, Mapping):
        return {"ops": ops}
    config: dict[str, Any] = {}
    for name, inner in ops.items():
        inner = _section(inner)
        config[name] = inner.get("config") if isinstance(inner, Mapping) else inner
    return {"config": config}


def normalize_run_config(run_config: Any) -> dict[str, Any]:
    """Turn a RunConfig, a dict or None into ``{"ops": {...}, "resources": {...}}``.

    Raises:
        DagsterInvalidConfigError: if the shape is wrong, naming the entry and the shape expected.
    """
    if run_config is None:
        return {"ops": {}, "resources": {}}
    written = not isinstance(run_config, RunConfig)
    if isinstance(run_config, RunConfig):
        run_config = run_config.to_config_dict()
    if not isinstance(run_config, Mapping):
        raise DagsterInvalidConfigError(
            f"run config must be a dict or RunConfig, got {type(run_config).__name__}; "
            "use {'resources': {KEY: {'config': {...}}}, 'ops': {NAME: {'config': {...}}}}"
        )
    unknown = set(run_config) - {"ops", "resources", "loggers", "execution"}
    if unknown:
        shown = sorted(short_repr(key) for key in unknown)
        raise DagsterInvalidConfigError(
            f"run config has unknown top-level entries [{', '.join(shown)}]; "
            "expected ops, resources, loggers or execution"
        )
    result: dict[str, Any] = {"ops": {}, "resources": {}}
    errors: list[tuple[str, str]] = []
    for section in ("ops", "resources"):
        entries = run_config.get(section) or {}
        if not isinstance(entries, Mapping):
            raise DagsterInvalidConfigError(
                f"run config {section!r} must be a mapping of names to {{'config': ...}}, "
                f"got {type(entries).__name__}"
            )
        for name, value in entries.items():
            where = f"{section}.{short_repr(name) if not isinstance(name, str) else name}"
            if not isinstance(name, str):
                errors.append((where, f"the name {short_repr(name)} must be text; quote it"))
                continue
            value = {} if value is None else _section(value)
            if section == "ops" and isinstance(value, Mapping) and set(value) == {"ops"}:
                value = _graph_asset_section(value["ops"])
            if not isinstance(value, Mapping) or set(value) - {"config", "inputs", "outputs"}:
                errors.append(
                    (where, f"must look like {{'config': {{...}}}}, got {short_repr(value)}")
                )
                continue
            config = value.get("config")
            # config may be a plain value (`def op(config: str = "x")`, `@resource(
            # config_schema=str)`): the step or the resource checks it against its schema
            plain = isinstance(config, str | int | float | bool | list)
            if not plain and not isinstance(config, Mapping | Config | None):
                errors.append(
                    (
                        f"{where}.config",
                        f"must map field names to values, got {type(config).__name__}",
                    )
                )
                continue
            if isinstance(config, Mapping):
                bad = [key for key in config if not isinstance(key, str)]
                if bad:
                    errors.append(
                        (
                            f"{where}.config",
                            f"the field name {short_repr(bad[0])} must be text; quote it",
                        )
                    )
                    continue
                names = env_var_names(config) if written else []
                if names:
                    # as Dagster: EnvVar objects belong in Config objects (see #12)
                    errors.append(
                        (
                            f"{where}.config",
                            f"EnvVar({names[0]!r}) is for Config objects and RunConfig; in a "
                            f"run-config dict write {{'env': {names[0]!r}}}",
                        )
                    )
                    continue
            result[section][name] = dict(value)
    if errors:
        raise DagsterInvalidConfigError.from_errors(
            "run config is invalid; nothing was run:", errors
        )
    return result
