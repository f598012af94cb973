"""Runs check families over subjects and finishes the findings (waivers); never prints."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from mlgov_checks.findings import Finding
from mlgov_checks.policy import Policy


def finalize(findings: Sequence[Finding], policy: Policy, *, today: dt.date | None = None) -> list[Finding]:
    """Apply the policy's waivers: the one place a finding's status may change after a check."""
    from mlgov_checks.checks import waivers

    return waivers.apply(list(findings), policy, today=today or dt.date.today())
