"""The one result model: every check yields Findings; exit codes derive from them."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from typing import Any


class Status(str, enum.Enum):
    PASS = "pass"  # noqa: S105  # nosec B105 - a status, not a password
    FAIL = "fail"
    WARN = "warn"
    ERROR = "error"
    WAIVED = "waived"


@dataclass(frozen=True, slots=True)
class Finding:
    """One check's verdict on one target (a card file, a run, a model version)."""

    check: str
    status: Status
    target: str
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    hint: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["status"] = self.status.value
        return d

    def with_message(self, message: str) -> Finding:
        """The same finding saying `message`; built directly (`replace` costs twice as much, and a
        thousand JSON cards say how they were read in twelve thousand findings)."""
        return Finding(self.check, self.status, self.target, message, self.file, self.line, self.column, self.hint)

    def with_status(self, status: Status, message: str | None = None) -> Finding:
        return replace(self, status=status, message=message or self.message)

    @property
    def location(self) -> str:
        """`file:line:col` (or less) when a file is known, else the target."""
        if not self.file:
            return self.target
        loc = self.file
        if self.line:
            loc += f":{self.line}"
            if self.column:
                loc += f":{self.column}"
        return loc


def overall_status(findings: Iterable[Finding]) -> str:
    """`error` beats `fail` beats `pass`; warn and waived never fail a build."""
    statuses = {f.status for f in findings}  # precedence decided here and nowhere else
    if Status.ERROR in statuses:
        return "error"
    if Status.FAIL in statuses:
        return "fail"
    return "pass"


def exit_code(findings: Iterable[Finding]) -> int:
    return {"error": 3, "fail": 1, "pass": 0}[overall_status(findings)]  # nosec B105


def group_by_target(findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    groups: dict[str, list[Finding]] = {}
    for f in findings:
        groups.setdefault(f.target, []).append(f)
    return groups
