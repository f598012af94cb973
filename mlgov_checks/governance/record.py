"""`mlgov check --record`: the gate's outcome written back to every evaluated version, all or nothing.

Per version: a decision-log run holding the JSON report (`mlgov/report.json`), then the tags
`mlgov.status`, `mlgov.checked_at`, `mlgov.policy_sha256` and `mlgov.report` (that report's URI).
Every decision is logged as intended first; when any write fails, every tag written is set back,
every decision ends FAILED, and nothing of the recording is left (`transaction.AllOrNothing`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from mlgov_checks.checks import approvals
from mlgov_checks.errors import EvaluationError
from mlgov_checks.findings import Finding, group_by_target, overall_status
from mlgov_checks.governance import decisions, roles, signed_decisions
from mlgov_checks.governance.outcome import Outcome, gate_summary, iso, refuse, utc_now
from mlgov_checks.governance.transaction import AllOrNothing
from mlgov_checks.policy.load import Policy
from mlgov_checks.records import ModelVersionRecord
from mlgov_checks.secrets import mask

if TYPE_CHECKING:
    from mlgov_checks.backend import Writer
    from mlgov_checks.evidence.keysign import SigningKey
    from mlgov_checks.gate import GateResult

STATUS_TAG, CHECKED_AT_TAG, POLICY_TAG, REPORT_TAG = (
    "mlgov.status", "mlgov.checked_at", "mlgov.policy_sha256", "mlgov.report")
Render = Callable[[Sequence[Finding]], str]


def record(result: GateResult, *, actor: str, policy: Policy, writer: Writer, report: Render,
           now: dt.datetime | None = None, key: SigningKey | None = None, asserted: bool = False) -> Outcome:
    """Write the gate's outcome back to every evaluated model version; `report(findings)` renders
    the JSON report each version's decision holds. With `key`, each decision is signed by its actor,
    the key's principal."""
    versions = [r for r in result.records if isinstance(r, ModelVersionRecord)]
    if not versions:
        return Outcome([], ["nothing recorded: no model version was evaluated"])
    signer = signed_decisions.actor(key, actor, policy, asserted=asserted)
    actor = signer.name
    ok, why = roles.permitted(actor, roles.Action.RECORD, policy)
    if not ok:
        return refuse(approvals.ROLE_PERMISSION, versions[0].target, f"--record refused: {why}")
    by_target = group_by_target(result.findings)
    moment = iso(now or utc_now())
    tx = AllOrNothing(writer, signer.sign)
    lines: list[str] = []
    try:
        for version in versions:
            found = by_target.get(version.target, [])
            lines.append(_record_one(tx, version, found, _decision(version, found, actor, moment, policy),
                                     report))
        tx.commit()
    except Exception as e:  # a failed write, or a bug of ours halfway: nothing is left half-done
        shown = versions[0].target if len(versions) == 1 else f"{len(versions)} versions"
        if not isinstance(e, EvaluationError):
            tx.abandon(e, f"recording the gate's outcome on {shown}")
            raise
        raise tx.rollback(e, f"recording the gate's outcome on {shown}") from e
    return Outcome([], lines)


def _decision(version: ModelVersionRecord, found: Sequence[Finding], actor: str, moment: str,
              policy: Policy) -> dict[str, Any]:
    return {"action": decisions.Kind.RECORD.value, "model": version.name, "version": version.version,
            "to": decisions.status_label(overall_status(found)), "actor": actor, "time": moment,
            "gate": gate_summary(found), "policy_sha256": policy.sha256}


def _record_one(tx: AllOrNothing, version: ModelVersionRecord, found: Sequence[Finding],
                decision: dict[str, Any], report: Render) -> str:
    status = overall_status(found)
    run_id = tx.open_decision(decision, {decisions.REPORT_PATH: mask(report(found))})
    uri = f"runs:/{run_id}/{decisions.REPORT_PATH}"
    tags = {STATUS_TAG: status, CHECKED_AT_TAG: decision["time"], POLICY_TAG: str(decision["policy_sha256"]),
            REPORT_TAG: uri}
    tx.set_version_tags(version.name, version.version, tags, version.tags)
    return f"recorded {status} on {version.target} (report {uri})"


def record_result(result: GateResult, *, policy: Policy, writer: Writer, report: Render,
                  actor: str | None = None, key: SigningKey | None = None) -> Outcome:
    """`mlgov check --record`: the gate's findings, plus any refusal, and what was written."""
    outcome = record(result, actor=roles.current_actor(actor), policy=policy, writer=writer, report=report,
                     key=key, asserted=bool(actor and actor.strip()))
    return Outcome([*result.findings, *outcome.findings], outcome.actions, result.targets)
