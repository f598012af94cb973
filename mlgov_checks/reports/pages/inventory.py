"""The registry inventory: one row per registered model, what is in production, and whether it complies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mlgov_checks.checks import approvals
from mlgov_checks.findings import Finding, group_by_target, overall_status
from mlgov_checks.governance import chain, signed_decisions, standing
from mlgov_checks.governance import decisions as decision_log
from mlgov_checks.governance.stages import production_of
from mlgov_checks.policy.load import Policy
from mlgov_checks.records import ModelVersionRecord, RunRecord
from mlgov_checks.reports.pages import approval_evidence
from mlgov_checks.version import __version__

if TYPE_CHECKING:
    from mlgov_checks.backend import Reader
    from mlgov_checks.gate import GateOptions

@dataclass(frozen=True)
class ModelRow:
    """One registered model in the inventory."""

    model: str
    description: str
    latest_version: str
    version_count: int
    production: tuple[tuple[str, str], ...]  # (@alias or stage:Production, version number)
    status_now: str  # pass | fail | error with --evaluate, else ""
    approvals: tuple[str, ...]  # valid approvers of the production version(s)
    last_decision: str
    bypassed: tuple[str, ...]
    last_review: str  # ISO time of the newest approval recorded on any version, "" when none
    days_since_review: int | None
    versions: tuple[ModelVersionRecord, ...] = ()
    decisions: tuple[Mapping[str, str], ...] = ()
    findings: tuple[Finding, ...] = ()  # the gate's findings on the production versions (--evaluate)
    approval_evidence: tuple[str, ...] = ()  # each approval of the production version(s): proof, claim, stale

    @property
    def anchor(self) -> str:
        """An HTML id for this model's section: stable, and unique among the inventory's names."""
        import hashlib

        safe = "".join(c if c.isalnum() else "-" for c in self.model.lower())[:40]
        return f"m-{safe}-{hashlib.sha256(self.model.encode()).hexdigest()[:8]}"


@dataclass(frozen=True)
class Inventory:
    rows: tuple[ModelRow, ...]
    evaluated: bool
    filter: str | None
    generated_at: str
    policy_source: str | None
    policy_sha256: str
    mlgov_version: str = __version__

    @property
    def flags(self) -> list[str]:
        return [f"{r.model}: {b}" for r in self.rows for b in r.bypassed]


def _parse_time(text: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def _last_review(versions: Sequence[ModelVersionRecord]) -> str:
    times = [a.time for v in versions for _k, a, _p in approvals.recorded(v.tags)
             if a is not None and not a.revoked and _parse_time(a.time) is not None]
    return max(times, key=lambda t: _parse_time(t) or dt.datetime.min, default="")


def _describe(decision: Mapping[str, str]) -> str:
    return (f"{decision.get('action', '')} v{decision.get('version', '')} -> {decision.get('to', '')} "
            f"by {decision.get('actor', '') or '?'} at {decision.get('time', '')}"
            + (f" ({decision['outcome']})" if decision.get("outcome") not in (None, "", "done") else ""))


def build(*, reader: Reader, policy: Policy, filter_string: str | None = None,
          evaluate: GateOptions | None = None, now: dt.datetime | None = None) -> Inventory:
    """Paged model search, versions by name chunks, runs of production versions by id chunks, one log search."""
    moment = now or dt.datetime.now(dt.timezone.utc)
    models = reader.registered_models(filter_string)
    by_model = reader.versions_of_models([m.name for m in models])
    logged = decision_log.by_model(decision_log.read(reader))
    decisions = {name: [d.row() for d in found] for name, found in logged.items()}
    prod = {m.name: production_of(m.aliases, by_model.get(m.name, []), policy) for m in models}
    wanted = {(m.name, n) for m in models for _, n in prod[m.name]}
    run_ids = [v.run_id for m in models for v in by_model.get(m.name, [])
               if v.run_id and (m.name, v.version) in wanted]
    runs: dict[str, RunRecord] = reader.runs(run_ids) if run_ids else {}
    found: dict[str, list[Finding]] = {}
    known: dict[str, ModelVersionRecord] = {}
    if evaluate is not None and wanted:
        from mlgov_checks import gate

        targets = sorted(f"models:/{name}/{number}" for name, number in wanted)
        result = gate.run(targets, policy, evaluate, reader)
        found = group_by_target(result.findings)
        known = {r.target: r for r in result.records if isinstance(r, ModelVersionRecord)}
    held_all = [_with_run(v, runs) for m in models for v in by_model.get(m.name, []) if (m.name, v.version) in wanted]
    # as promote judges them; model files are read only with --evaluate (a registry-wide listing
    # stays a handful of requests), so without it approvals are shown unverified
    judged = approval_evidence.judge(held_all, policy, reader, known, read=evaluate is not None)
    signatures = signed_decisions.judge(policy)
    rows = []
    for m in models:
        versions = tuple(by_model.get(m.name, []))
        numbers = dict.fromkeys(n for _, n in prod[m.name])
        held = [v for v in versions if v.version in numbers]
        counted = {who for v in held for who in judged.counted(v)}
        evidence = tuple(f"v{v.version} {line}" for v in held for line in judged.shown(v))
        vouched = standing.judge(m.name, versions, dict(m.aliases), logged.get(m.name, []),
                                 policy_sha256=policy.sha256, head=m.tags.get(chain.HEAD_TAG),
                                 documents=None,  # no request per model: `mlgov audit` reads the files
                                 signatures=signatures)
        flags = vouched.bypassed
        mine = tuple(f for n in numbers for f in found.get(f"models:/{m.name}/{n}", []))
        review = _last_review(versions)
        when = _parse_time(review) if review else None
        rows.append(ModelRow(
            model=m.name, description=m.description or "",
            latest_version=versions[-1].version if versions else "", version_count=len(versions),
            production=tuple(prod[m.name]),
            status_now=(overall_status(mine) if mine else "") if evaluate is not None else "",
            approvals=tuple(sorted(counted)),
            last_decision=_describe(decisions[m.name][-1]) if decisions.get(m.name) else "",
            bypassed=(*(f"{dest} -> v{n}" for n, dests in sorted(flags.items()) for dest in dests),
                      *(note.removeprefix(f"{m.name}: ") for note in vouched.notes)),
            last_review=review, days_since_review=(moment - when).days if when else None,
            versions=versions, decisions=tuple(decisions.get(m.name, [])), findings=mine,
            approval_evidence=evidence))
    return Inventory(rows=tuple(rows), evaluated=evaluate is not None, filter=filter_string,
                     generated_at=moment.isoformat(timespec="seconds").replace("+00:00", "Z"),
                     policy_source=policy.source, policy_sha256=policy.sha256)


def _with_run(version: ModelVersionRecord, runs: Mapping[str, RunRecord]) -> ModelVersionRecord:
    from dataclasses import replace

    return replace(version, run=runs.get(version.run_id or ""))


def exit_status(inv: Inventory) -> int:
    """3 when a production version could not be evaluated, 1 for a bypass or a failing one, else 0."""
    statuses = {r.status_now for r in inv.rows}
    if "error" in statuses:
        return 3
    return 1 if inv.flags or "fail" in statuses else 0

