"""Resource bindings: the resources assets carry, conflicting keys, missing and wrong bindings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workbench.core._suggest import closest
from workbench.core.asset import Asset
from workbench.core.legacy import ResourceDefinition
from workbench.core.resource import ConfigurableResource, PartialResource
from workbench.errors import DefinitionError, WorkbenchError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from workbench.core.asset import AssetSpec

__all__ = ["asset_resources", "bind_resources", "binding_problem", "missing_resource"]


def asset_resources(assets: Iterable[Asset | AssetSpec]) -> dict[str, Any]:
    """The resources assets bind themselves (``@asset(resource_defs=...)``), by key.

    A run gets them beneath the resources it is given: an explicit binding of the same key wins.
    """
    found: dict[str, Any] = {}
    for item in assets:
        if isinstance(item, Asset):
            for key, value in item.resource_defs.items():
                found.setdefault(key, value)
    return found


def bind_resources(
    bound: dict[str, Any],
    owners: dict[str, str],
    resources: Mapping[str, Any],
    place: str,
    error: type[WorkbenchError] = DefinitionError,
) -> None:
    """Add ``resources`` from ``place`` to ``bound``, the one check for conflicting keys.

    A key already bound to the same resource (or an equal one) keeps the first; ``owners``
    records where each key was bound, so that a conflict names both places.

    Raises:
        WorkbenchError: ``error`` (a DefinitionError unless given) when a key is already bound
            to a different resource, naming the key, both places and the fix.
    """
    for key, value in resources.items():
        if key in bound and bound[key] is not value:
            if bound[key] != value:
                raise error(
                    f"resource key {key!r} is bound to different resources in {owners[key]} "
                    f"and {place}; bind it in one place, or give one of them another key"
                )
            continue
        bound[key] = value
        owners.setdefault(key, place)


def missing_resource(consumer: str, key: str, available: Mapping[str, Any]) -> str:
    """The message for a resource key that nothing binds."""
    known = sorted(available)
    match = closest(key, known)
    hint = f"; did you mean {match!r}?" if match else ""
    return (
        f"resource {key!r} required by {consumer} is not bound; bind it in "
        f"Definitions(resources={{{key!r}: ...}}) (bound keys: {', '.join(known) or 'none'})"
        f"{hint}"
    )


def binding_problem(
    consumer: str, key: str, expected: type[ConfigurableResource] | None, bound: Any
) -> str | None:
    """Describe a binding whose object is not the resource class a parameter expects."""
    if expected is None or isinstance(bound, ResourceDefinition):
        return None  # a function-style resource's value is known only once it is made
    actual = bound.resource_class if isinstance(bound, PartialResource) else type(bound)
    if issubclass(actual, expected):
        return None
    if (
        issubclass(actual, ConfigurableResource)
        and actual.create_resource is not ConfigurableResource.create_resource
    ):
        return None  # a factory: steps get what create_resource makes, not the resource
    return (
        f"resource {key!r} used by {consumer} must be a {expected.__name__}, but "
        f"{actual.__name__} is bound to it; bind a {expected.__name__}(...) to {key!r}"
    )
