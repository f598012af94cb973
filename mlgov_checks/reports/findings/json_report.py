"""JSON report: overall status, counts and every finding (stable keys)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence

from mlgov_checks.findings import Finding, Status, overall_status
from mlgov_checks.reports.findings.context import ReportContext


def render(findings: Sequence[Finding], ctx: ReportContext) -> str:
    counts = Counter(f.status.value for f in findings)
    doc = {
        "tool": {"name": "mlgov-checks", "version": ctx.tool_version},
        "command": ctx.command,
        "status": overall_status(findings),
        "policy": ctx.policy_source,
        "summary": {s.value: counts.get(s.value, 0) for s in Status},
        "targets": list(dict.fromkeys([*ctx.targets, *(f.target for f in findings)])),
        "findings": [f.to_dict() for f in findings],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
