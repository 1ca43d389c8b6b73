"""Assets: the ``Asset`` definition and ``@asset`` (keys and specs live in their own modules)."""

from __future__ import annotations

import functools
import hashlib
import inspect
from typing import TYPE_CHECKING, Any, overload

from workbench.core._arguments import check_arguments
from workbench.core._params import Param, Role, read_params, resource_keys, with_config_built
from workbench.core.keys import AssetKey, check_name, input_name_of
from workbench.core.specs import (
    AssetIn,
    AssetOut,
    AssetSpec,
    DataVersion,
    MaterializeResult,
    Output,
    dep_key,
    version_text,
)
from workbench.errors import DefinitionError

if TYPE_CHECKING:
    import types
    from collections.abc import Callable, Iterable, Mapping, Sequence

__all__ = [
    "Asset",
    "AssetIn",
    "AssetKey",
    "AssetOut",
    "AssetSpec",
    "DataVersion",
    "MaterializeResult",
    "Output",
    "asset",
    "coerce_deps",
    "doc_of",
    "input_keys",
    "prefixed",
    "version_text",
    "with_io_manager",
]


class Asset:
    """One or more assets computed by one function (what ``@asset`` returns).

    Attributes:
        keys: the assets this function materializes, in output order.
        name: the step's name (the key's parts joined by ``__``).
        ins: upstream asset keys by parameter name (loaded and passed in).
        deps: upstream asset keys that are only ordered before this one.
        params: the function's parameters, classified.
        required_resource_keys: every resource key the function needs.
        io_manager_keys: the IO manager key of each output, by output name.
        optional_outputs: the outputs the function may leave out (``is_required=False``).
        can_subset: whether a run may select only some of its assets (``can_subset=True``).
    """

    def __init__(
        self,
        fn: Callable[..., Any],
        *,
        specs: Sequence[AssetSpec],
        output_names: Sequence[str],
        ins: Mapping[str, AssetKey],
        deps: Iterable[AssetKey],
        required_resource_keys: Iterable[str],
        io_manager_key: str | None,
        resource_defs: Mapping[str, Any] | None,
        name: str | None,
        params: tuple[Param, ...],
        output_io_manager_keys: Mapping[str, str | None] | None = None,
        optional_outputs: Iterable[str] = (),
        can_subset: bool = False,
    ) -> None:
        self.fn = fn
        self.specs = tuple(specs)
        self.keys = tuple(spec.key for spec in specs)
        self.output_names = tuple(output_names)
        self.ins = dict(ins)
        self.deps = tuple(dict.fromkeys(deps))
        self.params = params
        self.io_manager_key = io_manager_key or "io_manager"
        given = dict(output_io_manager_keys or {})
        self.io_manager_keys = {
            output: given.get(output) or self.io_manager_key for output in self.output_names
        }
        self.optional_outputs = frozenset(optional_outputs)
        self.can_subset = can_subset
        self.resource_defs = dict(resource_defs or {})
        self.name = name or self.keys[0].to_python_identifier()
        self.required_resource_keys = frozenset(
            {param.name for param in params if param.role is Role.RESOURCE}
            | set(required_resource_keys)
        )
        self.__doc__ = fn.__doc__
        self.__name__ = getattr(fn, "__name__", self.name)
        self.__module__ = getattr(fn, "__module__", __name__)
        self.__wrapped__ = fn
        self._code_version: str | None = None

    @property
    def key(self) -> AssetKey:
        """The asset's key (one-asset definitions only)."""
        if len(self.keys) != 1:
            raise DefinitionError(f"{self.name!r} materializes {len(self.keys)} assets; use .keys")
        return self.keys[0]

    def io_manager_key_of(self, key: AssetKey) -> str:
        """The key of the IO manager that stores and loads ``key``."""
        return self.io_manager_keys[self.output_names[self.keys.index(key)]]

    @property
    def is_multi(self) -> bool:
        """Whether this function materializes more than one asset."""
        return len(self.keys) > 1

    @property
    def group_name(self) -> str:
        """The group of the (first) asset."""
        return self.specs[0].group_name or "default"

    @property
    def group_names_by_key(self) -> dict[AssetKey, str]:
        """Each asset's group, by key ("default" where none was given), as in Dagster."""
        return {spec.key: spec.group_name or "default" for spec in self.specs}

    @property
    def description(self) -> str | None:
        """The (first) asset's description."""
        return self.specs[0].description

    @property
    def upstream_keys(self) -> tuple[AssetKey, ...]:
        """Every upstream asset, loaded or only ordered before (computed once)."""
        cached: tuple[AssetKey, ...] | None = self.__dict__.get("_upstream_keys")
        if cached is None:
            found = dict.fromkeys([*self.ins.values(), *self.deps])
            for spec in self.specs:
                found.update(dict.fromkeys(spec.deps))
            own = set(self.keys)
            cached = tuple(key for key in found if key not in own)
            self.__dict__["_upstream_keys"] = cached
        return cached

    def code_version_of(self, key: AssetKey) -> str:
        """The asset's code version: ``code_version=`` or a hash of the function's source."""
        for spec in self.specs:
            if spec.key == key and spec.code_version:
                return spec.code_version
        if self._code_version is None:
            code = getattr(self.fn, "__code__", None)
            self._code_version = (
                _source_hash(code) if code is not None else _hash_of_source(self.fn, self.name)
            )
        return self._code_version

    def with_key_map(self, mapping: Mapping[AssetKey, AssetKey]) -> Asset:
        """Return a copy whose upstream keys are replaced by ``mapping`` (used in resolution)."""
        clone = object.__new__(Asset)
        clone.__dict__.update(self.__dict__)
        clone.ins = {name: mapping.get(key, key) for name, key in self.ins.items()}
        clone.deps = tuple(mapping.get(key, key) for key in self.deps)
        clone.__dict__.pop("_upstream_keys", None)
        return clone

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the function directly, as in a unit test.

        A built context gives resources and config; a config dict becomes its class.
        """
        from workbench.core.invocation import invoke

        args, kwargs = with_config_built(self.params, f"asset {self.name!r}", args, kwargs)
        return invoke("asset", self.name, self.fn, self.params, args, kwargs)

    def __repr__(self) -> str:
        keys = ", ".join(key.to_user_string() for key in self.keys)
        return f"<Asset {keys}>"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        upstream = ", ".join(key.to_user_string() for key in self.upstream_keys) or "none"
        resources = ", ".join(sorted(self.required_resource_keys)) or "none"
        keys = ", ".join(key.to_user_string() for key in self.keys)
        text = (
            f"Asset {keys} (group {self.group_name}; upstream: {upstream}; resources: {resources})"
        )
        from html import escape

        html = (
            f"<div><b>Asset</b> <code>{escape(keys)}</code> "
            f"<small>group {escape(self.group_name)}</small><br>"
            f"upstream: {escape(upstream)}<br>resources: {escape(resources)}</div>"
        )
        return {"text/plain": text, "text/html": html}


@functools.lru_cache(maxsize=65536)
def _source_hash(code: types.CodeType) -> str:
    """A hash of the source of the function whose code this is (read once per function)."""
    return _hash_of_source(code, code.co_qualname)


def _hash_of_source(target: Any, fallback: str) -> str:
    try:
        source = inspect.getsource(target)
    except (OSError, TypeError):
        source = fallback
    return hashlib.sha256(source.encode()).hexdigest()[:12]


def doc_of(fn: Callable[..., Any]) -> str | None:
    """A function's docstring, cleaned (``inspect.getdoc`` without its slow class lookup)."""
    doc = getattr(fn, "__doc__", None)
    return inspect.cleandoc(doc) if isinstance(doc, str) else None


def prefixed(key: AssetKey, prefix: str | Sequence[str] | None) -> AssetKey:
    """``key`` under ``prefix`` (unchanged when there is none)."""
    return key if prefix is None else key.with_prefix(prefix)


def with_io_manager(
    key: AssetKey,
    io_manager_key: str | None,
    io_manager_def: Any,
    resource_defs: Mapping[str, Any] | None,
) -> tuple[str | None, dict[str, Any]]:
    """The IO manager key and carried resources of an asset given ``io_manager_def=``.

    The IO manager is carried under the key given, or one named after the asset.
    """
    carried = dict(resource_defs or {})
    if io_manager_def is None:
        return io_manager_key, carried
    manager_key = io_manager_key or f"{key.to_python_identifier()}__io_manager"
    carried[manager_key] = io_manager_def
    return manager_key, carried


def coerce_deps(deps: Iterable[Any] | None, owner: str) -> list[AssetKey]:
    """The keys of ``deps=``, each of which becomes an input whose name Dagster checks.

    Raises:
        DefinitionError: a key whose input name Dagster refuses (``deps=["raw/orders"]``).
    """
    keys = [dep_key(dep) for dep in deps or ()]
    for key in keys:
        check_name(input_name_of(key), f"{owner}: deps=", key)
    return keys


def input_keys(
    params: tuple[Param, ...], ins: Mapping[str, AssetIn] | None, owner: str
) -> dict[str, AssetKey]:
    """The upstream key of each input parameter, from ``ins=`` or the parameter's name."""
    given = dict(ins or {})
    found: dict[str, AssetKey] = {}
    for param in params:
        if param.role is not Role.INPUT:
            continue
        spec = given.pop(param.name, None)
        if spec is None:
            found[param.name] = AssetKey([param.name])
        elif spec.key is not None:
            found[param.name] = AssetKey.from_coercible(spec.key)
        else:
            found[param.name] = prefixed(AssetKey([param.name]), spec.key_prefix)
    if given:
        names = ", ".join(sorted(given))
        raise DefinitionError(
            f"{owner}: ins= names {names}, which the function does not take; "
            "add a parameter of that name or remove it from ins"
        )
    return found


@overload
def asset(fn: Callable[..., Any], /) -> Asset: ...


@overload
def asset(
    fn: None = None,
    /,
    *,
    name: str | None = None,
    key: AssetKey | str | Sequence[str] | None = None,
    key_prefix: str | Sequence[str] | None = None,
    ins: Mapping[str, AssetIn] | None = None,
    deps: Iterable[Any] | None = None,
    metadata: Mapping[str, Any] | None = None,
    tags: Mapping[str, str] | None = None,
    description: str | None = None,
    required_resource_keys: Iterable[str] | None = None,
    resource_defs: Mapping[str, Any] | None = None,
    io_manager_key: str | None = None,
    io_manager_def: Any = None,
    group_name: str | None = None,
    code_version: str | None = None,
    **dagster_options: Any,
) -> Callable[[Callable[..., Any]], Asset]: ...


def asset(
    fn: Callable[..., Any] | None = None,
    /,
    *,
    name: str | None = None,
    key: AssetKey | str | Sequence[str] | None = None,
    key_prefix: str | Sequence[str] | None = None,
    ins: Mapping[str, AssetIn] | None = None,
    deps: Iterable[Any] | None = None,
    metadata: Mapping[str, Any] | None = None,
    tags: Mapping[str, str] | None = None,
    description: str | None = None,
    required_resource_keys: Iterable[str] | None = None,
    resource_defs: Mapping[str, Any] | None = None,
    io_manager_key: str | None = None,
    io_manager_def: Any = None,
    group_name: str | None = None,
    code_version: str | None = None,
    **dagster_options: Any,
) -> Asset | Callable[[Callable[..., Any]], Asset]:
    """Declare an asset computed by the decorated function.

    Parameters annotated with a resource class (or ``ResourceParam[T]``) receive resources;
    ``config: SomeConfig`` receives run config; ``context`` receives the step context; any
    other parameter receives the upstream asset of that name. ``io_manager_def=`` gives the
    asset its own IO manager.

    Example:
        >>> @asset
        ... def numbers() -> list[int]:
        ...     return [1, 2, 3]
        >>> numbers.key
        AssetKey(['numbers'])
    """
    check_arguments("@asset", dagster_options, asset)

    def decorate(function: Callable[..., Any]) -> Asset:
        if key is not None and (name is not None or key_prefix is not None):
            raise DefinitionError(
                f"@asset {function.__name__!r}: give key= or name=/key_prefix=, not both"
            )
        asset_key = (
            AssetKey.from_coercible(key)
            if key is not None
            else prefixed(AssetKey([name or function.__name__]), key_prefix)
        )
        owner = f"asset {asset_key.to_user_string()!r}"
        check_name(asset_key.to_python_identifier(), f"@{owner}: its step name", asset_key)
        params = read_params(function, owner)
        resource_keys(params, required_resource_keys, owner)
        spec = AssetSpec(
            asset_key,
            description=description if description is not None else doc_of(function),
            metadata=metadata,
            group_name=group_name,
            code_version=code_version,
            tags=tags,
        )
        manager_key, carried = with_io_manager(
            asset_key, io_manager_key, io_manager_def, resource_defs
        )
        return Asset(
            function,
            specs=[spec],
            output_names=["result"],
            ins=input_keys(params, ins, owner),
            deps=coerce_deps(deps, f"@{owner}"),
            required_resource_keys=required_resource_keys or (),
            io_manager_key=manager_key,
            resource_defs=carried,
            name=None,
            params=params,
        )

    return decorate(fn) if fn is not None else decorate
