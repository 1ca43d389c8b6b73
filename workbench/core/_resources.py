"""A run's resources: launch config applied, EnvVars resolved, set up and torn down."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from workbench.core.config import (
    Config,
    EnvVar,
    IntEnvVar,
    build_config,
    config_hash,
    explicit_fields,
    from_launch_config,
    mark_secret,
    marked_secret,
    redact,
    resolve,
    runtime_config,
)
from workbench.core.resource import ConfigurableResource, InitResourceContext, PartialResource
from workbench.core.secrets import collect_secrets
from workbench.errors import (
    ConfigError,
    DagsterInvalidConfigError,
    DagsterInvalidDefinitionError,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = ["PreparedResources", "prepare_resources"]


class PreparedResources:
    """Resources configured and resolved for one run, not yet set up.

    Attributes:
        resolved: each key's resource with launch config applied and EnvVars read.
        snapshot: each key's config as shown and stored: secrets redacted.
        secrets: the secret values in force (see :func:`collect_secrets`).
    """

    def __init__(self) -> None:
        self.resolved: dict[str, Any] = {}
        self.snapshot: dict[str, Any] = {}
        self.secrets: frozenset[str] = frozenset()
        self.links: dict[int, str] = {}
        self._hashes: dict[str, str] = {}

    def hash_of(self, key: str) -> str:
        """A stable hash of a resolved resource's config (secrets only hashed)."""
        if key not in self._hashes:
            value = self.resolved.get(key)
            self._hashes[key] = config_hash(value) if isinstance(value, Config) else "-"
        return self._hashes[key]

    @contextlib.contextmanager
    def setup(self, run_id: str, keys: Iterable[str], log: Any) -> Any:
        """Set up ``keys`` (nested resources first) and tear all down on exit, in reverse."""
        with contextlib.ExitStack() as stack:
            ready: dict[str, Any] = {}
            # a nested resource that is also bound at top level is set up once, as that key
            by_identity = {**self.links, **{id(value): key for key, value in self.resolved.items()}}

            def enter(key: str | None, value: Any) -> Any:
                if not isinstance(value, ConfigurableResource):
                    return value
                updates: dict[str, Any] = {}
                for name, field_value in value.__dict__.items():
                    if isinstance(field_value, ConfigurableResource):
                        nested_key = by_identity.get(id(field_value))
                        if nested_key is not None:
                            if nested_key not in ready:
                                ready[nested_key] = enter(
                                    nested_key, self.resolved.get(nested_key, field_value)
                                )
                            updates[name] = ready[nested_key]
                        else:
                            updates[name] = enter(None, field_value)
                instance = value.model_copy(update=updates) if updates else value.model_copy()
                context = InitResourceContext(
                    resource_key=key,
                    resource_config=runtime_config(value),
                    resources=dict(ready),
                    run_id=run_id,
                    log=log,
                )
                private = instance.__pydantic_private__
                if private is None:
                    private = {}
                    object.__setattr__(instance, "__pydantic_private__", private)
                private["_workbench_context"] = context
                return stack.enter_context(instance.yield_for_execution(context))

            for key in keys:
                if key not in ready and key in self.resolved:
                    ready[key] = enter(key, self.resolved[key])
            yield ready


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


def _nested_partials(value: Any) -> list[tuple[str, PartialResource[Any]]]:
    if not isinstance(value, ConfigurableResource):
        return []
    return [
        (name, item) for name, item in value.__dict__.items() if isinstance(item, PartialResource)
    ]


def _with_completed(
    value: Any, completed: Mapping[int, Any], origin: Mapping[int, str], where: str
) -> Any:
    """``value`` with each nested ``configure_at_launch()`` replaced by its completed resource.

    Raises:
        ConfigError: the top-level binding of a nested one could not be completed.
    """
    updates: dict[str, Any] = {}
    for name, item in value.__dict__.items() if isinstance(value, ConfigurableResource) else ():
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
    wanted = set(keys) | set(launch)
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
    # launch-configured resources first: a resource that nests one gets it completed
    for key in sorted(wanted, key=lambda k: (not isinstance(bindings.get(k), PartialResource), k)):
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
        config = dict((launch.get(key) or {}).get("config") or {})
        where = f"resource {key!r}"
        try:
            if isinstance(value, PartialResource):
                partial = value
                value = value.complete(from_launch_config(value.resource_class, config), where, key)
                completed[id(partial)] = value
                origin[id(value)] = key
            value = _with_completed(value, completed, origin, where)
            if config and not isinstance(bindings[key], PartialResource):
                if not isinstance(value, ConfigurableResource):
                    raise ConfigError(
                        f"{where} is a {type(value).__name__}, which takes no config; "
                        f"remove resources.{key} from the run config"
                    )
                launch_config = from_launch_config(type(value), config)
                bound = value
                value = build_config(
                    type(value),
                    {**explicit_fields(value), **launch_config},
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
    if errors:
        raise DagsterInvalidConfigError.from_errors(
            "run config is invalid; nothing was run:", errors
        )
    return prepared
