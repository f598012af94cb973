"""Markdown report: a headline verdict, then per target a table of check, status and message.

The GitHub job summary is this report; it also reads well as a pull-request comment or a file.
No raw HTML (renderers that strip it would drop it): a cell's parts are joined with ` · `, each
value escaped by `reports/tables.md_escape` (a finding's text brings no HTML, link or image), and
`at` names the repository file a finding points at (`locations.py`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from mlgov_checks.findings import Finding, Status, group_by_target, overall_status
from mlgov_checks.reports.findings._common import SEVERITY, layout_of, targets_in_order, worst
from mlgov_checks.reports.findings.context import ReportContext
from mlgov_checks.reports.findings.locations import Location, locate
from mlgov_checks.reports.tables import md_escape as escape

LABEL = {Status.PASS: "✅ pass", Status.FAIL: "❌ fail", Status.ERROR: "❗ error",
         Status.WARN: "⚠️ warn", Status.WAIVED: "🔕 waived"}
_HEADLINE = {"pass": "✅ {cmd}: compliant", "fail": "❌ {cmd}: NOT compliant",  # nosec B105
             "error": "❗ {cmd}: could not evaluate"}
def counts_line(findings: Sequence[Finding], n_targets: int) -> str:
    c = Counter(f.status for f in findings)
    parts = [_plural(n_targets, "target"), f"{c[Status.PASS]} passed", f"{c[Status.FAIL]} failed",
             f"{c[Status.ERROR]} could not be evaluated", _plural(c[Status.WARN], "warning"),
             f"{c[Status.WAIVED]} waived"]
    return " · ".join(parts)


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _message(f: Finding, loc: Location) -> str:
    parts = [escape(f.message)]
    if f.file and loc.uri and (loc.uri != f.target or loc.line):  # not for an anchor of a target
        parts.append(f"at {escape(loc.text)}")
    if f.file and loc.logical and f.file != f.target:
        parts.append(f"in {escape(f.location)}")
    if f.hint and f.status in (Status.FAIL, Status.ERROR, Status.WARN):
        parts.append(f"fix: {escape(f.hint)}")
    return " · ".join(parts)


def render(findings: Sequence[Finding], ctx: ReportContext) -> str:
    shown = findings
    layout = layout_of(ctx)
    targets = targets_in_order(shown, ctx.targets)
    headline = _HEADLINE[overall_status(shown)].format(cmd=f"mlgov {ctx.command}")
    lines = [f"## {headline}", "", counts_line(shown, len(targets)), ""]
    groups = group_by_target(shown)
    for target in targets:
        group = sorted(groups.get(target, []), key=lambda f: SEVERITY.index(f.status))
        status = worst(f.status for f in group)
        lines += [f"### {LABEL[status]} · {escape(target, newline=' ')}", ""]
        if not group:
            lines += ["No checks ran on this target.", ""]
            continue
        lines += ["| Check | Status | Message |", "| --- | --- | --- |"]
        lines += [f"| {escape(f.check)} | {LABEL[f.status]} | {_message(f, locate(f, layout))} |" for f in group]
        lines.append("")
    foot = f"mlgov-checks {escape(ctx.tool_version)}"
    if ctx.policy_source:
        foot += f" · policy {escape(ctx.policy_source)}"
    lines.append(f"_{foot}_")
    return "\n".join(lines) + "\n"
