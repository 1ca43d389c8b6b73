"""The exceptions workbench raises on purpose.

Everything raised on purpose derives from :class:`WorkbenchError`::

    WorkbenchError
    ├── DefinitionError      definitions that cannot work together (keys, cycles, bindings)
    │   ├── DagsterInvalidDefinitionError
    │   └── DefinitionNotFoundError        no job, sensor, schedule or asset of that name
    ├── ConfigError          invalid config, also a ValueError (one line per field path)
    │   ├── DagsterInvalidConfigError      run config or launch config that does not fit
    │   └── UnresolvedEnvVarError          an EnvVar read as a value, also a RuntimeError
    ├── ExecutionError       a run failed (run id, step; the user's error is __cause__)
    │   └── DagsterResourceFunctionError   a resource's setup failed
    ├── DagsterInvalidInvocationError      a definition called the wrong way
    ├── DagsterInvariantViolationError     an API used in a state where it cannot work
    ├── StorageError         the run store, value store or saved edits cannot be used
    ├── ExportError          a notebook cannot be exported (path, cell, line)
    └── MissingExtraError    an optional package is missing, also an ImportError

Messages say what failed, where, and how to fix it. The ``Dagster*`` names are Dagster's own,
so that code written for ``import dagster as dg`` catches with the same ``except`` clauses;
``DagsterError`` is another name for :class:`WorkbenchError`. Run config that only a Config
class's validators or constraints refuse raises a ``DagsterInvalidConfigError`` that is also
what Dagster raises there (``workbench.core._refused``): pydantic's ``ValidationError`` for op
config, ``DagsterResourceFunctionError`` for resource config.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

__all__ = [
    "DISTRIBUTION",
    "ConfigArgumentWarning",
    "ConfigError",
    "DagsterError",
    "DagsterInvalidConfigError",
    "DagsterInvalidDefinitionError",
    "DagsterInvalidInvocationError",
    "DagsterInvariantViolationError",
    "DagsterResourceFunctionError",
    "DefinitionError",
    "DefinitionNotFoundError",
    "ExecutionError",
    "ExportError",
    "MissingExtraError",
    "StorageError",
    "UnresolvedEnvVarError",
    "WorkbenchError",
]


DISTRIBUTION = "dagster-workbench"
"""The distribution to install (``pip install dagster-workbench``); it is imported as workbench."""


class WorkbenchError(Exception):
    """Base class of every error workbench raises on purpose."""


class DefinitionError(WorkbenchError):
    """Definitions that cannot work: a missing resource, a cycle, a duplicate key.

    Attributes:
        problems: one line per problem, in the order they were found.
    """

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)

    @classmethod
    def from_problems(cls, header: str, problems: Iterable[str]) -> DefinitionError:
        """Build one error that lists every problem under a header line."""
        found = list(problems)
        body = "\n".join(f"  {line}" for line in found)
        return cls(f"{header}\n{body}" if found else header, found)


class ConfigError(WorkbenchError, ValueError):
    """Invalid config: every invalid field with its path, the bad value and a fix.

    Attributes:
        errors: ``(field path, message)`` pairs; the path is dotted (``creds.password``).
        validation_error: pydantic's error this one was made from, if any.
    """

    validation_error: Any = None

    def __init__(self, message: str, errors: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(message)
        self.errors = list(errors)

    @classmethod
    def from_errors(cls, header: str, errors: Sequence[tuple[str, str]]) -> Self:
        """Build one error with a header and one ``path: message`` line per field."""
        lines = [f"  {path}: {text}" if path else f"  {text}" for path, text in errors]
        return cls("\n".join([header, *lines]), errors)


class ExecutionError(WorkbenchError):
    """A run failed; the user's exception is the ``__cause__``.

    Attributes:
        run_id: the run that failed.
        step: the step (asset or op) that raised, if any.
    """

    def __init__(self, message: str, *, run_id: str, step: str | None = None) -> None:
        super().__init__(message)
        self.run_id = run_id
        self.step = step


class DagsterInvalidDefinitionError(DefinitionError):
    """A definition that cannot work, raised where Dagster raises its error of this name."""


class DagsterInvalidConfigError(ConfigError):
    """Run config or launch config that does not fit its schema (Dagster's name)."""


class UnresolvedEnvVarError(ConfigError, RuntimeError):
    """An EnvVar used as its value (``str(EnvVar("X"))``, ``int(EnvVar.int("X"))``).

    Dagster raises ``RuntimeError`` there; this is one, and a :class:`ConfigError`.
    """


class DagsterResourceFunctionError(ExecutionError):
    """A resource's setup (``setup_for_execution``, ``create_resource``...) raised."""


class DagsterInvalidInvocationError(WorkbenchError):
    """A definition was called the wrong way, e.g. an op without a context it needs."""


class DagsterInvariantViolationError(WorkbenchError):
    """An API was used in a state where it cannot work (Dagster's name)."""


class DefinitionNotFoundError(DefinitionError, DagsterInvariantViolationError):
    """No job, sensor, schedule or asset has the name asked for (``defs.get_job_def(...)``).

    Dagster raises ``DagsterInvariantViolationError`` there; this is one, and a
    :class:`DefinitionError`.
    """


DagsterError = WorkbenchError


class ConfigArgumentWarning(SyntaxWarning):
    """A step parameter typed with a Config class is not named ``config`` (Dagster's name)."""


class StorageError(WorkbenchError):
    """The run store, the value store or the saved edits cannot be read or written."""


class ExportError(WorkbenchError):
    """A notebook cannot be exported (or a module cannot become a notebook).

    Attributes:
        path: the notebook or module.
        cell: the cell number as users see it (1-based), if the problem is in one.
        line: the line inside that cell (1-based), if known.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        cell: int | None = None,
        line: int | None = None,
    ) -> None:
        super().__init__(message)
        self.path = path
        self.cell = cell
        self.line = line


class MissingExtraError(WorkbenchError, ImportError):
    """An optional package is missing; the message names the pip command that installs it."""

    def __init__(self, feature: str, package: str, extra: str | None = None) -> None:
        install = f"{DISTRIBUTION}[{extra}]" if extra else package
        super().__init__(f"{feature} needs {package}; run: pip install '{install}'")
        self.package = package
        self.extra = extra
