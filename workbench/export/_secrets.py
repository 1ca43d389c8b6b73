"""Which fields are secret, read from the notebook's code, and the check that keeps them out.

Secrecy is decided from the resolved class where the notebook defines it: fields typed
``SecretStr`` (under any name it is imported as, or through a type alias such as
``Secret = Annotated[str, Field(json_schema_extra={"dagster__is_secret": True})]``), fields
marked ``dagster__is_secret``, and the secret fields of every base class the notebook defines.
Where the class comes from elsewhere, a field whose name looks secret may not be given a
string literal. Export never runs a cell, so this is all read from the syntax tree.
"""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

from workbench.export._names import call_name

if TYPE_CHECKING:
    from collections.abc import Mapping

    from workbench.export._text import ModuleText
    from workbench.export.notebook import Unit

__all__ = ["check_literal_secrets", "looks_secret", "secret_fields"]

SECRET_TYPES = frozenset({"SecretStr", "SecretBytes"})
SECRET_MARK = "dagster__is_secret"

_ENV_VAR_MODULES = frozenset({"wb", "dg", "workbench", "dagster"})
"""Names a module is imported as whose ``EnvVar`` a secret field may be given."""

_SECRET_NAME = re.compile(
    r"(?:^|_)(?:password|passwd|pwd|secret|token|api_?key|passphrase|credentials?|"
    r"private_key|access_key|secret_key)$",
    re.IGNORECASE,
)


def looks_secret(name: str) -> bool:
    """Tell whether a field name looks like it holds a secret (``password``, ``api_key``...).

    Example:
        >>> [looks_secret(name) for name in ("db_password", "token", "token_url", "host")]
        [True, True, False, False]
    """
    return bool(_SECRET_NAME.search(name))


def _mentions(node: ast.AST, names: frozenset[str]) -> bool:
    """Whether ``node`` names a secret type (or alias) or holds the secret mark."""
    for child in ast.walk(node):
        if isinstance(child, ast.Name) and child.id in names:
            return True
        if isinstance(child, ast.Attribute) and child.attr in names:
            return True
        if isinstance(child, ast.Constant) and child.value == SECRET_MARK:
            return True
    return False


def _secret_names(units: list[Unit]) -> frozenset[str]:
    """``SecretStr``, the names it is imported as, and type aliases built on either."""
    names = set(SECRET_TYPES)
    for unit in units:
        for node in ast.walk(unit.node):
            if isinstance(node, ast.ImportFrom):
                names |= {
                    alias.asname
                    for alias in node.names
                    if alias.name in SECRET_TYPES and alias.asname
                }
    aliases = [
        (target.id, unit.node.value)
        for unit in units
        if isinstance(unit.node, ast.Assign | ast.AnnAssign) and unit.node.value is not None
        for target in (
            unit.node.targets if isinstance(unit.node, ast.Assign) else [unit.node.target]
        )
        if isinstance(target, ast.Name)
    ]
    changed = True
    while changed:  # an alias may be built on another alias
        changed = False
        for name, value in aliases:
            if name not in names and _mentions(value, frozenset(names)):
                names.add(name)
                changed = True
    return frozenset(names)


def secret_fields(output: ModuleText) -> dict[str, set[str]]:
    """Class name -> its secret fields, for every class the notebook defines (bases included)."""
    units = output.visible_units()
    names = _secret_names(units)
    own: dict[str, set[str]] = {}
    bases: dict[str, list[str]] = {}
    for unit in units:
        if not isinstance(unit.node, ast.ClassDef):
            continue
        fields = own.setdefault(unit.node.name, set())
        bases[unit.node.name] = [name for base in unit.node.bases if (name := call_name(base))]
        for statement in unit.node.body:
            if (
                isinstance(statement, ast.AnnAssign)
                and isinstance(statement.target, ast.Name)
                and (
                    _mentions(statement.annotation, names)
                    or (statement.value is not None and _mentions(statement.value, names))
                )
            ):
                fields.add(statement.target.id)

    def inherited(name: str, seen: frozenset[str]) -> set[str]:
        found = set(own.get(name, ()))
        for base in bases.get(name, ()):
            if base not in seen:
                found |= inherited(base, seen | {base})
        return found

    return {name: inherited(name, frozenset({name})) for name in own}


def check_literal_secrets(output: ModuleText, secrets: Mapping[str, set[str]]) -> None:
    """Note a problem for every secret field given a value that could spell the secret.

    A secret field of a class the notebook defines may be given ``EnvVar(...)`` (or
    ``wb.EnvVar``, ``dg.EnvVar``, ``EnvVar.int``), ``None``, or a variable not assigned a string;
    anything else would write the secret into the module. The same holds for
    ``Cls.configure_at_launch(...)``, ``resource.model_copy(update={...})`` and the keys of
    ``**{...}``, ``**dict(...)`` and ``**name``. A class defined elsewhere is checked by field
    name: a field that looks secret may not be given a string literal.
    """
    for unit in output.visible_units():
        for node in ast.walk(unit.node):
            if not isinstance(node, ast.Call):
                continue
            owner, given = _owner_and_fields(output, node)
            if owner is None:
                continue
            known = owner in secrets
            fields = secrets.get(owner, set())
            for name, value in given:
                if name is None:
                    if known and fields:
                        output.problem(
                            f"a ** mapping passed to {owner} has a key that is not a string "
                            "literal (or cannot be read without running the notebook), so it "
                            f"may set a secret field ({', '.join(sorted(fields))}); pass those "
                            "fields as keywords",
                            unit,
                            value.lineno,
                        )
                    continue
                if known and name in fields:
                    how = _unsafe_secret(output, value)
                elif not known and looks_secret(name):
                    how = "a literal" if _is_literal(value) else None
                else:
                    continue
                if how is not None:
                    variable = f"{owner}_{name}".upper()
                    kind = "secret field" if known else "field"
                    why = "" if known else ", whose name looks secret,"
                    output.problem(
                        f"{kind} {name!r} of {owner}{why} is {how}; a secret is never "
                        f"exported as a literal: set {variable} and pass "
                        f"{name}=EnvVar({variable!r})",
                        unit,
                        value.lineno,
                    )


def _owner_and_fields(
    output: ModuleText, call: ast.Call
) -> tuple[str | None, list[tuple[str | None, ast.expr]]]:
    """The class a call configures and the fields it sets.

    The calls are ``Cls(...)``, ``Cls.configure_at_launch(...)`` and
    ``resource.model_copy(update={...})``.
    """
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr == "configure_at_launch":
        return call_name(func.value), _given(output, call)
    if isinstance(func, ast.Attribute) and func.attr == "model_copy":
        update = next((k.value for k in call.keywords if k.arg == "update"), None)
        if update is None:
            return None, []
        # a copy of something whose class the code does not tell is checked by field name
        return _class_of(output, func.value) or "Resource", _unpacked(output, update)
    return call_name(call), _given(output, call)


def _class_of(output: ModuleText, value: ast.expr) -> str | None:
    """The class ``value`` is an instance of, as far as its code tells (else None)."""
    if isinstance(value, ast.Name):
        found = output.assignment(value.id)
        value = found[1] if found is not None else value
    if isinstance(value, ast.Call):
        func = value.func
        if isinstance(func, ast.Attribute) and func.attr in {"configure_at_launch", "model_copy"}:
            return (
                _class_of(output, func.value)
                if func.attr == "model_copy"
                else call_name(func.value)
            )
        return call_name(value)
    return call_name(value) if isinstance(value, ast.Name) else None


def _given(output: ModuleText, call: ast.Call) -> list[tuple[str | None, ast.expr]]:
    """The fields a call sets: (name, value), or (None, key) for what cannot be read."""
    given: list[tuple[str | None, ast.expr]] = []
    for keyword in call.keywords:
        if keyword.arg is not None:
            given.append((keyword.arg, keyword.value))
        else:
            given += _unpacked(output, keyword.value)
    return given


def _unpacked(output: ModuleText, mapping: ast.expr) -> list[tuple[str | None, ast.expr]]:
    """What a mapping sets, as far as ``{...}``, ``dict(...)`` or a name assigned one tells."""
    if isinstance(mapping, ast.Name):
        found = output.assignment(mapping.id)
        if found is None or not isinstance(found[1], ast.Dict | ast.Call):
            return [(None, mapping)]
        mapping = found[1]
    if isinstance(mapping, ast.Call) and call_name(mapping) == "dict" and not mapping.args:
        return _given(output, mapping)
    if not isinstance(mapping, ast.Dict):
        return [(None, mapping)]
    given: list[tuple[str | None, ast.expr]] = []
    for key, value in zip(mapping.keys, mapping.values, strict=True):
        if key is None:
            given += _unpacked(output, value)
        elif isinstance(key, ast.Constant) and isinstance(key.value, str):
            given.append((key.value, value))
        else:
            given.append((None, key))
    return given


def _is_env_var(node: ast.expr) -> bool:
    """``EnvVar(...)``, ``wb.EnvVar(...)``, ``dg.EnvVar(...)`` or ``EnvVar.int(...)``."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr == "int":
        func = func.value
    if isinstance(func, ast.Name):
        return func.id == "EnvVar"
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "EnvVar"
        and isinstance(func.value, ast.Name)
        and func.value.id in _ENV_VAR_MODULES
    )


def _unsafe_secret(output: ModuleText, value: ast.expr) -> str | None:
    """How a secret field's value could put the secret in the module, or None if it cannot."""
    if _is_env_var(value) or (isinstance(value, ast.Constant) and value.value is None):
        return None
    if _is_literal(value):
        return "a literal"
    if not isinstance(value, ast.Name):
        return (
            "an expression, not EnvVar(...), None or a variable, so it may hold the secret itself"
        )
    found = output.assignment(value.id)
    if found is not None and _is_literal(found[1]):
        unit, assigned = found
        return f"{value.id}, which is assigned a literal ({unit.where(assigned.lineno)})"
    return None


def _is_literal(node: ast.expr) -> bool:
    """A string or f-string (or any constant), bare or wrapped in ``SecretStr(...)``."""
    if isinstance(node, ast.Call) and call_name(node) in SECRET_TYPES:
        return not node.args or _is_literal(node.args[0])
    if isinstance(node, ast.Constant):
        return node.value is not None
    return isinstance(node, ast.JoinedStr)
