"""A run's resources: launch config applied, EnvVars resolved, set up and torn down."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from workbench.core._refused import resource_config_error
from workbench.core._resource_setup import PreparedResources, RunEvents
from workbench.core._strict import check_scalars
from workbench.core.config import (
    Config,
    EnvVar,
    IntEnvVar,
    build_config,
    explicit_fields,
    mark_secret,
    marked_secret,
)
from workbench.core.legacy import ResourceDefinition
from workbench.core.plain import from_launch_config, redact
from workbench.core.resolve import resolve
from workbench.core.resource import ConfigurableResource, PartialResource, nested_resources
from workbench.core.secrets import collect_secrets
from workbench.errors import (
    ConfigError,
    DagsterInvalidDefinitionError,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

__all__ = ["PreparedResources", "RunEvents", "initialized", "prepare_resources"]


def _link_nested(
    before: Any, after: Any, origin: Mapping[int, str], owner: str | None, links: dict[int, str]
) -> None:
    """Remember which top-level key each nested resource of ``after`` was bound as."""
    if not isinstance(before, ConfigurableResource) or not isinstance(after, ConfigurableResource):
        return
    for name, item in before.__dict__.items():
        if isinstance(item, ConfigurableResource):
            nested = after.__dict__.get(name)
            key = origin.get(id(item))
            if key is not None and key != owner and nested is not None:
                links[id(nested)] = key
            _link_nested(item, nested, origin, None, links)


def _secret_in_code(bound: Any) -> set[str]:
    """The fields the bound resource gives as EnvVar or marks secret.

    A value given at launch for one of them is a secret too: anything given as EnvVar in the
    code is (see #11).
    """
    fields = explicit_fields(bound).items()
    given = {name for name, item in fields if isinstance(item, EnvVar | IntEnvVar)}
    return given | marked_secret(bound)


def _env_references(config: Any, environ: Mapping[str, str]) -> set[str]:
    """The values ``{"env": NAME}`` entries of function-style config read: secrets."""
    if isinstance(config, dict):
        if set(config) == {"env"} and isinstance(config["env"], str):
            raw = environ.get(config["env"])
            return {raw} if raw else set()
        return {found for item in config.values() for found in _env_references(item, environ)}
    if isinstance(config, list):
        return {found for item in config for found in _env_references(item, environ)}
    return set()


def _with_dependencies(bindings: Mapping[str, Any], keys: Iterable[str]) -> set[str]:
    """``keys`` and every key a function-style resource among them requires, transitively."""
    found: set[str] = set()
    queue = list(keys)
    while queue:
        key = queue.pop()
        if key in found:
            continue
        found.add(key)
        value = bindings.get(key)
        if isinstance(value, ResourceDefinition):
            queue.extend(value.required_resource_keys)
    return found


def _nested_partials(value: Any, path: str = "") -> list[tuple[str, PartialResource[Any]]]:
    """Each ``configure_at_launch()`` nested in ``value``, at any depth, with its field path."""
    if not isinstance(value, ConfigurableResource):
        return []
    found: list[tuple[str, PartialResource[Any]]] = []
    for name, item in value.__dict__.items():
        if isinstance(item, PartialResource):
            found.append((f"{path}{name}", item))
        elif isinstance(item, ConfigurableResource):
            found += _nested_partials(item, f"{path}{name}.")
    return found


def _with_completed(
    value: Any, completed: Mapping[int, Any], origin: Mapping[int, str], where: str
) -> Any:
    """``value`` with each nested ``configure_at_launch()`` replaced by its completed resource.

    Nested resources are searched at any depth, as Dagster configures them; a resource that
    nests no launch-configured one is kept as it is.

    Raises:
        ConfigError: the top-level binding of a nested one could not be completed.
    """
    updates: dict[str, Any] = {}
    for name, item in value.__dict__.items() if isinstance(value, ConfigurableResource) else ():
        if isinstance(item, ConfigurableResource):
            replaced = _with_completed(item, completed, origin, where)
            if replaced is not item:
                updates[name] = replaced
            continue
        if isinstance(item, ResourceDefinition) and id(item) in completed:
            updates[name] = completed[id(item)]  # configured through its top-level key
            continue
        if not isinstance(item, PartialResource):
            continue
        if id(item) not in completed:
            # its top-level binding is invalid, and is reported under its own key
            raise ConfigError(f"{where}: field {name!r} needs resource {origin[id(item)]!r}")
        updates[name] = completed[id(item)]
    return value.model_copy(update=updates) if updates else value


def prepare_resources(
    bindings: Mapping[str, Any],
    keys: Iterable[str],
    launch: Mapping[str, Mapping[str, Any]],
    environ: Mapping[str, str],
) -> PreparedResources:
    """Apply launch config and resolve EnvVars for ``keys``; raise once for every problem.

    Args:
        bindings: the bound resources, exactly as the run gets them.
        keys: the keys the run needs.
        launch: ``run_config["resources"]``: each key's ``{"config": {...}}``.
        environ: the environment EnvVars are read from.

    Raises:
        DagsterInvalidConfigError: every invalid key and field, secrets redacted.
    """
    prepared = PreparedResources()
    origin = {id(value): key for key, value in bindings.items()}
    errors: list[tuple[str, str]] = []
    refused: list[ConfigError] = []
    wanted = _with_dependencies(bindings, keys) | set(launch)
    for key in list(wanted):
        for name, item in _nested_partials(bindings.get(key)):
            if id(item) not in origin:
                # as Dagster: only a top-level binding is configured from run config
                raise DagsterInvalidDefinitionError(
                    f"resource {key!r}: field {name!r} is {item!r}, which only a top-level "
                    f"binding can configure; bind that same object too, e.g. "
                    f"resources={{{name!r}: ...}}"
                )
            wanted.add(origin[id(item)])
    completed: dict[int, Any] = {}

    # launch-configured and function-style resources first: one that nests them gets them
    # completed with their top-level binding's run config
    def rank(key: str) -> tuple[int, str]:
        value = bindings.get(key)
        return (0 if isinstance(value, PartialResource | ResourceDefinition) else 1, key)

    for key in sorted(wanted, key=rank):
        if key not in bindings:
            if key in launch:
                known = ", ".join(sorted(bindings)) or "none"
                errors.append(
                    (
                        f"resources.{key}",
                        f"no resource is bound to {key!r} (bound: {known}); "
                        "remove it from the run config or bind it",
                    )
                )
            continue
        value = bindings[key]
        section = launch.get(key) or {}
        unknown = sorted(set(section) - {"config"})
        if unknown:
            errors.append(
                (
                    f"resources.{key}",
                    f"unknown entries {unknown}; give the config as {{'config': {{...}}}}",
                )
            )
            continue
        raw = section.get("config")
        where = f"resource {key!r}"
        if isinstance(value, ResourceDefinition):
            # a function-style schema may be a plain type (`config_schema=str`): kept as given
            config: Any = raw
        elif raw is None or isinstance(raw, Mapping):
            config = dict(raw or {})
        else:
            errors.append(
                (
                    f"resources.{key}.config",
                    f"must map field names to values, got {type(raw).__name__}",
                )
            )
            continue
        try:
            if isinstance(value, ResourceDefinition):
                prepared.secrets |= _env_references(config, environ)
                definition = value
                if config == {}:
                    config = None
                value = value.with_config(config, where)
                if config is not None:
                    completed[id(definition)] = value
            elif isinstance(value, PartialResource):
                partial = value
                check_scalars(value.resource_class, config)
                value = value.complete(from_launch_config(value.resource_class, config), where, key)
                completed[id(partial)] = value
                origin[id(value)] = key
            value = _with_completed(value, completed, origin, where)
            # run config for a bound instance; an empty one replaces too (class defaults),
            # `config: None` is not given
            given = raw is not None and not isinstance(
                bindings[key], PartialResource | ResourceDefinition
            )
            if given and not isinstance(value, ConfigurableResource) and config:
                raise ConfigError(
                    f"{where} is a {type(value).__name__}, which takes no config; "
                    f"remove resources.{key} from the run config"
                )
            if given and isinstance(value, ConfigurableResource):
                check_scalars(type(value), config)
                launch_config = from_launch_config(type(value), config)
                bound = value
                # as Dagster: run config replaces the constructor's config, so a field it
                # leaves out takes the class default; nested resources are dependencies, kept
                value = build_config(
                    type(value),
                    {**nested_resources(value), **launch_config},
                    f"{where} ({type(value).__name__}) launch config",
                )
                mark_secret(value, _secret_in_code(bound))
            prepared.snapshot[key] = {
                "class": type(value).__name__,
                "config": redact(value) if isinstance(value, Config) else repr(type(value)),
            }
            before = value
            if isinstance(value, Config):
                value = resolve(value, where, environ)
                _link_nested(before, value, origin, key, prepared.links)
            prepared.secrets |= collect_secrets(bindings[key], before, value, environ=environ)
            prepared.resolved[key] = value
        except ConfigError as exc:
            errors.extend(
                (f"resources.{key}.config.{path}" if path else f"resources.{key}", text)
                for path, text in (exc.errors or [("", str(exc))])
            )
            refused.append(exc)
    if errors:
        raise resource_config_error("run config is invalid; nothing was run:", errors, refused)
    return prepared


@contextlib.contextmanager
def initialized(
    resources: Mapping[str, Any], config: Mapping[str, Any] | None = None
) -> Iterator[dict[str, Any]]:
    """Set resources up outside a run (tests, direct calls); tear them down on exit.

    Args:
        resources: resources by key, as a run would bind them.
        config: ``run_config["resources"]``'s shape, as Dagster's builders take it: each key's
            ``{"config": ...}``.

    Raises:
        DagsterInvalidConfigError: a resource's config is invalid.
        DagsterResourceFunctionError: a resource's setup raised.
    """
    launch = dict(config or {})
    prepared = prepare_resources(resources, list(resources), launch, os.environ)
    with prepared.setup(None, list(resources), None) as ready:
        yield ready
