"""What describes assets and their outputs: AssetSpec, AssetIn, AssetOut, results, versions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from workbench.core.keys import AssetKey
from workbench.errors import DefinitionError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from workbench.core.asset import Asset

__all__ = [
    "AssetDep",
    "AssetIn",
    "AssetOut",
    "AssetSpec",
    "DataVersion",
    "MaterializeResult",
    "Output",
    "dep_key",
    "version_text",
]


class AssetDep:
    """An upstream asset a step is only ordered after: ``deps=[AssetDep("orders")]``.

    Example:
        >>> AssetDep("raw_orders")
        AssetDep(asset_key=AssetKey(['raw_orders']))
    """

    __slots__ = ("asset_key",)

    asset_key: AssetKey

    def __init__(
        self,
        asset: AssetKey | str | Sequence[str] | AssetSpec | Asset,
        *,
        partition_mapping: Any = None,
    ) -> None:
        if partition_mapping is not None:
            raise DefinitionError(
                "AssetDep: partition_mapping= is not supported by workbench yet; remove it, or "
                "run these definitions on Dagster (export them with target='dagster')"
            )
        object.__setattr__(self, "asset_key", dep_key(asset))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("AssetDep is immutable")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AssetDep) and other.asset_key == self.asset_key

    def __hash__(self) -> int:
        return hash(self.asset_key)

    def __repr__(self) -> str:
        return f"AssetDep(asset_key={self.asset_key!r})"


def dep_key(value: AssetKey | str | Sequence[str] | AssetSpec | AssetDep | Asset) -> AssetKey:
    """The key of one ``deps=`` entry: a key, a string (one part), parts, a spec, dep or asset."""
    from workbench.core.asset import Asset

    if isinstance(value, AssetDep):
        return value.asset_key
    if isinstance(value, AssetSpec):
        return value.key
    if isinstance(value, Asset):
        return value.key
    try:
        return AssetKey.from_coercible(value)
    except TypeError as exc:
        raise TypeError(
            f"a dependency is an AssetKey, a string, a list of strings, an AssetSpec, an "
            f"AssetDep or an asset, got {value!r} ({type(value).__name__})"
        ) from exc


@dataclass(frozen=True)
class AssetIn:
    """How an asset parameter maps to an upstream asset: ``ins={"x": AssetIn(key="a/b")}``."""

    key: AssetKey | str | Sequence[str] | None = None
    key_prefix: str | Sequence[str] | None = None
    metadata: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        # as in Dagster: the key is an AssetKey (a string one part), the prefix a list
        if self.key is not None:
            object.__setattr__(self, "key", AssetKey.from_coercible(self.key))
        if isinstance(self.key_prefix, str):
            object.__setattr__(self, "key_prefix", [self.key_prefix])


@dataclass(frozen=True)
class AssetOut:
    """One output of a ``@multi_asset`` built with ``outs=`` (Dagster's fields, in its order).

    ``dagster_type``, ``automation_condition``, ``backfill_policy``, ``owners``, ``kinds`` and
    ``freshness_policy`` describe the asset for Dagster and change nothing in a workbench run.
    """

    key_prefix: str | Sequence[str] | None = None
    key: AssetKey | str | Sequence[str] | None = None
    dagster_type: Any = None
    description: str | None = None
    is_required: bool = True
    io_manager_key: str | None = None
    metadata: Mapping[str, Any] | None = None
    group_name: str | None = None
    code_version: str | None = None
    automation_condition: Any = None
    backfill_policy: Any = None
    owners: Sequence[str] | None = None
    tags: Mapping[str, str] | None = None
    kinds: Any = None
    freshness_policy: Any = None

    def __post_init__(self) -> None:
        if self.key is not None and self.key_prefix:
            raise DefinitionError(
                f"AssetOut(key={self.key!r}, key_prefix={self.key_prefix!r}): give key= or "
                "key_prefix=, not both"
            )
        # as in Dagster: the key is an AssetKey (a string one part), the prefix a list
        if self.key is not None:
            object.__setattr__(self, "key", AssetKey.from_coercible(self.key))
        if isinstance(self.key_prefix, str):
            object.__setattr__(self, "key_prefix", [self.key_prefix])

    def key_for(self, output_name: str) -> AssetKey:
        """The asset key of this output of ``output_name``: ``key=``, or the name under a prefix."""
        if self.key is not None:
            return AssetKey.from_coercible(self.key)
        key = AssetKey([output_name])
        return key if self.key_prefix is None else key.with_prefix(self.key_prefix)


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
        deps: Iterable[AssetKey | str | Sequence[str] | AssetSpec | AssetDep | Asset] | None = None,
        description: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        group_name: str | None = None,
        code_version: str | None = None,
        tags: Mapping[str, str] | None = None,
        skippable: bool = False,
    ) -> None:
        set_ = object.__setattr__
        set_(self, "key", AssetKey.from_coercible(key))
        set_(self, "deps", tuple(dep_key(dep) for dep in deps or ()))
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
