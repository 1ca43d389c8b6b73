"""``@multi_asset``: several assets computed by one function."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from workbench.core._arguments import check_arguments
from workbench.core._params import read_params, resource_keys
from workbench.core.asset import Asset, coerce_deps, input_keys
from workbench.core.keys import check_name
from workbench.core.specs import AssetIn, AssetOut, AssetSpec
from workbench.errors import DagsterInvalidDefinitionError, DefinitionError

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
    per asset; with ``outs=``, it returns a tuple of values in the order of ``outs`` (or
    yields an ``Output(value, output_name=...)`` per output). Each ``AssetOut`` may name its
    own IO manager (``io_manager_key=``). With ``can_subset=True`` a run may select only some
    of the assets: the function reads ``context.selected_output_names`` and yields those.
    """
    kept = check_arguments("@multi_asset", dagster_options, multi_asset)
    # as in Dagster, description= and code_version= apply to each asset without its own
    shared = _Shared(group_name, kept.get("description"), kept.get("code_version"))
    if (specs is None) == (outs is None):
        raise DefinitionError("@multi_asset takes specs= or outs=, exactly one of them")
    if specs is not None and deps:
        raise DagsterInvalidDefinitionError(
            "@multi_asset takes deps= or specs=, not both; give each AssetSpec its deps= instead"
        )

    groups = [item.group_name for item in specs or ()]
    groups += [item.group_name for item in (outs or {}).values()]
    if group_name and any(groups):
        raise DagsterInvalidDefinitionError(
            f"@multi_asset: group_name={group_name!r} is given, and so is the group_name of one "
            "of its AssetSpecs/AssetOuts; give the group in one place"
        )

    def decorate(function: Callable[..., Any]) -> Asset:
        step_name = check_name(name or function.__name__, "@multi_asset: its name")
        owner = f"multi_asset {step_name!r}"
        if specs is not None:
            built = [_with_shared(spec, shared) for spec in specs]
            output_names = [
                check_name(spec.key.to_python_identifier(), f"@{owner}: output", spec.key)
                for spec in built
            ]
            # assets given as specs report with MaterializeResult: each one is optional
            optional = set(output_names)
            managers: dict[str, str | None] = {}
            for spec in built:
                coerce_deps(spec.deps, f"@{owner}: AssetSpec {spec.key.to_user_string()!r}")
        else:
            built, output_names, optional, managers = [], [], set(), {}
            for out_name, out in (outs or {}).items():
                check_name(out_name, f"@{owner}: outs=")
                built.append(_spec_of(out, out_name, shared))
                output_names.append(out_name)
                managers[out_name] = out.io_manager_key
                if not out.is_required:
                    optional.add(out_name)
        if not built:
            raise DefinitionError(f"@{owner} declares no assets; give specs= or outs=")
        params = read_params(function, owner)
        resource_keys(params, required_resource_keys, owner)
        return Asset(
            function,
            specs=built,
            output_names=output_names,
            ins=input_keys(params, ins, owner),
            deps=coerce_deps(deps, f"@{owner}"),
            required_resource_keys=required_resource_keys or (),
            io_manager_key=None,
            resource_defs=resource_defs,
            name=step_name,
            params=params,
            output_io_manager_keys=managers,
            optional_outputs=optional,
            can_subset=can_subset,
        )

    return decorate


class _Shared(NamedTuple):
    """What ``@multi_asset`` gives each of its assets that does not give its own."""

    group_name: str | None
    description: str | None
    code_version: str | None


def _with_shared(spec: AssetSpec, shared: _Shared) -> AssetSpec:
    """``spec`` with the multi_asset's group, description and code version where it has none."""
    if spec.group_name and spec.description and spec.code_version:
        return spec
    return AssetSpec(
        spec.key,
        deps=spec.deps,
        description=spec.description or shared.description,
        metadata=spec.metadata,
        group_name=spec.group_name or shared.group_name,
        code_version=spec.code_version or shared.code_version,
        tags=spec.tags,
        skippable=spec.skippable,
    )


def _spec_of(out: AssetOut, out_name: str, shared: _Shared) -> AssetSpec:
    """The AssetSpec an ``AssetOut`` describes."""
    return AssetSpec(
        out.key_for(out_name),
        description=out.description or shared.description,
        metadata=out.metadata,
        group_name=out.group_name or shared.group_name,
        code_version=out.code_version or shared.code_version,
        tags=out.tags,
    )
