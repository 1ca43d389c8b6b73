"""The one place that collects secret values and scrubs them from text (every exit uses it).

:func:`collect_secrets` finds every secret value a run or a display can meet: ``SecretStr``
anywhere (nested config, lists and dicts of them), fields marked ``dagster__is_secret``
(also through ``Annotated`` and inheritance), and anything given as ``EnvVar`` (its value
in the environment). :class:`Scrubber` replaces each of them, in the forms a secret takes
when printed (raw, ``repr``-escaped, JSON-, URL- and HTML-encoded), with the redaction mark.
Run events, errors and metadata, ``context.log``, CLI output, exception displays, widget
outputs and reprs all go through one scrubber.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import urllib.parse
from collections.abc import Iterable, Mapping
from typing import Any

import pydantic
from pydantic import BaseModel, SecretStr

from workbench.core.config import (
    REDACTED,
    EnvVar,
    IntEnvVar,
    is_secret_field,
    mark_secret,
    marked_secret,
)

__all__ = [
    "MIN_SECRET_LENGTH",
    "Scrubber",
    "collect_secrets",
    "mark_secret_paths",
    "scrubber_for",
    "secret_forms",
]

MIN_SECRET_LENGTH = 3
"""Shorter values are not scrubbed: replacing every ``a`` or ``10`` would garble all output."""

_ENV_TYPES = (EnvVar, IntEnvVar)


def collect_secrets(*values: Any, environ: Mapping[str, str] | None = None) -> frozenset[str]:
    """Every secret value held in ``values`` (resources, config, run config, containers).

    Args:
        values: anything a run or a display holds: resources, Config instances, mappings and
            sequences of them.
        environ: where EnvVars are read (``os.environ`` by default).

    Returns:
        The secret texts found (empty ones left out).

    Example:
        >>> from pydantic import SecretStr
        >>> sorted(collect_secrets({"tokens": [SecretStr("abc"), SecretStr("xyz")]}))
        ['abc', 'xyz']
    """
    env = os.environ if environ is None else environ
    found: set[str] = set()
    seen: set[int] = set()

    def visit(value: Any, secret: bool) -> None:
        if isinstance(value, _ENV_TYPES):
            raw = env.get(value.env_var_name)
            if raw:
                found.add(raw)
            return
        if isinstance(value, SecretStr):
            found.add(value.get_secret_value())
            return
        if isinstance(value, pydantic.SecretBytes):
            found.add(value.get_secret_value().decode("utf-8", "replace"))
            return
        if isinstance(value, str):
            if secret:
                found.add(value)
            return
        if isinstance(value, int | float | bytes | type) or value is None:
            return
        if id(value) in seen:
            return
        seen.add(id(value))
        if isinstance(value, BaseModel):
            cls = type(value)
            fields = cls.model_fields
            marked = marked_secret(value)
            for name, item in value.__dict__.items():
                hidden = name in marked or (name in fields and is_secret_field(cls, name))
                visit(item, secret or hidden)
            for item in (value.__pydantic_extra__ or {}).values():
                visit(item, secret)
        elif isinstance(value, Mapping):
            for item in value.values():
                visit(item, secret)
        elif isinstance(value, list | tuple | set | frozenset):
            for item in value:
                visit(item, secret)

    for value in values:
        visit(value, False)
    found.discard("")
    return frozenset(found)


def secret_forms(secret: str) -> set[str]:
    """The texts ``secret`` becomes when printed: raw, escaped and encoded.

    Example:
        >>> sorted(secret_forms("a b"))
        ['a b', 'a%20b', 'a+b']
    """
    forms = {
        secret,
        repr(secret)[1:-1],  # as a repr or an error message quotes it: 'Pa55\\word'
        repr(secret + '"')[1:-2],  # repr with the other quote style
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        urllib.parse.quote(secret, safe=""),
        urllib.parse.quote(secret),
        urllib.parse.quote_plus(secret),
        html.escape(secret),
        html.escape(secret, quote=False),
    }
    escaped = secret.encode("unicode_escape", "backslashreplace").decode("ascii")
    forms.add(escaped)
    return {form for form in forms if form}


class Scrubber:
    r"""Replaces every secret value (in every printed form) with the redaction mark.

    Example:
        >>> scrub = Scrubber(["Pa55\\word"])
        >>> scrub("invalid literal for int(): 'Pa55\\\\word'")
        "invalid literal for int(): '**********'"
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets = frozenset(
            secret for secret in secrets if len(secret) >= MIN_SECRET_LENGTH and secret != REDACTED
        )
        forms = {form for secret in self.secrets for form in secret_forms(secret)}
        ordered = sorted(forms, key=lambda form: (-len(form), form))
        self._pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def __bool__(self) -> bool:
        return self._pattern is not None

    def __call__(self, text: str) -> str:
        """``text`` with every secret replaced by the redaction mark."""
        if self._pattern is None or not text:
            return text
        return self._pattern.sub(REDACTED, text)

    def data(self, value: Any) -> Any:
        """A copy of JSON-like ``value`` (dicts, lists, strings) with every secret replaced."""
        if self._pattern is None:
            return value
        if isinstance(value, str):
            return self(value)
        if isinstance(value, Mapping):
            return {self.data(key): self.data(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.data(item) for item in value]
        if isinstance(value, tuple):
            return tuple(self.data(item) for item in value)
        return value

    def exception(self, exc: BaseException) -> BaseException:
        """Scrub ``exc`` in place: its args, text attributes, notes and chained exceptions.

        What a traceback display shows of an exception comes from these, so after this call a
        notebook or a terminal shows the exception without its secrets. Returns ``exc``.
        """
        if self._pattern is None:
            return exc
        seen: set[int] = set()
        pending: list[BaseException | None] = [exc]
        while pending:
            current = pending.pop()
            if current is None or id(current) in seen:
                continue
            seen.add(id(current))
            self._scrub_one(current)
            pending += [current.__cause__, current.__context__]
            pending += list(getattr(current, "exceptions", ()))
        return exc

    def _scrub_one(self, exc: BaseException) -> None:
        if any(self._holds(arg) for arg in exc.args):
            with contextlib.suppress(AttributeError, TypeError):  # a type that fixes its args
                exc.args = tuple(self.data(arg) for arg in exc.args)
        if isinstance(exc, OSError):
            for name in ("filename", "filename2", "strerror"):
                value = getattr(exc, name, None)
                if isinstance(value, str | os.PathLike) and self._holds(value):
                    setattr(exc, name, self(os.fspath(value)))
        for name, value in list(getattr(exc, "__dict__", {}).items()):
            if self._holds(value):
                with contextlib.suppress(AttributeError, TypeError):  # a read-only property
                    setattr(exc, name, self.data(value))

    def _holds(self, value: Any) -> bool:
        """Whether text in ``value`` (a string, path, or JSON-like container) holds a secret."""
        if self._pattern is None:
            return False
        if isinstance(value, os.PathLike):
            value = os.fspath(value)
        if isinstance(value, str):
            return self._pattern.search(value) is not None
        if isinstance(value, Mapping):
            return any(self._holds(key) or self._holds(item) for key, item in value.items())
        if isinstance(value, list | tuple):
            return any(self._holds(item) for item in value)
        return False


def scrubber_for(*values: Any) -> Scrubber:
    """A scrubber for the secrets in ``values``.

    The front ends (CLI, ``%wb``, widgets) pass what they show: the definitions' resources and
    the resources the notebook's forms bound (the core reads no process-wide state); runs build
    their own from the resources they resolve.
    """
    return Scrubber(collect_secrets(*values))


def mark_secret_paths(resource: BaseModel, paths: Iterable[str]) -> None:
    """Mark the fields at dotted ``paths`` of ``resource`` (and its nested config) secret.

    Only a field holding plain text its class does not already hide is marked.
    """
    for path in paths:
        *parents, name = path.split(".")
        owner: Any = resource
        for part in parents:
            owner = owner.__dict__.get(part) if isinstance(owner, BaseModel) else None
        if not isinstance(owner, BaseModel) or name not in type(owner).model_fields:
            continue
        value = owner.__dict__.get(name)
        # only a plain value that its class does not already hide needs the mark (a mark
        # also makes the instance unequal to an unmarked one)
        plain = isinstance(value, str) and not isinstance(value, _ENV_TYPES)
        if plain and not is_secret_field(type(owner), name):
            mark_secret(owner, [name])
