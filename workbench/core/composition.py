"""Graphs of ops (``@graph``) and config mappings (``@config_mapping``), as Dagster has them."""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any, overload

from pydantic import Field, create_model

from workbench.core._compose import Node, OutputHandle, compose, composing
from workbench.core._params import Param, Role, read_params
from workbench.core.asset import Asset, AssetKey, AssetSpec, doc_of
from workbench.core.config import Config, PrimitiveConfig
from workbench.core.job import Job
from workbench.core.plain import from_launch_config
from workbench.errors import DagsterInvalidDefinitionError, DagsterInvalidInvocationError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from workbench.core.result import ExecuteInProcessResult

__all__ = [
    "ConfigMapping",
    "Graph",
    "config_mapping",
    "flatten_op_config",
    "graph",
    "graph_asset",
]

_INPUT = "__graph_asset_input__"


class Graph:
    """Ops composed by a function body, to reuse inside jobs or turn into a job.

    Called inside a job (or graph) body, its ops join that job under the graph's name
    (node ``"my_graph.my_op"``; config under ``ops: {my_graph: {ops: {my_op: ...}}}``).
    """

    def __init__(
        self,
        fn: Callable[..., Any],
        *,
        name: str | None = None,
        description: str | None = None,
        config: Any = None,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        self.fn = fn
        self.name = name or fn.__name__
        self.description = description if description is not None else inspect.getdoc(fn)
        self.config = config
        self.tags = dict(tags or {})
        self.__name__ = self.name
        self.__doc__ = fn.__doc__

    def to_job(
        self,
        name: str | None = None,
        *,
        resource_defs: Mapping[str, Any] | None = None,
        config: Any = None,
        tags: Mapping[str, str] | None = None,
        description: str | None = None,
    ) -> Job:
        """A job that runs this graph's ops."""
        if any(
            parameter.default is parameter.empty
            for parameter in inspect.signature(self.fn).parameters.values()
        ):
            raise DagsterInvalidDefinitionError(
                f"graph {self.name!r} takes inputs, so it cannot be a job by itself; call it "
                "inside a job body and pass it other ops' outputs"
            )
        composition, _ = compose(name or self.name, self.fn)
        return Job(
            name or self.name,
            nodes=composition.nodes,
            graph_outputs=composition.graph_outputs,
            graph_configs=composition.graph_configs,
            config=config if config is not None else self.config,
            resource_defs=resource_defs,
            tags={**self.tags, **dict(tags or {})},
            description=description or self.description,
        )

    def execute_in_process(
        self,
        run_config: Any = None,
        *,
        resources: Mapping[str, Any] | None = None,
        **options: Any,
    ) -> ExecuteInProcessResult:
        """Run the graph as a job in this process."""
        return self.to_job(resource_defs=resources).execute_in_process(run_config, **options)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Add the graph's ops to the job (or graph) being composed."""
        outer = composing()
        if outer is None:
            raise DagsterInvalidInvocationError(
                f"graph {self.name!r} can only be called inside a job or graph body; to run it, "
                f"use {self.name}.execute_in_process() or {self.name}.to_job()"
            )
        bound = inspect.signature(self.fn).bind(*args, **kwargs)
        _, returned = compose(
            outer.job_name,
            lambda: self.fn(*bound.args, **bound.kwargs),
            nodes=outer.nodes,
            prefix=f"{outer.prefix}{self.name}.",
            graph_outputs=outer.graph_outputs,
            graph_configs=outer.graph_configs,
        )
        if isinstance(self.config, ConfigMapping):
            outer.graph_configs[f"{outer.prefix}{self.name}"] = self.config
        if isinstance(returned, OutputHandle):
            outer.graph_outputs[f"{outer.prefix}{self.name}"] = returned
        return returned

    def __repr__(self) -> str:
        return f"<Graph {self.name}>"


@overload
def graph(fn: Callable[..., Any], /) -> Graph: ...


@overload
def graph(
    fn: None = None,
    /,
    *,
    name: str | None = None,
    description: str | None = None,
    config: Any = None,
    tags: Mapping[str, str] | None = None,
) -> Callable[[Callable[..., Any]], Graph]: ...


def graph(
    fn: Callable[..., Any] | None = None,
    /,
    *,
    name: str | None = None,
    description: str | None = None,
    config: Any = None,
    tags: Mapping[str, str] | None = None,
) -> Graph | Callable[[Callable[..., Any]], Graph]:
    """Declare a graph: ops composed by calling them in the function's body."""

    def decorate(function: Callable[..., Any]) -> Graph:
        return Graph(function, name=name, description=description, config=config, tags=tags)

    return decorate(fn) if fn is not None else decorate


class ConfigMapping:
    """A job's config given in a simpler shape, mapped to the job's full run config.

    Attributes:
        config_fn: takes the simple config (a Config instance, or a dict) and returns the run
            config (a RunConfig or a dict).
        config_schema: the Config class of the simple config (or None for a plain dict).
    """

    def __init__(
        self,
        config_fn: Callable[[Any], Any],
        config_schema: type[Config] | None = None,
        description: str | None = None,
    ) -> None:
        self.config_fn = config_fn
        self.config_schema = config_schema
        self.description = description

    def resolve(self, given: Any) -> Any:
        """The run config for ``given``, the simple config.

        Raises:
            DagsterInvalidConfigError: the simple config does not fit its Config class.
        """
        cls = self.config_schema
        if cls is None:
            return self.config_fn(dict(given or {}))
        if not isinstance(given, Config):
            given = cls(**from_launch_config(cls, dict(given or {})))
        return self.config_fn(given)


def config_mapping(
    fn: Callable[[Any], Any] | None = None,
    /,
    *,
    config_schema: Any = None,
    description: str | None = None,
) -> Any:
    """Declare a config mapping: ``@job(config=my_mapping)`` takes the simpler config.

    The Config class is the function's parameter annotation (or ``config_schema``).
    """

    def decorate(function: Callable[[Any], Any]) -> ConfigMapping:
        schema = config_schema
        parameters = list(inspect.signature(function, eval_str=True).parameters.values())
        annotation = parameters[0].annotation if parameters else None
        if isinstance(annotation, type) and issubclass(annotation, Config):
            if config_schema is not None:
                raise DagsterInvalidDefinitionError(
                    f"config mapping {function.__name__!r} takes {annotation.__name__}, which "
                    "is its config schema already; remove config_schema="
                )
            schema = annotation
        return ConfigMapping(function, schema, description or inspect.getdoc(function))

    return decorate(fn) if fn is not None else decorate


def flatten_op_config(run_config: Any, graph_configs: Mapping[str, Any] | None = None) -> Any:
    """Turn nested graph config (``ops: {g: {ops: {o: ...}}}``) into node names (``"g.o"``).

    A RunConfig's ops are flattened the same way, its Config objects kept as they are;
    anything but a dict with an ``ops`` mapping is returned as it is. A graph with a config
    mapping (``graph_configs``, by node name) takes its own config, ``g: {config: ...}``,
    which its mapping turns into its ops' config.
    """
    from workbench.core.definitions import RunConfig

    mappings = dict(graph_configs or {})
    if isinstance(run_config, RunConfig):
        return RunConfig(
            ops=_flat(run_config.ops, "", mappings),
            resources=run_config.resources,
            loggers=run_config.loggers,
            execution=run_config.execution,
        )
    if not isinstance(run_config, dict) or not isinstance(run_config.get("ops"), dict):
        return run_config
    return {**run_config, "ops": _flat(run_config["ops"], "", mappings)}


def _flat(ops: Mapping[str, Any], prefix: str, mappings: Mapping[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for name, section in ops.items():
        node = f"{prefix}{name}"
        mapping = mappings.get(node)
        if mapping is not None and not (isinstance(section, dict) and "ops" in section):
            # the graph's own config: {"config": {...}}, or a Config object in a RunConfig
            given = section.get("config") if isinstance(section, dict) else section
            flat.update(_flat(mapping.resolve(given), f"{node}.", mappings))
        elif isinstance(section, dict) and set(section) == {"ops"}:
            flat.update(_flat(section["ops"], f"{node}.", mappings))
        else:
            flat[node] = section
    return flat


def graph_asset(
    fn: Callable[..., Any] | None = None,
    /,
    *,
    name: str | None = None,
    key_prefix: str | Sequence[str] | None = None,
    group_name: str | None = None,
    description: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    tags: Mapping[str, str] | None = None,
    code_version: str | None = None,
    resource_defs: Mapping[str, Any] | None = None,
) -> Any:
    """Declare an asset computed by a graph of ops (the function composes them).

    The function's parameters are upstream assets, as with ``@asset``; the ops run in one
    step, each with the resources it declares.

    Raises:
        DagsterInvalidDefinitionError: an op takes config (not supported in a graph asset yet),
            or the function returns no single op output.
    """

    def decorate(function: Callable[..., Any]) -> Asset:
        prefix = [key_prefix] if isinstance(key_prefix, str) else list(key_prefix or ())
        asset_key = AssetKey([*prefix, name or function.__name__])
        owner = f"graph asset {asset_key.to_user_string()!r}"
        inputs = [param.name for param in read_params(function, owner)]
        handles = tuple(OutputHandle(_INPUT, input_name) for input_name in inputs)
        composition, returned = compose(asset_key.to_user_string(), function, handles)
        _check_graph_asset(owner, returned)
        nodes = composition.nodes
        ops_config = _ops_config_class(function.__name__, nodes)

        def compute(context: Any, config: Any = None, **values: Any) -> Any:
            return _run_nodes(nodes, returned, context, values, config)

        params = (
            Param("context", Role.CONTEXT),
            *((Param("config", Role.CONFIG, ops_config),) if ops_config else ()),
            *(Param(input_name, Role.INPUT) for input_name in inputs),
        )
        spec = AssetSpec(
            asset_key,
            description=description if description is not None else doc_of(function),
            metadata=metadata,
            group_name=group_name,
            code_version=code_version,
            tags=tags,
        )
        compute.__name__ = function.__name__
        compute.__doc__ = function.__doc__
        return Asset(
            compute,
            specs=[spec],
            output_names=["result"],
            ins={input_name: AssetKey([input_name]) for input_name in inputs},
            deps=(),
            required_resource_keys={
                key for node in nodes.values() for key in node.op.required_resource_keys
            },
            io_manager_key=None,
            resource_defs=resource_defs,
            name=None,
            params=params,
        )

    return decorate(fn) if fn is not None else decorate


def _check_graph_asset(owner: str, returned: Any) -> None:
    if not isinstance(returned, OutputHandle):
        raise DagsterInvalidDefinitionError(
            f"{owner} must return the output of the op that makes its value; return op(...)"
        )


def _ops_config_class(name: str, nodes: Mapping[str, Node]) -> type[Config] | None:
    """The config of a graph asset: each op's config under the op's name (None if none).

    Run config gives it in Dagster's shape, ``ops: {asset: {ops: {op: {config: ...}}}}``.
    """
    fields: dict[str, Any] = {}
    for node_name, node in nodes.items():
        for param in node.op.params:
            if param.role is Role.CONFIG:
                cls = param.annotation
                required = any(info.is_required() for info in cls.model_fields.values())
                fields[node_name] = (cls, ...) if required else (cls, Field(default_factory=cls))
    if not fields:
        return None
    return create_model(f"{name}_ops_config", __base__=Config, **fields)


def _run_nodes(
    nodes: Mapping[str, Node],
    returned: OutputHandle,
    context: Any,
    inputs: Mapping[str, Any],
    config: Any,
) -> Any:
    """Run a graph asset's ops in the order the body called them (upstream first)."""
    values: dict[tuple[str, str], Any] = {}

    def value_of(source: OutputHandle | list[OutputHandle]) -> Any:
        if isinstance(source, list):
            return [value_of(item) for item in source]
        if source.node == _INPUT:
            return inputs[source.output]
        return values[(source.node, source.output)]

    for node in nodes.values():
        kwargs: dict[str, Any] = {}
        for param in node.op.params:
            if param.role is Role.CONTEXT:
                kwargs[param.name] = context
            elif param.role is Role.RESOURCE:
                kwargs[param.name] = context.resource_values[param.name]
            elif param.role is Role.CONFIG:
                value = getattr(config, node.name)
                kwargs[param.name] = value.value if isinstance(value, PrimitiveConfig) else value
            elif param.name in node.inputs:
                kwargs[param.name] = value_of(node.inputs[param.name])
        result = node.op.fn(**kwargs)
        outs = list(node.op.outs)
        produced = [result] if len(outs) == 1 else list(result)
        values.update(((node.name, out), item) for out, item in zip(outs, produced, strict=True))
    return value_of(returned)
