"""What a governance action found and did, and the reads and words approve, promote and record share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mlgov_checks.errors import EvaluationError
from mlgov_checks.findings import Finding, Status, overall_status
from mlgov_checks.records import ModelVersionRecord

if TYPE_CHECKING:
    from mlgov_checks.backend import FetchSpec, Reader, Resolved
    from mlgov_checks.checks._base import Check

PROBLEMS = (Status.FAIL, Status.ERROR)


@dataclass(frozen=True)
class Outcome:
    """What an action found (refusals are FAIL findings) and what it wrote, or would write."""

    findings: list[Finding]
    actions: list[str] = field(default_factory=list)
    targets: tuple[str, ...] = ()

    @property
    def refused(self) -> bool:
        return any(f.status in PROBLEMS for f in self.findings)


def refuse(check: Check, target: str, message: str) -> Outcome:
    return Outcome([check.failed(target, message)], targets=(target,))


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def gate_summary(findings: Sequence[Finding]) -> str:
    counts = {s: sum(1 for f in findings if f.status is s) for s in Status}
    return (f"{overall_status(findings)}: {counts[Status.PASS]} passed, {counts[Status.FAIL]} failed, "
            f"{counts[Status.ERROR]} errors, {counts[Status.WARN]} warnings, {counts[Status.WAIVED]} waived")


def fetch_version(reader: Reader, target: str, spec: FetchSpec | None = None) -> tuple[ModelVersionRecord, Resolved]:
    """One model version and its run (with what `spec` asks besides); exit 3 when it cannot be read.

    Returns the record and the reader's answer, so a gate can judge it without fetching it again.
    """
    from mlgov_checks.backend import FetchSpec
    from mlgov_checks.targets import parse_model_version

    (found,) = reader.resolve([parse_model_version(target)], spec or FetchSpec())
    if not isinstance(found.record, ModelVersionRecord):
        raise EvaluationError(found.error or f"{target}: could not be read", hint=found.hint)
    return found.record, found
