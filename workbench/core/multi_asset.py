"""``@multi_asset``: several assets computed by one function."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workbench.core._arguments import check_arguments
from workbench.core._params import read_params, resource_keys
from workbench.core.asset import Asset, coerce_deps, input_keys, prefixed
from workbench.core.keys import AssetKey
from workbench.core.specs import AssetIn, AssetOut, AssetSpec
from workbench.errors import DefinitionError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

__all__ = ["multi_asset"]


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
                    else prefixed(AssetKey([out_name]), out.key_prefix)
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
            ins=input_keys(params, ins, owner),
            deps=coerce_deps(deps),
            required_resource_keys=required_resource_keys or (),
            io_manager_key=None,
            resource_defs=resource_defs,
            name=name or function.__name__,
            params=params,
        )

    return decorate
