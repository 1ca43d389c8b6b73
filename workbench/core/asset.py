"""Assets: AssetKey, AssetIn, AssetSpec, MaterializeResult, ``@asset`` and ``@multi_asset``."""

from __future__ import annotations

import functools
import hashlib
import inspect
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple, overload

from workbench.core._arguments import check_arguments
from workbench.core._params import Param, Role, read_params, resource_keys, with_config_built
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
    "multi_asset",
    "version_text",
    "with_io_manager",
]


_set = object.__setattr__


class AssetKey:
    """An asset's key: a path of one or more parts, shown as ``"raw/orders"``.

    Example:
        >>> AssetKey(["raw", "orders"]).to_user_string()
        'raw/orders'
    """

    __slots__ = ("_hash", "path")

    path: tuple[str, ...]
    _hash: int

    def __init__(self, path: str | Sequence[str]) -> None:
        parts = (path,) if type(path) is str else tuple(path)
        if not parts or "" in parts or not all(type(part) is str for part in parts):
            if not all(isinstance(part, str) for part in parts) or not parts or "" in parts:
                raise TypeError(f"AssetKey needs one or more non-empty strings, got {path!r}")
            parts = tuple(str(part) for part in parts)  # str subclasses become plain str
        _set(self, "path", parts)
        _set(self, "_hash", hash(parts))

    @classmethod
    def from_user_string(cls, text: str) -> AssetKey:
        """Parse ``"a/b"`` into ``AssetKey(["a", "b"])``."""
        return cls(text.split("/"))

    @classmethod
    def from_coercible(cls, value: AssetKey | str | Sequence[str] | AssetSpec | Asset) -> AssetKey:
        """Accept an AssetKey, a string (``"a/b"`` splits), a list of parts, a spec or an asset."""
        if isinstance(value, AssetKey):
            return value
        if isinstance(value, str):
            return cls.from_user_string(value)
        if isinstance(value, AssetSpec):
            return value.key
        if isinstance(value, Asset):
            return value.key
        return cls(value)

    def to_user_string(self) -> str:
        """The key as users write it: parts joined by ``/``."""
        return "/".join(self.path)

    def to_python_identifier(self) -> str:
        """The key as a step name: parts joined by ``__``."""
        return "__".join(self.path)

    def with_prefix(self, prefix: str | Sequence[str]) -> AssetKey:
        """This key under a prefix."""
        head = (prefix,) if isinstance(prefix, str) else tuple(prefix)
        return AssetKey((*head, *self.path))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("AssetKey is immutable")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AssetKey) and other.path == self.path

    def __hash__(self) -> int:
        return self._hash

    def __lt__(self, other: AssetKey) -> bool:
        return self.path < other.path

    def __repr__(self) -> str:
        return f"AssetKey({list(self.path)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (AssetKey, (self.path,))


@dataclass(frozen=True)
class AssetIn:
    """How an asset parameter maps to an upstream asset: ``ins={"x": AssetIn(key="a/b")}``."""

    key: AssetKey | str | Sequence[str] | None = None
    key_prefix: str | Sequence[str] | None = None
    metadata: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class AssetOut:
    """One output of a ``@multi_asset`` built with ``outs=``."""

    key: AssetKey | str | Sequence[str] | None = None
    key_prefix: str | Sequence[str] | None = None
    group_name: str | None = None
    description: str | None = None
    metadata: Mapping[str, Any] | None = None
    code_version: str | None = None
    io_manager_key: str | None = None
    is_required: bool = True


@dataclass(frozen=True)
class AssetSpec:
    """An asset's description without a function: an output of ``@multi_asset``, or a stub.

    A bare AssetSpec in Definitions is an asset workbench does not materialize (an external
    source); steps can depend on it.
    """

    key: AssetKey = field()
    deps: tuple[AssetKey, ...] = ()
    description: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    group_name: str | None = None
    code_version: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    skippable: bool = False

    def __init__(
        self,
        key: AssetKey | str | Sequence[str],
        *,
        deps: Iterable[AssetKey | str | Sequence[str] | AssetSpec | Asset] | None = None,
        description: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        group_name: str | None = None,
        code_version: str | None = None,
        tags: Mapping[str, str] | None = None,
        skippable: bool = False,
    ) -> None:
        set_ = object.__setattr__
        set_(self, "key", AssetKey.from_coercible(key))
        set_(self, "deps", tuple(AssetKey.from_coercible(dep) for dep in deps or ()))
        set_(self, "description", description)
        set_(self, "metadata", dict(metadata or {}))
        set_(self, "group_name", group_name)
        set_(self, "code_version", code_version)
        set_(self, "tags", dict(tags or {}))
        set_(self, "skippable", skippable)


class DataVersion(NamedTuple):
    """A version of an asset's data: equal versions mean equal data (for staleness).

    Example:
        >>> DataVersion("v1").value
        'v1'
    """

    value: str


def version_text(version: DataVersion | str | None) -> str | None:
    """The text of a data version given as DataVersion or str."""
    return version.value if isinstance(version, DataVersion) else version


class MaterializeResult:
    """What an asset may return to attach metadata (and, optionally, a data version).

    A MaterializeResult stores no value unless ``value=`` is given.
    """

    _NO_VALUE: Any = object()

    def __init__(
        self,
        *,
        asset_key: AssetKey | str | Sequence[str] | None = None,
        metadata: Mapping[str, Any] | None = None,
        data_version: DataVersion | str | None = None,
        tags: Mapping[str, str] | None = None,
        value: Any = _NO_VALUE,
    ) -> None:
        self.asset_key = None if asset_key is None else AssetKey.from_coercible(asset_key)
        self.metadata = dict(metadata or {})
        self.data_version = data_version
        self.tags = dict(tags or {})
        self.value = value

    @property
    def has_value(self) -> bool:
        """Whether a value was given to store."""
        return self.value is not MaterializeResult._NO_VALUE

    def __repr__(self) -> str:
        key = "" if self.asset_key is None else f"asset_key={self.asset_key!r}, "
        return f"MaterializeResult({key}metadata={self.metadata!r})"


class Output:
    """An op or asset output with metadata: ``return Output(value, metadata={...})``."""

    def __init__(
        self,
        value: Any,
        output_name: str = "result",
        metadata: Mapping[str, Any] | None = None,
        data_version: DataVersion | str | None = None,
        *,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        self.value = value
        self.output_name = output_name
        self.metadata = dict(metadata or {})
        self.data_version = data_version
        self.tags = dict(tags or {})

    def __repr__(self) -> str:
        return f"Output({self.value!r}, output_name={self.output_name!r})"


class Asset:
    """One or more assets computed by one function (what ``@asset`` returns).

    Attributes:
        keys: the assets this function materializes, in output order.
        name: the step's name (the key's parts joined by ``__``).
        ins: upstream asset keys by parameter name (loaded and passed in).
        deps: upstream asset keys that are only ordered before this one.
        params: the function's parameters, classified.
        required_resource_keys: every resource key the function needs.
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
    ) -> None:
        self.fn = fn
        self.specs = tuple(specs)
        self.keys = tuple(spec.key for spec in specs)
        self.output_names = tuple(output_names)
        self.ins = dict(ins)
        self.deps = tuple(dict.fromkeys(deps))
        self.params = params
        self.io_manager_key = io_manager_key or "io_manager"
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


def _prefixed(key: AssetKey, prefix: str | Sequence[str] | None) -> AssetKey:
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


def _coerce_deps(deps: Iterable[Any] | None) -> list[AssetKey]:
    return [AssetKey.from_coercible(dep) for dep in deps or ()]


def _input_keys(
    params: tuple[Param, ...], ins: Mapping[str, AssetIn] | None, owner: str
) -> dict[str, AssetKey]:
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
            found[param.name] = _prefixed(AssetKey([param.name]), spec.key_prefix)
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
            else _prefixed(AssetKey([name or function.__name__]), key_prefix)
        )
        owner = f"asset {asset_key.to_user_string()!r}"
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
            ins=_input_keys(params, ins, owner),
            deps=_coerce_deps(deps),
            required_resource_keys=required_resource_keys or (),
            io_manager_key=manager_key,
            resource_defs=carried,
            name=None,
            params=params,
        )

    return decorate(fn) if fn is not None else decorate


def multi_asset(
    *,
    specs: Sequence[AssetSpec] | None = None,
    outs: Mapping[str, AssetOut] | None = None,
    name: str | None = None,
    ins: Mapping[str, AssetIn] | None = None,
    deps: Iterable[Any] | None = None,
    required_resource_keys: Iterable[str] | None = None,
    resource_defs: Mapping[str, Any] | None = None,
    group_name: str | None = None,
    can_subset: bool = False,
    **dagster_options: Any,
) -> Callable[[Callable[..., Any]], Asset]:
    """Declare several assets computed by one function.

    With ``specs=``, the function returns or yields a ``MaterializeResult(asset_key=...)``
    per asset; with ``outs=``, it returns a tuple of values in the order of ``outs``.
    """
    check_arguments("@multi_asset", dagster_options, multi_asset)
    if (specs is None) == (outs is None):
        raise DefinitionError("@multi_asset takes specs= or outs=, exactly one of them")

    def decorate(function: Callable[..., Any]) -> Asset:
        owner = f"multi_asset {name or function.__name__!r}"
        built: list[AssetSpec] = []
        output_names: list[str] = []
        if specs is not None:
            for spec in specs:
                if group_name and not spec.group_name:
                    spec = AssetSpec(
                        spec.key,
                        deps=spec.deps,
                        description=spec.description,
                        metadata=spec.metadata,
                        group_name=group_name,
                        code_version=spec.code_version,
                        tags=spec.tags,
                    )
                built.append(spec)
                output_names.append(spec.key.to_python_identifier())
        else:
            for out_name, out in (outs or {}).items():
                out_key = (
                    AssetKey.from_coercible(out.key)
                    if out.key is not None
                    else _prefixed(AssetKey([out_name]), out.key_prefix)
                )
                built.append(
                    AssetSpec(
                        out_key,
                        description=out.description,
                        metadata=out.metadata,
                        group_name=out.group_name or group_name,
                        code_version=out.code_version,
                    )
                )
                output_names.append(out_name)
        if not built:
            raise DefinitionError(f"{owner} declares no assets; give specs= or outs=")
        params = read_params(function, owner)
        resource_keys(params, required_resource_keys, owner)
        return Asset(
            function,
            specs=built,
            output_names=output_names,
            ins=_input_keys(params, ins, owner),
            deps=_coerce_deps(deps),
            required_resource_keys=required_resource_keys or (),
            io_manager_key=None,
            resource_defs=resource_defs,
            name=name or function.__name__,
            params=params,
        )

    return decorate
