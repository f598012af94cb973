"""What the audit page shows, computed from an Audit: verdict, charts, timeline, findings per version."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mlgov_checks.checks import approvals
from mlgov_checks.checks.metrics import threshold_problems
from mlgov_checks.findings import Finding, Status, overall_status
from mlgov_checks.governance.stages import production_of
from mlgov_checks.policy.load import Policy, default_policy
from mlgov_checks.records import ModelVersionRecord
from mlgov_checks.reports.pages.audit import Audit
from mlgov_checks.reports.pages.charts import Point, metric_chart
from mlgov_checks.reports.pages.timeline import Event, events


@dataclass(frozen=True)
class Line:
    """One finding as the page lists it."""

    status: str  # pass | fail | warn | error | waived
    check: str
    message: str


@dataclass(frozen=True)
class VersionView:
    row: Mapping[str, Any]
    record: ModelVersionRecord | None
    lines: tuple[Line, ...]
    verdict: str  # pass | fail | error, or "" when nothing was checked
    anchor: str


@dataclass(frozen=True)
class AuditView:
    audit: Audit
    verdict: str  # compliant | not compliant | could not evaluate | not evaluated | bypassed
    production: tuple[tuple[str, str, str], ...]  # (label, version, its status now or recorded)
    charts: tuple[tuple[str, str], ...]  # (metric, svg)
    timeline: tuple[Event, ...]
    versions: tuple[VersionView, ...]
    policy_source: str
    policy_sha256: str


def _local_lines(row: Mapping[str, Any], record: ModelVersionRecord | None, policy: Policy) -> list[Line]:
    """Without --evaluate: what the audit itself can judge (thresholds, approvals, bypasses)."""
    lines = []
    for name, bounds in policy.section("metrics")["thresholds"].items():
        problems = threshold_problems(name, row["metrics"].get(name), bounds)
        lines += [Line("fail", "metrics-threshold", p) for p in problems]
        if not problems:
            lines.append(Line("pass", "metrics-threshold", f"{name}={row['metrics'][name]:g} within {bounds}"))
    if record is not None:
        counted, notes = approvals.valid_approvals(record, policy, content=record.model_digest is not None)
        lines += [Line("pass", "approval-valid", f"approved by {a.approver} at {a.time}: {a.comment}")
                  for a in counted]
        lines += [Line("warn", "approval-ignored", n) for n in notes]
    lines += [Line("fail", "audit-bypass", f"{dest} points here with no recorded `mlgov promote` decision")
              for dest in row["bypassed"]]
    return lines


def _gate_lines(found: Sequence[Finding], row: Mapping[str, Any]) -> list[Line]:
    lines = [Line(f.status.value, f.check, f.message) for f in found]
    lines += [Line("fail", "audit-bypass", f"{dest} points here with no recorded `mlgov promote` decision")
              for dest in row["bypassed"]]
    return lines


def _verdict(lines: Sequence[Line]) -> str:
    """The version's own verdict; a bypass is about a move, reported beside it, not a check of the version."""
    fake = [Finding(ln.check, Status(ln.status), "", ln.message) for ln in lines if ln.check != "audit-bypass"]
    return overall_status(fake) if fake else ""


def _charts(audit: Audit, policy: Policy, mask: Callable[[str], str]) -> list[tuple[str, str]]:
    conf = policy.section("metrics")
    baseline_conf = conf.get("baseline") or {}
    alias = baseline_conf.get("alias")
    base_number = audit.aliases.get(alias) if alias else None
    base_row = next((r for r in audit.rows if r["version"] == base_number), None)
    out = []
    for name, bounds in conf["thresholds"].items():
        points = [Point(r["version"], r["metrics"].get(name)) for r in audit.rows]
        baseline = None
        if base_row is not None and name in base_row["metrics"]:
            baseline = (f"@{alias} v{base_number}", float(base_row["metrics"][name]))
        out.append((name, metric_chart(name, points, bounds, baseline=baseline, mask=mask)))
    return out


def build_view(audit: Audit, mask: Callable[[str], str]) -> AuditView:
    policy = audit.policy or default_policy()
    records = {v.version: v for v in audit.versions}
    views = []
    for row in audit.rows:
        record = records.get(row["version"])
        target = f"models:/{audit.model}/{row['version']}"
        found = audit.findings.get(target)
        lines = _gate_lines(found, row) if audit.evaluated and found is not None else _local_lines(
            row, record, policy)
        views.append(VersionView(row=row, record=record, lines=tuple(lines), verdict=_verdict(lines),
                                 anchor=f"v{row['version']}"))
    by_number = {v.row["version"]: v for v in views}
    production = []
    for label, number in production_of(audit.aliases, audit.versions, policy):
        view = by_number.get(number)
        now = (view.row["status_now"] if view is not None else "") or ""
        recorded = view.row["recorded_status"] if view is not None else ""
        production.append((label, number, now or (f"recorded {recorded}" if recorded else "not evaluated")))
    statuses = {p[2] for p in production}
    if audit.flags:
        verdict = "bypassed"
    elif not audit.evaluated:
        verdict = "not evaluated"
    elif "error" in statuses:
        verdict = "could not evaluate"
    elif "fail" in statuses:
        verdict = "not compliant"
    else:
        verdict = "compliant" if production else "no production version"
    log = [d.row() for d in audit.decisions]
    return AuditView(audit=audit, verdict=verdict, production=tuple(production),
                     charts=tuple(_charts(audit, policy, mask)),
                     timeline=tuple(events(audit.versions, log, audit.bypassed)), versions=tuple(views),
                     policy_source=policy.source or "(defaults)", policy_sha256=policy.sha256)
