"""Keyword arguments that Dagster accepts: kept, refused as not supported yet, or unknown.

Code written for Dagster passes arguments that workbench's in-process runs do not need
(``owners=``, ``kinds=``, ``pool=``): those are accepted. Arguments that would change what a
run does and that workbench cannot do yet (``partitions_def=``, ``hooks=``) are refused with a
message naming them, unless they are empty. Anything else is a typo: a ``TypeError`` with
"did you mean", as Python raises for a misspelt keyword (see #12).
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

from workbench.core._suggest import closest
from workbench.errors import DefinitionError

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Mapping

__all__ = ["check_arguments", "keyword_names"]


def keyword_names(function: Callable[..., Any]) -> list[str]:
    """The keyword parameters ``function`` names (``**kwargs`` and positional-only left out)."""
    kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return [p.name for p in inspect.signature(function).parameters.values() if p.kind in kinds]


def check_arguments(
    callable_name: str,
    given: Mapping[str, Any],
    *,
    known: Collection[str],
    kept: Collection[str] = (),
    unsupported: Collection[str] = (),
) -> dict[str, Any]:
    """Check the keyword arguments a definition took beyond its named parameters.

    Args:
        callable_name: what was called, as users write it (``"@asset"``, ``"Definitions"``).
        given: the extra keyword arguments.
        known: the parameters it names (offered as suggestions).
        kept: Dagster arguments accepted as they are; they change nothing in a workbench run.
        unsupported: Dagster arguments workbench cannot honour yet (accepted only when empty).

    Returns:
        The kept arguments, by name.

    Raises:
        TypeError: an argument neither workbench nor Dagster has, with "did you mean".
        DefinitionError: an argument workbench does not support yet, given a value.
    """
    found: dict[str, Any] = {}
    for name, value in given.items():
        if name in kept:
            found[name] = value
        elif name in unsupported:
            if value is None or value is False or value == () or value == [] or value == {}:
                continue
            raise DefinitionError(
                f"{callable_name}: {name}= is not supported by workbench yet; remove it, or "
                "run these definitions on Dagster (export them with target='dagster')"
            )
        else:
            choices = [*known, *kept, *unsupported]
            match = closest(name, choices)
            hint = f"did you mean {match!r}?" if match else f"it takes {', '.join(sorted(known))}"
            raise TypeError(f"{callable_name} got an unexpected keyword argument {name!r}; {hint}")
    return found
