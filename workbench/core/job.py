"""Ops and jobs: ``@op`` with ``In``/``Out``, and ``@job`` composed by calling ops."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, overload

from workbench.core._arguments import check_arguments
from workbench.core._compose import Node, OutputHandle, compose, composing
from workbench.core._params import Param, Role, read_params, resource_keys, with_config_built
from workbench.core.asset import doc_of
from workbench.core.config_schema import DefinitionConfigSchema
from workbench.core.invocation import invoke
from workbench.errors import DefinitionError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

    from workbench.core.asset import AssetKey
    from workbench.core.graph import AssetGraph
    from workbench.core.instance import Instance
    from workbench.core.result import ExecuteInProcessResult
    from workbench.core.run import RunEvent

# Node, OutputHandle and composing live in _compose.py; importable from here as before (#17)
__all__ = ["In", "Job", "Node", "Op", "Out", "OutputHandle", "composing", "job", "op"]


@dataclass(frozen=True)
class In:
    """An op input: ``ins={"x": In(description=...)}``.

    ``input_manager_key`` names a resource whose ``load_input`` gives the value (instead of
    the upstream output, or for an input no op gives).
    """

    dagster_type: Any = None
    description: str | None = None
    default_value: Any = inspect.Parameter.empty
    metadata: Mapping[str, Any] | None = None
    asset_key: Any = None
    input_manager_key: str | None = None


@dataclass(frozen=True)
class Out:
    """An op output: ``out={"a": Out(), "b": Out()}`` for several."""

    dagster_type: Any = None
    description: str | None = None
    is_required: bool = True
    io_manager_key: str | None = None
    metadata: Mapping[str, Any] | None = None


class Op:
    """A step of a job (what ``@op`` returns).

    Calling an op inside a ``@job`` body adds it to the job; calling it elsewhere runs the
    function directly, as in a unit test.
    """

    def __init__(
        self,
        fn: Callable[..., Any],
        *,
        name: str | None,
        ins: Mapping[str, In] | None,
        outs: Mapping[str, Out],
        required_resource_keys: Iterable[str],
        description: str | None,
        tags: Mapping[str, str] | None,
        alias: str | None = None,
    ) -> None:
        self.fn = fn
        self.name = name or fn.__name__
        self.params: tuple[Param, ...] = read_params(fn, f"op {self.name!r}")
        self.ins = {
            param.name: (ins or {}).get(param.name, In())
            for param in self.params
            if param.role is Role.INPUT
        }
        unknown = set(ins or {}) - set(self.ins)
        if unknown:
            raise DefinitionError(
                f"op {self.name!r}: ins= names {', '.join(sorted(unknown))}, which the "
                "function does not take; add a parameter or remove it"
            )
        self.outs = dict(outs)
        self.description = description if description is not None else doc_of(fn)
        self.tags = dict(tags or {})
        self.required_resource_keys = resource_keys(
            self.params, required_resource_keys, f"op {self.name!r}"
        )
        self._alias = alias
        self.__name__ = self.name
        self.__doc__ = fn.__doc__
        self.__wrapped__ = fn

    @property
    def config_schema(self) -> DefinitionConfigSchema | None:
        """The op's config as Dagster shows it (None if it takes no config).

        ``config_schema.config_type.fields`` names each field; ``config_schema.config_class``
        is the Config class of the op's config parameter.
        """
        for param in self.params:
            if param.role is Role.CONFIG:
                return DefinitionConfigSchema(param.annotation)
        return None

    @property
    def input_names(self) -> list[str]:
        """The op's inputs, in parameter order."""
        return list(self.ins)

    def alias(self, name: str) -> Op:
        """Use this op under another node name in a job body."""
        clone = object.__new__(Op)
        clone.__dict__.update(self.__dict__)
        clone._alias = name
        return clone

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Add the op to the job being composed, or run the function outside a job body."""
        composition = composing()
        if composition is not None:
            return composition.add(self, self._alias, args, kwargs)
        args, kwargs = with_config_built(self.params, f"op {self.name!r}", args, kwargs)
        return invoke("op", self.name, self.fn, self.params, args, kwargs)

    def __repr__(self) -> str:
        return f"<Op {self.name}>"


@overload
def op(fn: Callable[..., Any], /) -> Op: ...


@overload
def op(
    fn: None = None,
    /,
    *,
    name: str | None = None,
    ins: Mapping[str, In] | None = None,
    out: Out | Mapping[str, Out] | None = None,
    required_resource_keys: Iterable[str] | None = None,
    description: str | None = None,
    tags: Mapping[str, str] | None = None,
    **dagster_options: Any,
) -> Callable[[Callable[..., Any]], Op]: ...


def op(
    fn: Callable[..., Any] | None = None,
    /,
    *,
    name: str | None = None,
    ins: Mapping[str, In] | None = None,
    out: Out | Mapping[str, Out] | None = None,
    required_resource_keys: Iterable[str] | None = None,
    description: str | None = None,
    tags: Mapping[str, str] | None = None,
    **dagster_options: Any,
) -> Op | Callable[[Callable[..., Any]], Op]:
    """Declare an op: a step of a job, with resources, config and inputs like an asset's.

    ``out={"a": Out(), "b": Out()}`` declares several outputs; the function then returns a
    tuple in that order.
    """
    check_arguments("@op", dagster_options, op)
    outs: dict[str, Out]
    if out is None:
        outs = {"result": Out()}
    elif isinstance(out, Out):
        outs = {"result": out}
    else:
        outs = dict(out)

    def decorate(function: Callable[..., Any]) -> Op:
        return Op(
            function,
            name=name,
            ins=ins,
            outs=outs,
            required_resource_keys=required_resource_keys or (),
            description=description,
            tags=tags,
        )

    return decorate(fn) if fn is not None else decorate


class Job:
    """A graph of op invocations, or a selection of assets, run as one unit.

    Attributes:
        name: the job's name.
        nodes: the op invocations by node name (empty for asset jobs).
        config: the default run config (a dict in Dagster's shape).
        resource_defs: resources bound to this job only.
    """

    def __init__(
        self,
        name: str,
        *,
        nodes: Mapping[str, Node] | None = None,
        config: Any = None,
        resource_defs: Mapping[str, Any] | None = None,
        tags: Mapping[str, str] | None = None,
        description: str | None = None,
        asset_selection: Any = None,
        assets: Sequence[Any] = (),
        graph_outputs: Mapping[str, OutputHandle] | None = None,
        graph_configs: Mapping[str, Any] | None = None,
    ) -> None:
        self.name = name
        self.nodes = dict(nodes or {})
        self.config = config
        self.resource_defs = dict(resource_defs or {})
        self.tags = dict(tags or {})
        self.description = description
        self.asset_selection = asset_selection
        self.assets = tuple(assets)
        self.asset_graph: AssetGraph | None = None
        self.selected_keys: frozenset[AssetKey] | None = None
        self.graph_outputs = dict(graph_outputs or {})
        self.graph_configs = dict(graph_configs or {})

    def resolved(self, graph: AssetGraph, keys: Iterable[AssetKey]) -> Job:
        """A copy of this asset job that materializes ``keys`` of ``graph``.

        ``Definitions`` resolves its asset jobs this way (``defs.resolve_job_def(name)``);
        an asset job runs only once resolved.
        """
        clone = object.__new__(Job)
        clone.__dict__.update(self.__dict__)
        clone.asset_graph = graph
        clone.selected_keys = frozenset(keys)
        clone.assets = tuple(
            dict.fromkeys(item for key in graph.toposort(keys) if (item := graph.assets.get(key)))
        )
        return clone

    @property
    def is_asset_job(self) -> bool:
        """Whether this job materializes assets (rather than running ops)."""
        return self.asset_selection is not None

    @property
    def required_resource_keys(self) -> frozenset[str]:
        """Every resource key some op of the job needs."""
        keys: set[str] = set()
        for node in self.nodes.values():
            keys |= node.op.required_resource_keys
        for item in self.assets:
            keys |= getattr(item, "required_resource_keys", frozenset())
        return frozenset(keys)

    def with_resources(self, resources: Mapping[str, Any]) -> Job:
        """A copy bound to ``resources`` (its own bindings win)."""
        clone = object.__new__(Job)
        clone.__dict__.update(self.__dict__)
        clone.resource_defs = {**dict(resources), **self.resource_defs}
        return clone

    def execute_in_process(
        self,
        run_config: Any = None,
        *,
        resources: Mapping[str, Any] | None = None,
        raise_on_error: bool = True,
        instance: Instance | None = None,
        tags: Mapping[str, str] | None = None,
        run_id: str | None = None,
        op_selection: Sequence[str] | None = None,
        max_workers: int = 1,
        on_event: Callable[[RunEvent], None] | None = None,
    ) -> ExecuteInProcessResult:
        """Run the job in this process and return its result."""
        from workbench.core.executor import execute_job

        return execute_job(
            self,
            run_config=run_config,
            resources=resources,
            raise_on_error=raise_on_error,
            instance=instance,
            tags=tags,
            run_id=run_id,
            op_selection=op_selection,
            max_workers=max_workers,
            on_event=on_event,
        )

    def __repr__(self) -> str:
        return f"<Job {self.name}>"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        from html import escape

        steps = list(self.nodes) or [
            key.to_user_string() for item in self.assets for key in item.keys
        ]
        text = f"Job {self.name} ({len(steps)} steps: {', '.join(steps)})"
        html = (
            f"<div><b>Job</b> <code>{escape(self.name)}</code> "
            f"<small>{len(steps)} steps</small><br>{escape(', '.join(steps))}</div>"
        )
        return {"text/plain": text, "text/html": html}


@overload
def job(fn: Callable[..., Any], /) -> Job: ...


@overload
def job(
    fn: None = None,
    /,
    *,
    name: str | None = None,
    config: Any = None,
    resource_defs: Mapping[str, Any] | None = None,
    tags: Mapping[str, str] | None = None,
    description: str | None = None,
    **dagster_options: Any,
) -> Callable[[Callable[..., Any]], Job]: ...


def job(
    fn: Callable[..., Any] | None = None,
    /,
    *,
    name: str | None = None,
    config: Any = None,
    resource_defs: Mapping[str, Any] | None = None,
    tags: Mapping[str, str] | None = None,
    description: str | None = None,
    **dagster_options: Any,
) -> Job | Callable[[Callable[..., Any]], Job]:
    """Declare a job by calling ops in the decorated function's body.

    Example:
        >>> @op
        ... def one() -> int:
        ...     return 1
        >>> @op
        ... def add_one(x: int) -> int:
        ...     return x + 1
        >>> @job
        ... def count():
        ...     add_one(one())
        >>> sorted(count.nodes)
        ['add_one', 'one']
    """
    check_arguments("@job", dagster_options, job)

    def decorate(function: Callable[..., Any]) -> Job:
        job_name = name or function.__name__
        composition, _ = compose(job_name, function)
        return Job(
            job_name,
            nodes=composition.nodes,
            graph_outputs=composition.graph_outputs,
            graph_configs=composition.graph_configs,
            config=config,
            resource_defs=resource_defs,
            tags=tags,
            description=description if description is not None else doc_of(function),
        )

    return decorate(fn) if fn is not None else decorate
