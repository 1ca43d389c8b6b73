"""Evaluating a sensor or schedule: its targets, its context, its function called with resources."""

from __future__ import annotations

import contextlib
import dataclasses
import inspect
import os
from typing import TYPE_CHECKING, Any

from workbench.core._bindings import missing_resource
from workbench.core._params import Param, Role, read_params
from workbench.core._resources import prepare_resources
from workbench.core.graph import as_selection, define_asset_job
from workbench.core.job import Job
from workbench.core.resource import _Resources
from workbench.errors import (
    DagsterInvalidDefinitionError,
    DagsterInvalidInvocationError,
    DefinitionError,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

__all__ = ["call_with_resources", "context_or_build", "job_targets", "read_evaluation_params"]


def job_targets(
    owner: str, job: Job | None, jobs: Sequence[Job] | None, target: Any, selection: Any
) -> list[Job]:
    """The jobs a sensor or schedule targets: ``job``, ``jobs``, and a target or selection.

    An asset selection (or a list of assets) becomes an anonymous asset job named for ``owner``.
    """
    found: list[Job] = [job] if job is not None else []
    found += list(jobs or ())
    chosen = target if target is not None else selection
    if isinstance(chosen, Job):
        found.append(chosen)
    elif chosen is not None:
        found.append(define_asset_job(f"__anonymous_{owner}", as_selection(chosen)))
    return found


@contextlib.contextmanager
def _context_resources(context: Any, keys: Sequence[str], ready: Mapping[str, Any]) -> Any:
    """Show the set-up resources ``keys`` on ``context.resources`` while the function runs."""
    if not keys or not hasattr(context, "_resource_values"):
        yield
        return
    before = context.resources
    context.resources = _Resources({**context._resource_values, **{k: ready[k] for k in keys}})
    try:
        yield
    finally:
        context.resources = before


def read_evaluation_params(fn: Callable[..., Any], owner: str) -> tuple[Param, ...]:
    """A sensor's or schedule's parameters: its context may have any name, as in Dagster.

    The first parameter that is neither a resource nor given a default receives the context.
    """
    params = list(read_params(fn, owner, step_context=False))
    if not any(param.role is Role.CONTEXT for param in params):
        for index, param in enumerate(params):
            if param.role is Role.INPUT and not param.has_default:
                params[index] = dataclasses.replace(param, role=Role.CONTEXT)
                break
    return tuple(params)


def context_or_build(
    context: Any, params: tuple[Param, ...], kind: str, name: str, builder: Callable[[], Any]
) -> Any:
    """The context given, or one built when the function takes none.

    Raises:
        DagsterInvalidInvocationError: the function takes a context and none was given.
    """
    if context is not None:
        return context
    wanted = next((param.name for param in params if param.role is Role.CONTEXT), None)
    if wanted is not None:
        raise DagsterInvalidInvocationError(
            f"{kind} {name!r} takes a context ({wanted!r}) and was called without one; "
            f"call it as {name}(build_{kind}_context(...))"
        )
    return builder()


def call_with_resources(
    fn: Callable[..., Any],
    params: tuple[Param, ...],
    context: Any,
    resources: Mapping[str, Any],
    owner: str,
    required_resource_keys: Iterable[str] = (),
) -> Any:
    """Call a sensor or schedule function with resources set up, then tear them down.

    Resources named in ``required_resource_keys`` are set up too and reach the function as
    ``context.resources.KEY`` while it runs.
    """
    required = sorted(set(required_resource_keys))
    needed = [param.name for param in params if param.role is Role.RESOURCE]
    needed += [key for key in required if key not in needed]
    missing = [key for key in needed if key not in resources]
    if missing:
        raise DagsterInvalidDefinitionError(missing_resource(owner, missing[0], resources))
    prepared = prepare_resources(resources, needed, {}, os.environ)
    with prepared.setup(None, needed, None) as ready, _context_resources(context, required, ready):
        kwargs: dict[str, Any] = {}
        for param in params:
            if param.role is Role.CONTEXT:
                kwargs[param.name] = context
            elif param.role is Role.RESOURCE:
                kwargs[param.name] = ready[param.name]
            elif not param.has_default:
                raise DefinitionError(
                    f"{owner}: parameter {param.name!r} is neither the context nor a resource; "
                    "annotate it with a resource class"
                )
        result = fn(**kwargs)
        if inspect.isgenerator(result):
            result = list(result)
    return result
