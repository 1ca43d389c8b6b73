"""Execution plans: the steps of a run, in dependency order, with where each input comes from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from workbench.core._params import Param, Role
from workbench.core._suggest import unknown_name
from workbench.core.asset import AssetKey
from workbench.core.context import AssetExecutionContext, OpExecutionContext, StepContext
from workbench.core.graph import AssetGraph, topological_order
from workbench.core.job import Job, Op, OutputHandle
from workbench.errors import DagsterInvalidDefinitionError, DefinitionError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from workbench.core.asset import Asset
    from workbench.core.config import Config

__all__ = ["Plan", "Source", "Step", "plan_assets", "plan_job"]


@dataclass(frozen=True, slots=True)
class Source:
    """Where one input's value comes from.

    Attributes:
        step: the step that produces it in this run (None if it is loaded).
        output: that step's output name.
        asset_key: the upstream asset (loaded from its IO manager when ``step`` is None).
        fan_in: for a list input, one Source per item.
    """

    step: str | None = None
    output: str = "result"
    asset_key: AssetKey | None = None
    fan_in: tuple[Source, ...] = ()


@dataclass(slots=True)
class Step:
    """One function call of a run."""

    key: str
    fn: Any
    params: tuple[Param, ...]
    sources: dict[str, Source]
    upstream: tuple[str, ...]
    outputs: tuple[str, ...]
    output_keys: dict[str, AssetKey | None]
    resource_keys: frozenset[str]
    config_class: type[Config] | None
    context_class: type[StepContext]
    asset: Asset | None = None
    op: Op | None = None
    io_manager_key: str = "io_manager"
    loaded_keys: tuple[AssetKey, ...] = field(default=())
    output_io_manager_keys: dict[str, str] = field(default_factory=dict)
    input_manager_keys: dict[str, str] = field(default_factory=dict)

    @property
    def asset_keys(self) -> tuple[AssetKey, ...]:
        """The assets this step materializes."""
        return tuple(key for key in self.output_keys.values() if key is not None)


@dataclass(slots=True)
class Plan:
    """The steps of a run in dependency order."""

    steps: list[Step]
    graph: AssetGraph | None = None

    @property
    def resource_keys(self) -> set[str]:
        """Every resource key some step needs (IO managers included)."""
        keys: set[str] = set()
        for step in self.steps:
            keys |= step.resource_keys
        return keys

    def children(self) -> dict[str, list[str]]:
        """Each step's downstream steps."""
        found: dict[str, list[str]] = {step.key: [] for step in self.steps}
        for step in self.steps:
            for up in step.upstream:
                found[up].append(step.key)
        return found


def _config_class(params: tuple[Param, ...]) -> type[Config] | None:
    for param in params:
        if param.role is Role.CONFIG:
            return param.annotation  # type: ignore[no-any-return]
    return None


def plan_assets(graph: AssetGraph, selected: Iterable[AssetKey]) -> Plan:
    """Plan the materialization of ``selected`` assets in ``graph``.

    A multi_asset runs whole unless it was declared with ``can_subset=True``; then its step
    yields only the selected outputs.

    Raises:
        DagsterInvalidDefinitionError: an AssetSpec, or part of a multi_asset that cannot
            run in part, is selected.
    """
    wanted = set(selected)
    definitions: dict[str, Asset] = {}
    for key in graph.toposort():
        item = graph.assets.get(key)
        if key in wanted:
            if item is None:
                raise DagsterInvalidDefinitionError(
                    f"asset {key.to_user_string()!r} is an AssetSpec without a function, so it "
                    "cannot be materialized; remove it from the selection"
                )
            definitions.setdefault(item.name, item)
    for item in definitions.values():
        left_out = [key.to_user_string() for key in item.keys if key not in wanted]
        if left_out and not item.can_subset:
            raise DagsterInvalidDefinitionError(
                f"multi_asset {item.name!r} materializes "
                f"{', '.join(key.to_user_string() for key in item.keys)} and cannot run in part, "
                f"but {', '.join(left_out)} is not selected; select all of its assets (e.g. "
                "selection.required_multi_asset_neighbors()), or declare it with "
                "can_subset=True and yield only context.selected_output_names"
            )
    producer = {key: item.name for item in definitions.values() for key in item.keys}
    steps: list[Step] = []
    for item in definitions.values():
        sources: dict[str, Source] = {}
        upstream: dict[str, None] = {}
        loaded: list[AssetKey] = []
        for name, key in item.ins.items():
            step_key = producer.get(key)
            output = "result"
            if step_key is not None:
                owner = definitions[step_key]
                output = owner.output_names[owner.keys.index(key)]
                upstream[step_key] = None
            else:
                loaded.append(key)
            sources[name] = Source(step_key, output, key)
        for key in item.upstream_keys:
            if key not in item.ins.values() and key in producer:
                upstream[producer[key]] = None
        upstream.pop(item.name, None)
        outputs = {
            name: key
            for name, key in zip(item.output_names, item.keys, strict=True)
            if key in wanted
        }
        managers = {name: item.io_manager_keys[name] for name in outputs}
        resource_keys = set(item.required_resource_keys)
        resource_keys.update(managers.values())
        resource_keys.update(graph.storage_of(key)[0] for key in loaded)
        steps.append(
            Step(
                key=item.name,
                fn=item.fn,
                params=item.params,
                sources=sources,
                upstream=tuple(upstream),
                outputs=tuple(outputs),
                output_keys=dict(outputs),
                resource_keys=frozenset(resource_keys),
                config_class=_config_class(item.params),
                context_class=AssetExecutionContext,
                asset=item,
                io_manager_key=item.io_manager_key,
                loaded_keys=tuple(loaded),
                output_io_manager_keys=managers,
            )
        )
    order = topological_order(
        [step.key for step in steps], {step.key: step.upstream for step in steps}
    )
    by_key = {step.key: step for step in steps}
    return Plan([by_key[key] for key in order], graph)


def _source(value: OutputHandle | list[OutputHandle]) -> Source:
    if isinstance(value, OutputHandle):
        return Source(value.node, value.output)
    return Source(fan_in=tuple(Source(handle.node, handle.output) for handle in value))


def plan_job(job: Job, op_selection: Iterable[str] | None = None) -> Plan:
    """Plan a job of ops (optionally only some nodes and what they need upstream)."""
    nodes = job.nodes
    if op_selection is not None:
        chosen = set(op_selection)
        unknown = chosen - set(nodes)
        if unknown:
            first = sorted(unknown)[0]
            raise DefinitionError(f"job {job.name!r}: " + unknown_name("op", first, nodes))
        nodes = {name: node for name, node in nodes.items() if name in chosen}
    steps: list[Step] = []
    for node in nodes.values():
        sources = {name: _source(value) for name, value in node.inputs.items()}
        upstream: dict[str, None] = {}
        for source in sources.values():
            for item in source.fan_in or (source,):
                if item.step is not None:
                    if item.step not in nodes:
                        raise DagsterInvalidDefinitionError(
                            f"op {node.name!r} needs {item.step!r}, which is not selected; "
                            "select it too"
                        )
                    upstream[item.step] = None
        for name, declared in node.op.ins.items():
            if declared.input_manager_key is not None and name not in sources:
                given = declared.asset_key
                sources[name] = Source(
                    asset_key=None if given is None else AssetKey.from_coercible(given)
                )
        missing = [
            param.name
            for param in node.op.params
            if param.role is Role.INPUT and param.name not in sources and not param.has_default
        ]
        if missing:
            raise DagsterInvalidDefinitionError(
                f"op {node.name!r} of job {job.name!r} has inputs with no source: "
                f"{', '.join(missing)}; pass another op's output to them in the job body"
            )
        output_managers = {
            name: out.io_manager_key or "io_manager" for name, out in node.op.outs.items()
        }
        input_managers = {
            name: item.input_manager_key
            for name, item in node.op.ins.items()
            if item.input_manager_key is not None
        }
        steps.append(
            Step(
                key=node.name,
                fn=node.op.fn,
                params=node.op.params,
                sources=sources,
                upstream=tuple(upstream),
                outputs=tuple(node.op.outs),
                output_keys=dict.fromkeys(node.op.outs),
                output_io_manager_keys=output_managers,
                input_manager_keys=input_managers,
                resource_keys=node.op.required_resource_keys
                | set(output_managers.values())
                | set(input_managers.values()),
                config_class=_config_class(node.op.params),
                context_class=OpExecutionContext,
                op=node.op,
            )
        )
    order = topological_order(
        [step.key for step in steps], {step.key: step.upstream for step in steps}
    )
    by_key = {step.key: step for step in steps}
    return Plan([by_key[key] for key in order])
