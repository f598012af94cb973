"""Governance actions that write: approve, revoke, promote (gated) and record, each leaving a record."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from mlgov_checks.checks import approvals
from mlgov_checks.errors import EvaluationError, UsageError
from mlgov_checks.findings import Finding, Status, group_by_target, overall_status
from mlgov_checks.governance import promotion, roles
from mlgov_checks.policy.load import Policy
from mlgov_checks.records import SEMVER_TAG, ModelVersionRecord
from mlgov_checks.version import __version__

if TYPE_CHECKING:
    from mlgov_checks.backend import FetchSpec, Reader, Writer
    from mlgov_checks.gate import GateOptions, GateResult

STAGES = ("Staging", "Production", "Archived")
PRODUCTION = "Production"
RECORD_TAGS = ("mlgov.status", "mlgov.checked_at", "mlgov.policy_sha256", "mlgov.report")
REPORT_PATH = "mlgov/report.json"
_PROBLEMS = (Status.FAIL, Status.ERROR)


@dataclass(frozen=True)
class Outcome:
    """What an action found (refusals are FAIL findings) and what it wrote, or would write."""

    findings: list[Finding]
    actions: list[str] = field(default_factory=list)
    targets: tuple[str, ...] = ()

    @property
    def refused(self) -> bool:
        return any(f.status in _PROBLEMS for f in self.findings)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def fetch_version(reader: Reader, target: str, spec: FetchSpec | None = None) -> tuple[ModelVersionRecord, Any]:
    """One model version and its run (with what `spec` asks besides); exit 3 when it cannot be read.

    Returns the record and the reader's answer, so a gate can judge it without fetching it again.
    """
    from mlgov_checks.backend import FetchSpec
    from mlgov_checks.targets import parse_model_version

    (found,) = reader.resolve([parse_model_version(target)], spec or FetchSpec())
    if not isinstance(found.record, ModelVersionRecord):
        raise EvaluationError(found.error or f"{target}: could not be read", hint=found.hint)
    return found.record, found


def _refuse(check: Any, target: str, message: str) -> Outcome:
    return Outcome([check.failed(target, message)], targets=(target,))


# -- approve / revoke ------------------------------------------------------------------------------

def approve(target: str, *, actor: str, comment: str, revoke: bool, policy: Policy, reader: Reader,
            writer: Writer, now: dt.datetime | None = None) -> Outcome:
    """Record (or withdraw) `actor`'s approval as the tag `mlgov.approval.<actor>` of the version.

    Each approver writes only their own tag, so approvals made at the same moment never overwrite
    each other. Refusals change nothing.
    """
    version, _ = fetch_version(reader, target)
    shown = version.target
    key = approvals.approval_key(actor)
    moment = iso(now or utc_now())
    if revoke:
        current, _ = approvals.parse_approval(key, version.tags.get(key, ""))
        if current is None or current.revoked:
            return _refuse(approvals.QUORUM, shown, f"{actor!r} has no approval of this version to revoke")
        withdrawn = replace(current, revoked=True, revoked_time=moment, revoke_comment=comment)
        writer.set_version_tags(version.name, version.version, {key: withdrawn.to_json()})
        return Outcome([approvals.QUORUM.passed(shown, f"approval by {actor} revoked")],
                       [f"revoked {actor}'s approval of {shown}"], (shown,))
    ok, why = roles.permitted(actor, roles.Action.APPROVE, policy)
    if not ok:
        return _refuse(approvals.ROLE_PERMISSION, shown, f"approval refused: {why}")
    reason = approvals.refusal(actor, version, policy)
    if reason:
        return _refuse(approvals.ELIGIBLE, shown, f"approval refused: {reason}")
    record = approvals.Approval(approver=actor, time=moment, comment=comment[:approvals.MAX_COMMENT],
                                policy_sha256=policy.sha256, model=version.name, version=version.version)
    writer.set_version_tags(version.name, version.version, {key: record.to_json()})
    after = replace(version, tags={**version.tags, key: record.to_json()})
    quorum = [f for f in approvals.quorum(after, policy) if f.check != approvals.IGNORED.id]
    state = "; ".join(f.message for f in quorum)
    return Outcome([approvals.ELIGIBLE.passed(shown, f"approval by {actor} recorded")],
                   [f"approved {shown} as {actor} ({state})"], (shown,))


# -- promote ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Destination:
    alias: str | None = None
    stage: str | None = None

    def __post_init__(self) -> None:
        if (self.alias is None) == (self.stage is None):
            raise UsageError("give exactly one of --alias NAME or --stage STAGE")
        if self.stage is not None and self.stage not in STAGES:
            raise UsageError(f"--stage: expected one of {', '.join(STAGES)}, got {self.stage!r}")

    @property
    def label(self) -> str:
        """How the decision log names it: `@champion` or `stage:Production`."""
        return f"@{self.alias}" if self.alias else f"stage:{self.stage}"

    @property
    def tag(self) -> str:
        return (f"mlgov.decision.alias.{self.alias}" if self.alias else f"mlgov.decision.stage.{self.stage}")

    def is_production(self, policy: Policy) -> bool:
        aliases = policy.section("approval")["production_aliases"]
        return self.stage == PRODUCTION or (self.alias is not None and self.alias in aliases)


def _gate_summary(findings: Sequence[Finding]) -> str:
    counts = {s: sum(1 for f in findings if f.status is s) for s in Status}
    return (f"{overall_status(findings)}: {counts[Status.PASS]} passed, {counts[Status.FAIL]} failed, "
            f"{counts[Status.ERROR]} errors, {counts[Status.WARN]} warnings, {counts[Status.WAIVED]} waived")


def semver_findings(version: ModelVersionRecord, versions: Mapping[str, ModelVersionRecord],
                    policy: Policy) -> list[Finding]:
    if not policy.section("evidence")["require_semantic_version"]:
        return []
    tags = {n: mv.tags.get(SEMVER_TAG) for n, mv in versions.items()}
    return list(approvals.check_semver_order(version.version, tags, target=version.target))


def promote(target: str, dest: Destination, *, actor: str, dry_run: bool, policy: Policy,
            options: GateOptions, reader: Reader, writer: Writer,
            now: dt.datetime | None = None) -> Outcome:
    """Gate the version, then move the alias or stage and log the decision; refuse and change nothing
    when the gate fails, the actor lacks the permission, or production lacks the approval quorum.

    The move is all or nothing (`promotion.carry_out`): when a write fails, what was moved is moved
    back, the decision log records the failure, and PromotionError (exit 3) says so."""
    from mlgov_checks import gate

    action = roles.Action.ARCHIVE if dest.stage == "Archived" else roles.Action.PROMOTE
    ok, why = roles.permitted(actor, action, policy)
    if not ok:
        return _refuse(approvals.ROLE_PERMISSION, target, f"{action.value} refused: {why}")
    gated = action is roles.Action.PROMOTE
    spec = gate.fetch_spec(policy, options.chosen()) if gated else None
    version, resolved = fetch_version(reader, target, spec)  # fetched once: the gate judges this record
    shown = version.target
    all_versions: list[Mapping[str, ModelVersionRecord]] = []

    def versions() -> Mapping[str, ModelVersionRecord]:
        if not all_versions:
            all_versions.append(reader.versions_of(version.name))
        return all_versions[0]

    findings: list[Finding] = []
    if gated:
        findings = list(gate.judge([resolved], policy, options).findings)
        checked = {f.check for f in findings}
        if dest.is_production(policy) and approvals.QUORUM.id not in checked:
            findings += approvals.quorum(version, policy)
        if policy.section("evidence")["require_semantic_version"]:
            findings += semver_findings(version, versions(), policy)
    if any(f.status in _PROBLEMS for f in findings):
        return Outcome(findings, [f"refused: {shown} was not moved to {dest.label}"], (shown,))

    previous: str | None = None
    if dest.alias:
        previous = reader.model_aliases(version.name).get(dest.alias)
        source = f"models:/{version.name}/{previous}" if previous else "none"
        held = [previous] if previous and previous != version.version else []
    else:
        source = version.current_stage or "None"
        held = sorted((n for n, mv in versions().items()
                       if mv.current_stage == dest.stage and n != version.version), key=int)
    moment = iso(now or utc_now())
    verb = "would move" if dry_run else "moved"
    lines = [f"gate: {_gate_summary(findings)}"] if findings else []
    lines.append(f"{verb} {shown} to {dest.label} (from {source})")
    if dest.stage and dest.stage != "Archived" and held:
        lines.append(f"{'would archive' if dry_run else 'archived'} version(s) {', '.join(held)} "
                     f"previously in {dest.stage}")
    if dry_run:
        return Outcome(findings, lines, (shown,))

    decision = {"action": action.value, "model": version.name, "version": version.version, "to": dest.label,
                "from": source, "actor": actor, "time": moment, "gate": _gate_summary(findings),
                "policy_sha256": policy.sha256, "policy": policy.source or "(defaults)",
                "archived": held if dest.stage and dest.stage != "Archived" else [],
                "mlgov_version": __version__}
    move = promotion.Move(name=version.name, version=version.version, alias=dest.alias, stage=dest.stage,
                          previous_alias=previous if dest.alias else None,
                          source_stage=version.current_stage or "None",
                          held=tuple(held) if dest.stage and dest.stage != "Archived" else (),
                          tag=dest.tag, previous_tag=version.tags.get(dest.tag))
    run_id = promotion.carry_out(writer, move, decision, findings)  # all or nothing: raises exit 3
    lines.append(f"decision recorded: runs:/{run_id}")
    return Outcome(findings, lines, (shown,))


def log_decision(writer: Writer, decision: dict[str, Any], findings: Sequence[Finding]) -> str:
    """Append one decision to the log: a run whose tags are the decision and whose artifact is the JSON."""
    from mlgov_checks.backend import DECISION_TAG

    keys = ("action", "model", "version", "to", "from", "actor", "time", "gate", "policy_sha256")
    tags = {DECISION_TAG + k: str(decision[k])[:5000] for k in keys if k in decision}
    document = {**decision, "findings": [f.to_dict() for f in findings]}
    name = f"{decision['action']} {decision['model']}/{decision['version']} -> {decision.get('to', '')}"
    return writer.log_decision(tags, {"decision.json": json.dumps(document, indent=2, ensure_ascii=False)},
                               run_name=name)


# -- check --record --------------------------------------------------------------------------------

def record(result: GateResult, *, actor: str, policy: Policy, writer: Writer,
           report: Any, now: dt.datetime | None = None) -> Outcome:
    """Write the gate's outcome back to every evaluated model version (only with `--record`).

    Per version: a decision-log run holding the JSON report (`mlgov/report.json`), then the tags
    `mlgov.status`, `mlgov.checked_at`, `mlgov.policy_sha256` and `mlgov.report` (that report's URI).
    `report(findings) -> str` renders the JSON report.
    """
    versions = [r for r in result.records if isinstance(r, ModelVersionRecord)]
    if not versions:
        return Outcome([], ["nothing recorded: no model version was evaluated"])
    ok, why = roles.permitted(actor, roles.Action.RECORD, policy)
    if not ok:
        return _refuse(approvals.ROLE_PERMISSION, versions[0].target, f"--record refused: {why}")
    by_target = group_by_target(result.findings)
    moment = iso(now or utc_now())
    lines: list[str] = []
    for version in versions:
        found = by_target.get(version.target, [])
        status = overall_status(found)
        decision = {"action": "record", "model": version.name, "version": version.version,
                    "to": f"status:{status}", "actor": actor, "time": moment, "gate": _gate_summary(found),
                    "policy_sha256": policy.sha256}
        from mlgov_checks.backend import DECISION_TAG

        tags = {DECISION_TAG + k: str(v) for k, v in decision.items()}
        run_id = writer.log_decision(tags, {REPORT_PATH: report(found)},
                                     run_name=f"record {version.name}/{version.version}: {status}")
        writer.set_version_tags(version.name, version.version, {
            "mlgov.status": status, "mlgov.checked_at": moment, "mlgov.policy_sha256": policy.sha256,
            "mlgov.report": f"runs:/{run_id}/{REPORT_PATH}"})
        lines.append(f"recorded {status} on {version.target} (report runs:/{run_id}/{REPORT_PATH})")
    return Outcome([], lines)


def record_result(result: GateResult, *, policy: Policy, writer: Writer,
                  report: Callable[[Sequence[Finding]], str], actor: str | None = None) -> Outcome:
    """`mlgov check --record`: the gate's findings, plus any refusal, and what was written."""
    outcome = record(result, actor=actor or roles.current_actor(), policy=policy, writer=writer, report=report)
    return Outcome([*result.findings, *outcome.findings], outcome.actions, result.targets)
