"""Classes the notebook imports, read from their modules' source without importing them.

A form edit of a field typed with an Enum another module defines is written as the member
(``Region.EU``), as for an Enum the notebook defines (#13). Export never runs code: the
module is found on the path as the import system would find it, and parsed.
"""

from __future__ import annotations

import ast
import importlib.machinery
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["find_class", "search_path"]

_MAX_HOPS = 5
"""How many re-exports (``from .enums import Region`` in a package) are followed."""


def search_path(notebook_path: str) -> tuple[str, ...]:
    """Where a notebook's imports are found: its own folder, then ``sys.path``."""
    return (str(Path(notebook_path).resolve().parent), *sys.path)


def _parsed(module: str, search: tuple[str, ...]) -> tuple[ast.Module, bool] | None:
    """A module's parsed source and whether it is a package, or None if it has no source."""
    locations: Sequence[str] | None = list(search)
    spec = None
    parts = module.split(".")
    for index in range(len(parts)):
        spec = importlib.machinery.PathFinder.find_spec(".".join(parts[: index + 1]), locations)
        if spec is None:
            return None
        locations = spec.submodule_search_locations
    origin = spec.origin if spec is not None else None
    if origin is None or not origin.endswith(".py"):
        return None
    try:
        tree = ast.parse(Path(origin).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return None
    return tree, spec is not None and spec.submodule_search_locations is not None


def _source_of(statement: ast.ImportFrom, module: str, is_package: bool) -> str | None:
    """The absolute module a ``from ... import`` in ``module`` reads from."""
    if statement.level == 0:
        return statement.module
    package = module.split(".") if is_package else module.split(".")[:-1]
    up = statement.level - 1
    if up >= len(package):
        return None
    base = package[: len(package) - up]
    return ".".join([*base, *([statement.module] if statement.module else [])])


def find_class(
    module: str, name: str, search: tuple[str, ...], hops: int = 0
) -> tuple[ast.ClassDef, str] | None:
    """The class ``name`` of ``module`` and the module that defines it, following imports.

    Args:
        module: the module's absolute name.
        name: the name the class has there.
        search: where modules are found (:func:`search_path`).
        hops: re-exports followed so far.
    """
    found = _parsed(module, search)
    if found is None or hops > _MAX_HOPS:
        return None
    tree, is_package = found
    for statement in tree.body:
        if isinstance(statement, ast.ClassDef) and statement.name == name:
            return statement, module
    for statement in tree.body:
        if not isinstance(statement, ast.ImportFrom):
            continue
        for alias in statement.names:
            if (alias.asname or alias.name) == name:
                source = _source_of(statement, module, is_package)
                if source is not None:
                    return find_class(source, alias.name, search, hops + 1)
    return None
