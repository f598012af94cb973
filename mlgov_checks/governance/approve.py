"""`mlgov approve`: record (or withdraw) one person's approval of a model version.

The approval is a statement of what the version is now (the root digest of its model files, its
card's and the policy's sha256, its source run), signed when the approver gives a key: then the
approver is the key's principal in `approval.allowed_signers`, whatever `--as` or the environment say.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING

from mlgov_checks.checks import approvals
from mlgov_checks.governance import roles
from mlgov_checks.governance.outcome import Outcome, fetch_version, iso, refuse, utc_now
from mlgov_checks.policy.load import Policy
from mlgov_checks.records import ModelVersionRecord

if TYPE_CHECKING:
    from mlgov_checks.backend import FetchSpec, Reader, Writer
    from mlgov_checks.evidence.issue import SigningKey


def approve(target: str, *, actor: str, comment: str, revoke: bool, policy: Policy, reader: Reader,
            writer: Writer, now: dt.datetime | None = None, asserted: bool = False,
            key: SigningKey | None = None) -> Outcome:
    """Record (or withdraw) an approval as the tag `mlgov.approval.<approver>` of the version.

    Each approver writes only their own tag, so approvals made at the same moment never overwrite
    each other. Refusals change nothing.
    """
    from mlgov_checks.evidence import issue

    moment = iso(now or utc_now())
    if revoke:
        version, _ = fetch_version(reader, target)
        return _revoke(version, actor=actor, comment=comment, moment=moment, writer=writer)
    signers = approvals.load_signers(policy)
    version, _ = fetch_version(reader, target, approval_spec(policy))  # the model's files streamed once
    shown = version.target
    try:
        record = issue.issue(version, policy_sha256=policy.sha256, actor=actor, asserted=asserted,
                             recorded_by=roles.current_actor(None), comment=comment, time=moment, key=key,
                             signers=signers)
    except issue.IssueError as e:
        return refuse(approvals.ELIGIBLE, shown, f"approval refused: {e}")
    approver = record.approver
    ok, why = roles.permitted(approver, roles.Action.APPROVE, policy)
    if not ok:
        return refuse(approvals.ROLE_PERMISSION, shown, f"approval refused: {why}")
    reason = approvals.refusal(approver, version, policy)
    if reason:
        return refuse(approvals.ELIGIBLE, shown, f"approval refused: {reason}")
    writer.set_version_tags(version.name, version.version, {record.key: record.to_json()})
    after = replace(version, tags={**version.tags, record.key: record.to_json()})
    quorum = [f for f in approvals.quorum(after, policy, signers) if f.check != approvals.IGNORED.id]
    state = "; ".join(f.message for f in quorum)
    how = "signed" if record.signed else "unsigned: a claim"
    return Outcome([approvals.ELIGIBLE.passed(shown, f"approval by {approver} recorded ({how})")],
                   [f"approved {shown} as {approver}, {how} ({state})"], (shown,))


def approval_spec(policy: Policy) -> FetchSpec:
    """What stating an approval reads: the card and the digest of the model files (streamed once)."""
    from mlgov_checks.backend import FetchSpec

    return FetchSpec(**{**approvals.needs(policy), "model_digest": True})


def _revoke(version: ModelVersionRecord, *, actor: str, comment: str, moment: str, writer: Writer) -> Outcome:
    shown = version.target
    key = approvals.approval_key(actor)
    from mlgov_checks.evidence import approval_record

    try:
        current = approval_record.parse(key, version.tags.get(key, ""))
    except approval_record.RecordError:
        current = None
    if current is None or current.revoked:
        return refuse(approvals.QUORUM, shown, f"{actor!r} has no approval of this version to revoke")
    withdrawn = current.withdrawn(time=moment, comment=comment)
    writer.set_version_tags(version.name, version.version, {key: withdrawn.to_json()})
    return Outcome([approvals.QUORUM.passed(shown, f"approval by {actor} revoked")],
                   [f"revoked {actor}'s approval of {shown}"], (shown,))
