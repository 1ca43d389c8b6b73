"""Config whose types fit but whose Config class refuses the values (validators, constraints).

Dagster checks run config against its schema (types, required fields) and raises
``DagsterInvalidConfigError``; the Config class's own validators and ``Field(gt=...)``
constraints run later and raise pydantic's ``ValidationError``. workbench checks both before
anything runs; when only the class's own checks refused, the error it raises is both, so
``except ValidationError`` and ``except DagsterInvalidConfigError`` each catch it (see #12).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from workbench.errors import (
    ConfigError,
    DagsterInvalidConfigError,
    DagsterResourceFunctionError,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "ConfigValidationError",
    "ResourceConfigRefusedError",
    "resource_config_error",
    "run_config_error",
]

# pydantic's error types of validators and constraints: Dagster's schema check never sees them
_VALUE_CHECKS = frozenset(
    {
        "assertion_error",
        "value_error",
        "greater_than",
        "greater_than_equal",
        "less_than",
        "less_than_equal",
        "multiple_of",
        "finite_number",
        "string_too_short",
        "string_too_long",
        "string_pattern_mismatch",
        "too_short",
        "too_long",
    }
)


class _FieldErrors(list[tuple[str, str]]):
    """``(path, message)`` pairs, as on every ConfigError; called, pydantic's error dicts."""

    def __init__(self, pairs: Sequence[tuple[str, str]], source: ValidationError) -> None:
        super().__init__(pairs)
        self._source = source

    def __call__(self, **options: Any) -> list[Any]:
        """What ``ValidationError.errors()`` returns (the same keyword options)."""
        return list(ValidationError.errors(self._source, **options))


class ConfigValidationError(DagsterInvalidConfigError, ValidationError):  # type: ignore[misc]
    """Run config refused by its Config class's validators or constraints.

    A :class:`DagsterInvalidConfigError` with workbench's message, and a pydantic
    ``ValidationError`` (``errors()`` gives pydantic's dicts), as Dagster raises there.
    """

    def __init__(self, *_args: Any, **_options: Any) -> None:
        # made by ValidationError.from_exception_data, which passes pydantic's arguments
        pass

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class ResourceConfigRefusedError(DagsterInvalidConfigError, DagsterResourceFunctionError):
    """A resource's run config refused by the resource class's validators or constraints.

    Dagster builds the resource when it sets it up and raises ``DagsterResourceFunctionError``;
    workbench checks it before anything runs, so this is both (``run_id`` is empty: no run
    started).
    """

    def __init__(self, message: str, errors: Sequence[tuple[str, str]] = ()) -> None:
        # the two bases take different arguments: set what each one keeps
        Exception.__init__(self, message)
        self.errors = list(errors)
        self.run_id = ""
        self.step = None


def _only_values_refused(error: ConfigError) -> bool:
    source = error.validation_error
    return isinstance(source, ValidationError) and all(
        item["type"] in _VALUE_CHECKS for item in source.errors()
    )


def run_config_error(
    header: str, errors: Sequence[tuple[str, str]], refused: Sequence[ConfigError] = ()
) -> DagsterInvalidConfigError:
    """One error listing every problem of a run's config.

    Args:
        header: the first line.
        errors: every ``(path, message)`` problem.
        refused: the errors of Config classes that were built, when each one is all the
            problems of its class; when they are every problem and only validators and
            constraints refused, the error is a :class:`ConfigValidationError`.
    """
    if not _all_refused_by_values(errors, refused):
        return DagsterInvalidConfigError.from_errors(header, errors)
    details: list[InitErrorDetails] = [
        {
            "type": PydanticCustomError(item["type"], item["msg"]),
            "loc": item["loc"],
            "input": item["input"],
        }
        for error in refused
        for item in error.validation_error.errors(include_url=False)
    ]
    title = refused[0].validation_error.title
    error = ConfigValidationError.from_exception_data(title, details)
    error.args = (DagsterInvalidConfigError.from_errors(header, errors).args[0],)
    error.errors = _FieldErrors(errors, error)
    return error


def resource_config_error(
    header: str, errors: Sequence[tuple[str, str]], refused: Sequence[ConfigError] = ()
) -> DagsterInvalidConfigError:
    """As :func:`run_config_error`, for resources' config.

    The error is a :class:`ResourceConfigRefusedError` when only the resource classes'
    validators and constraints refused.
    """
    if _all_refused_by_values(errors, refused):
        return ResourceConfigRefusedError.from_errors(header, errors)
    return DagsterInvalidConfigError.from_errors(header, errors)


def _all_refused_by_values(
    errors: Sequence[tuple[str, str]], refused: Sequence[ConfigError]
) -> bool:
    covered = sum(len(error.errors) for error in refused)
    return bool(refused) and covered == len(errors) and all(map(_only_values_refused, refused))
