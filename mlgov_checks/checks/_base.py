"""What a check is: a stable id, a title and user-facing explanation; and finding helpers."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mlgov_checks.findings import Finding, Status


@dataclass(frozen=True, slots=True)
class Check:
    """A registered check. `explanation` is what `mlgov explain ID` prints."""

    id: str
    title: str
    explanation: str
    hint: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "explanation", inspect.cleandoc(self.explanation))

    def finding(
        self, status: Status, target: str, message: str, *, file: str | None = None,
        line: int | None = None, column: int | None = None, hint: str | None = None,
    ) -> Finding:
        return Finding(
            check=self.id, status=status, target=target, message=message, file=file,
            line=line, column=column, hint=hint if hint is not None else self.hint,
        )

    def passed(self, target: str, message: str = "ok", **loc: Any) -> Finding:
        return self.finding(Status.PASS, target, message, **loc)

    def failed(self, target: str, message: str, **loc: Any) -> Finding:
        return self.finding(Status.FAIL, target, message, **loc)

    def warned(self, target: str, message: str, **loc: Any) -> Finding:
        return self.finding(Status.WARN, target, message, **loc)

    def errored(self, target: str, message: str, **loc: Any) -> Finding:
        return self.finding(Status.ERROR, target, message, **loc)


def check_from(func: Callable[..., Any], check_id: str, title: str, hint: str | None = None) -> Check:
    """A Check whose explanation is the function's docstring (yamllint renders rule docs alike)."""
    return Check(check_id, title, inspect.cleandoc(func.__doc__ or title), hint)
