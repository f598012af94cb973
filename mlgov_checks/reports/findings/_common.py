"""Helpers the reporters share: masked findings, status ordering, target order."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from mlgov_checks.findings import Finding, Status
from mlgov_checks.reports.findings.context import ReportContext
from mlgov_checks.secrets import mask, masker

if TYPE_CHECKING:
    from mlgov_checks.reports.findings.locations import RepoLayout

# Worst first: what a group of findings (one check on one target) reports as its status.
SEVERITY = (Status.ERROR, Status.FAIL, Status.WARN, Status.WAIVED, Status.PASS)


# C0 controls other than TAB, LF and CR (and DEL): terminal escapes that could hide or recolour text
# in a CI log, and characters XML 1.0 cannot carry at all.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def visible(text: str, _mask: Callable[[str], str] | None = None) -> str:
    """Credentials masked, control characters shown as `\\xNN`."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", (_mask or mask)(text))


def masked(findings: Sequence[Finding], m: Callable[[str], str] | None = None) -> list[Finding]:
    """The findings, every free-text field passed through `visible` (messages may quote URIs)."""
    m = m or masker()  # the environment read once, each distinct text masked once
    seen: dict[str, str] = {}  # targets, paths and messages repeat across thousands of findings

    def v(text: str | None) -> str | None:
        if not text:
            return text
        shown = seen.get(text)
        if shown is None:
            shown = seen[text] = visible(text, m)
        return shown

    out = []
    for f in findings:
        target, message, file, hint = v(f.target), v(f.message), v(f.file), v(f.hint)
        same = target == f.target and message == f.message and file == f.file and hint == f.hint
        out.append(f if same else replace(f, target=target or "", message=message or "", file=file, hint=hint))
    return out


def worst(statuses: Iterable[Status]) -> Status:
    present = set(statuses)
    return next((s for s in SEVERITY if s in present), Status.PASS)


def targets_in_order(findings: Sequence[Finding], declared: Sequence[str]) -> list[str]:
    """Every evaluated target once: the declared ones first (even without findings), then the rest."""
    return list(dict.fromkeys([*declared, *(f.target for f in findings)]))


def layout_of(ctx: ReportContext) -> RepoLayout:
    """The context's repository layout (`prepare` sets it; a renderer called directly finds it)."""
    if ctx.layout is not None:
        return ctx.layout
    import os

    from mlgov_checks.reports.findings.locations import discover

    return discover(cwd=os.getcwd(), env=os.environ, policy_file=ctx.policy_source)
