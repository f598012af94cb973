"""Runs check families over subjects and finishes the findings (waivers); never prints."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence

from mlgov_checks.findings import Finding
from mlgov_checks.policy import Policy


def finalize(findings: Sequence[Finding], policy: Policy, *, today: dt.date | None = None,
             names: Mapping[str, Sequence[str]] | None = None) -> list[Finding]:
    """Apply the policy's waivers: the one place a finding's status may change after a check.

    `names`: target -> the other names it was requested by (alias, latest), for waivers naming those.
    """
    if not policy.section("waivers"):
        return list(findings)
    from mlgov_checks.checks import waivers

    return waivers.apply(list(findings), policy, today=today or dt.date.today(), names=names)


CARD_NAMES = ("model_card.yaml", "model_card.yml")
_SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".mypy_cache", "site-packages"}


def discover_cards(cwd: str | None = None) -> list[str]:
    """The model cards git tracks under `cwd`; outside git, a walk that skips hidden and vendored dirs."""
    from mlgov_checks import gitrepo

    base = cwd or os.getcwd()
    tracked = gitrepo.tracked_files(CARD_NAMES, base)
    if tracked is not None:
        return tracked
    found: list[str] = []
    for root, dirs, files in os.walk(base):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
        found.extend(os.path.relpath(os.path.join(root, f), base) for f in sorted(files) if f in CARD_NAMES)
    return found


def run_cards(paths: Sequence[str], policy: Policy) -> list[Finding]:
    """Card checks on every file, in order; findings for each file, never an exception for bad input."""
    from mlgov_checks.checks import card

    findings: list[Finding] = []
    for path in paths:
        findings.extend(card.check_file(path, policy))
    return finalize(findings, policy)
