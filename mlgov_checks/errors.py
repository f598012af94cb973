"""Errors that stop a command, each carrying the exit code it maps to."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlgov_checks.findings import Finding


class MlgovError(Exception):
    """Base error: a message for the user, never a traceback."""

    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"


class UsageError(MlgovError):
    """Bad command-line usage (exit 2)."""


class PolicyError(MlgovError):
    """The policy file is malformed or invalid (exit 2)."""

    def __init__(
        self, message: str, *, file: str | None = None, line: int | None = None,
        column: int | None = None, hint: str | None = None,
    ) -> None:
        loc = ""
        if file:
            loc = file + (f":{line}" if line else "") + (f":{column}" if line and column else "") + ": "
        super().__init__(loc + message, hint=hint)
        self.file, self.line, self.column = file, line, column


class MissingExtraError(MlgovError):
    """An optional dependency is not installed (exit 2)."""


class EvaluationError(MlgovError):
    """The target could not be evaluated: server down, auth refused, not found, timeout (exit 3)."""

    exit_code = 3
    code: str | None = None  # MLflow's error code behind it, when there was one
    status: int | None = None  # the HTTP status behind it, when there was one


class NotFoundError(EvaluationError):
    """What was asked for does not exist on the server (a run, a version, an alias, an artifact)."""


class UnreachableError(EvaluationError):
    """The tracking server did not answer usefully: every further call would fail the same way."""

    reason = "tracking server unreachable"


class RepositoryError(EvaluationError):
    """The path is not a git repository, or git could not read it (exit 3: could not evaluate)."""


class SemverError(ValueError):
    """Text that is not a semantic version."""


class ActionInputError(Exception):
    """A GitHub Action input has a value the action does not accept."""


class CardRejectedError(MlgovError):
    """The model card fails the card checks: it was not logged (exit 1)."""

    exit_code = 1

    def __init__(self, message: str, findings: list[Finding]) -> None:
        super().__init__(message, hint="fix the card, then check it with: mlgov card PATH")
        self.findings = findings
