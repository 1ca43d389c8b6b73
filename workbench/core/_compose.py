"""Composing a job or graph body: the nodes it adds by calling ops, and where inputs come from."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from workbench.errors import DefinitionError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from workbench.core.job import Op

__all__ = ["Node", "OutputHandle", "compose", "composing"]


class OutputHandle(NamedTuple):
    """One output of an op invocation inside a job body."""

    node: str
    output: str


@dataclass
class Node:
    """One invocation of an op in a job.

    Attributes:
        name: unique in the job (``op``, then ``op_2``, ... or an alias).
        op: the op.
        inputs: each input's source: one handle, or a list of handles (fan-in).
    """

    name: str
    op: Op
    inputs: dict[str, OutputHandle | list[OutputHandle]] = field(default_factory=dict)


class _Composition:
    """The nodes a job (or graph) body adds; a nested graph's nodes get its name as prefix."""

    def __init__(
        self,
        job_name: str,
        nodes: dict[str, Node] | None = None,
        prefix: str = "",
        graph_outputs: dict[str, OutputHandle] | None = None,
        graph_configs: dict[str, Any] | None = None,
    ) -> None:
        self.job_name = job_name
        self.nodes: dict[str, Node] = {} if nodes is None else nodes
        self.prefix = prefix
        # a nested graph's node name -> the op output it returns (output_for_node("graph"))
        self.graph_outputs: dict[str, OutputHandle] = {} if graph_outputs is None else graph_outputs
        # a nested graph's node name -> its config mapping (``@graph(config=...)``)
        self.graph_configs: dict[str, Any] = {} if graph_configs is None else graph_configs

    def add(self, op: Op, alias: str | None, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        name = self.prefix + (alias or op.name)
        if name in self.nodes:
            if alias:
                raise DefinitionError(
                    f"job {self.job_name!r} uses the alias {alias!r} twice; give each a new name"
                )
            count = 2
            while f"{op.name}_{count}" in self.nodes:
                count += 1
            name = f"{op.name}_{count}"
        inputs: dict[str, OutputHandle | list[OutputHandle]] = {}
        names = op.input_names
        if len(args) > len(names):
            raise DefinitionError(
                f"job {self.job_name!r}: op {op.name!r} takes {len(names)} inputs "
                f"({', '.join(names) or 'none'}) but was given {len(args)}"
            )
        for input_name, value in [*zip(names, args, strict=False), *kwargs.items()]:
            if input_name not in names:
                raise DefinitionError(
                    f"job {self.job_name!r}: op {op.name!r} has no input {input_name!r}; "
                    f"its inputs are {', '.join(names) or 'none'}"
                )
            inputs[input_name] = _as_source(value, self.job_name, op.name, input_name)
        self.nodes[name] = Node(name, op, inputs)
        outs = list(op.outs)
        if len(outs) == 1:
            return OutputHandle(name, outs[0])
        return _MultipleOutputs(name, outs)


def _as_source(
    value: Any, job_name: str, op_name: str, input_name: str
) -> OutputHandle | list[OutputHandle]:
    if isinstance(value, OutputHandle):
        return value
    if (
        isinstance(value, list | tuple)
        and value
        and all(isinstance(item, OutputHandle) for item in value)
    ):
        return list(value)
    raise DefinitionError(
        f"job {job_name!r}: input {input_name!r} of op {op_name!r} must come from another "
        f"op's output inside the job body, got {type(value).__name__}"
    )


class _MultipleOutputs(tuple[OutputHandle, ...]):
    """The outputs of an op with several ``Out``s: unpack them, or read them by name."""

    _names: tuple[str, ...]

    def __new__(cls, node: str, names: Sequence[str]) -> _MultipleOutputs:
        instance = super().__new__(cls, [OutputHandle(node, name) for name in names])
        instance._names = tuple(names)
        return instance

    def __getattr__(self, name: str) -> OutputHandle:
        if name in self._names:
            return self[self._names.index(name)]
        raise AttributeError(f"no output {name!r}; outputs are {', '.join(self._names)}")


_composing: contextvars.ContextVar[_Composition | None] = contextvars.ContextVar(
    "workbench_composing", default=None
)


def composing() -> _Composition | None:
    """The job or graph body being composed in this context, if any."""
    return _composing.get()


def compose(
    name: str, body: Callable[..., Any], args: tuple[Any, ...] = (), **options: Any
) -> tuple[_Composition, Any]:
    """Run a job or graph body, collecting the ops it calls; return them and its result."""
    composition = _Composition(name, **options)
    token = _composing.set(composition)
    try:
        returned = body(*args)
    finally:
        _composing.reset(token)
    return composition, returned
