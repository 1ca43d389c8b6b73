"""What a form says about its values: the class's verdict, errors by field, notes after Apply."""

from __future__ import annotations

import html
import os
from typing import TYPE_CHECKING, Any

from workbench.core.config import Config
from workbench.core.fields import literal_values
from workbench.core.resolve import resolve
from workbench.errors import ConfigError
from workbench.widgets._controls import error_html
from workbench.widgets._editors import drop_under
from workbench.widgets._form_values import flatten, is_env

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Mapping, Sequence

    from workbench.core.fields import FieldSpec
    from workbench.widgets._controls import Kit

__all__ = [
    "PLACEHOLDER",
    "FormNotes",
    "apply_head",
    "apply_warnings",
    "class_problems",
    "place_problems",
    "specs_by_path",
    "unset_variables",
]

PLACEHOLDER = "0"
"""What an unset environment variable reads as while a form checks the class's validators."""


def unset_variables(resource: Any, is_set: Callable[[str], bool]) -> dict[str, str]:
    """Field path -> the name of each environment variable ``resource`` reads that is not set."""
    return {
        path: value["env"]
        for path, value in flatten(literal_values(resource)).items()
        if is_env(value) and not is_set(value["env"])
    }


def class_problems(
    candidate: Any, resource_key: str, is_set: Callable[[str], bool]
) -> list[tuple[str, str]]:
    """What the class's own validators say about ``candidate`` with its EnvVars read.

    A value given as an EnvVar waits for the run; here it is read from the environment
    (an unset variable reads as a placeholder, and errors about it are left out) so that
    field and model validators judge every other value as the user types.
    """
    if not isinstance(candidate, Config) or not candidate._has_env:
        return []
    unset = unset_variables(candidate, is_set)
    environ = dict(os.environ)
    environ.update(dict.fromkeys(unset.values(), PLACEHOLDER))
    try:
        resolve(candidate, f"resource {resource_key!r}", environ)
    except ConfigError as exc:
        return drop_under(list(exc.errors), list(unset))
    return []


def place_problems(
    problems: Sequence[tuple[str, str]], paths: Collection[str], scrub: Callable[[str], str]
) -> dict[str, str]:
    """Each problem beside the nearest field shown (``""``: the whole resource), scrubbed."""
    placed: dict[str, list[str]] = {}
    for path, text in problems:
        target = path
        while target and target not in paths:
            target = target.rpartition(".")[0]
        rest = path[len(target) :].lstrip(".")
        text = f"{rest}: {text}" if rest and target else (f"{path}: {text}" if rest else text)
        placed.setdefault(target, []).append(scrub(text))
    return {path: "; ".join(texts) for path, texts in placed.items()}


def apply_warnings(
    resource_key: str, typed_secrets: Sequence[str], unset: Mapping[str, str]
) -> list[str]:
    """What Apply cannot do: keep a typed secret out of saved config, or read a variable."""
    warnings = []
    for path in typed_secrets:
        variable = f"{resource_key}_{path}".upper().replace(".", "_").replace("-", "_")
        warnings.append(
            f"{path}: the secret typed here is used in this session only and is not saved; "
            f"set {variable} in the environment and choose 'environment variable' to keep it"
        )
    warnings += [
        f"{path}: {name} is not set, so the next run will fail unless it is set "
        f"(set {name} in the kernel's environment, or give {path} a value)"
        for path, name in unset.items()
    ]
    return warnings


def apply_head(unset: Mapping[str, str]) -> str:
    """The first line after Apply: in force, and whether the next run can read its variables."""
    if not unset:
        return "applied: the next run uses this config"
    names = sorted(set(unset.values()))
    verb = "is" if len(names) == 1 else "are"
    return f"applied, but the next run fails unless {', '.join(names)} {verb} set"


def specs_by_path(specs: Sequence[FieldSpec]) -> dict[str, FieldSpec]:
    """Every spec of ``specs`` and their children, by dotted path."""
    found: dict[str, FieldSpec] = {}
    for spec in specs:
        found[spec.path] = spec
        found.update(specs_by_path(spec.children))
    return found


class FormNotes:
    """The notes under a form's buttons: what Apply did, an error, or unapplied edits.

    Attributes:
        widget: the HTML the notes are shown in.
        kind: what is shown: ``applied``, ``reset``, ``dirty`` (unapplied edits), ``error``,
            or ``""`` (nothing).
    """

    def __init__(self, kit: Kit) -> None:
        self.widget = kit.html()
        self.kind = ""

    def show(self, notes: Sequence[str], kind: str, *, warning: bool = False) -> None:
        """Show ``notes``, one a line (as a warning when ``warning``)."""
        self.kind = kind
        text = "<br>".join(html.escape(note) for note in notes)
        self.widget.value = f"<span class='wb-warning'>{text}</span>" if warning else text

    def show_error(self, text: str) -> None:
        """Show one error."""
        self.widget.value = error_html(text)
        self.kind = "error"

    def mark_unapplied(self, unapplied: bool) -> None:
        """Say when the form holds edits not in force (instead of an earlier "applied")."""
        if unapplied:
            if self.kind != "dirty":
                self.widget.value = (
                    "<span class='wb-unapplied'>● unapplied changes: Apply puts them in force, "
                    "Reset drops them</span>"
                )
                self.kind = "dirty"
        elif self.kind == "dirty":
            self.widget.value = ""
            self.kind = ""
