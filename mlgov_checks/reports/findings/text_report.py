"""Text report: `path:line:col: ID message`, grouped by target, with a one-line summary."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from mlgov_checks.findings import Finding, Status, group_by_target, overall_status
from mlgov_checks.reports.findings.context import ReportContext

_COLORS = {Status.FAIL: "31", Status.ERROR: "35", Status.WARN: "33", Status.WAIVED: "36", Status.PASS: "32"}
_LABEL = {Status.FAIL: "fail", Status.ERROR: "error", Status.WARN: "warn", Status.WAIVED: "waived",
          Status.PASS: "pass"}


def _paint(text: str, code: str, on: bool) -> str:
    return f"\033[{code}m{text}\033[0m" if on else text


def summary_line(findings: Sequence[Finding], ctx: ReportContext) -> str:
    counts = Counter(f.status for f in findings)
    targets = len({f.target for f in findings} | set(ctx.targets))
    status = overall_status(findings)
    parts = [f"{counts[Status.PASS]} passed", f"{counts[Status.FAIL]} failed",
             f"{counts[Status.ERROR]} could not be evaluated", f"{counts[Status.WARN]} warnings",
             f"{counts[Status.WAIVED]} waived"]
    head = {"pass": "compliant", "fail": "NOT compliant", "error": "could not evaluate"}[status]  # nosec B105
    code = {"pass": "32", "fail": "31", "error": "35"}[status]  # nosec B105
    noun = "target" if targets == 1 else "targets"
    return f"mlgov {ctx.command}: {_paint(head, code, ctx.color)} — {targets} {noun}; " + ", ".join(parts)


def render(findings: Sequence[Finding], ctx: ReportContext) -> str:
    lines: list[str] = []
    for target, group in group_by_target(findings).items():
        shown = [f for f in group if ctx.verbose or f.status is not Status.PASS]
        if not shown:
            continue
        lines.append(_paint(f"== {target}", "1", ctx.color))
        for f in shown:
            check = _paint(f.check, _COLORS[f.status], ctx.color)
            tag = "" if f.status is Status.FAIL else f" [{_LABEL[f.status]}]"
            lines.append(f"{f.location}: {check} {f.message}{tag}")
            if f.hint and f.status in (Status.FAIL, Status.ERROR, Status.WARN):
                lines.append(f"    fix: {f.hint}")
    lines.append(summary_line(findings, ctx))
    return "\n".join(lines) + "\n"
