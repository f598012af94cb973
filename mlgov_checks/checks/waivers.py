"""Waiver checks (being built)."""

from __future__ import annotations

import datetime as dt

from mlgov_checks.checks._base import Check
from mlgov_checks.findings import Finding
from mlgov_checks.policy import Policy

CHECKS: tuple[Check, ...] = ()


def apply(findings: list[Finding], policy: Policy, *, today: dt.date) -> list[Finding]:
    return findings
