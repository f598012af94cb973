"""`mlgov approve`: record (or withdraw) one person's approval of a model version."""

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
    from mlgov_checks.backend import Reader, Writer


def approve(target: str, *, actor: str, comment: str, revoke: bool, policy: Policy, reader: Reader,
            writer: Writer, now: dt.datetime | None = None) -> Outcome:
    """Record (or withdraw) `actor`'s approval as the tag `mlgov.approval.<actor>` of the version.

    Each approver writes only their own tag, so approvals made at the same moment never overwrite
    each other. Refusals change nothing.
    """
    version, _ = fetch_version(reader, target)
    moment = iso(now or utc_now())
    if revoke:
        return _revoke(version, actor=actor, comment=comment, moment=moment, writer=writer)
    shown = version.target
    ok, why = roles.permitted(actor, roles.Action.APPROVE, policy)
    if not ok:
        return refuse(approvals.ROLE_PERMISSION, shown, f"approval refused: {why}")
    reason = approvals.refusal(actor, version, policy)
    if reason:
        return refuse(approvals.ELIGIBLE, shown, f"approval refused: {reason}")
    key = approvals.approval_key(actor)
    record = approvals.Approval(approver=actor, time=moment, comment=comment[:approvals.MAX_COMMENT],
                                policy_sha256=policy.sha256, model=version.name, version=version.version)
    writer.set_version_tags(version.name, version.version, {key: record.to_json()})
    after = replace(version, tags={**version.tags, key: record.to_json()})
    quorum = [f for f in approvals.quorum(after, policy) if f.check != approvals.IGNORED.id]
    state = "; ".join(f.message for f in quorum)
    return Outcome([approvals.ELIGIBLE.passed(shown, f"approval by {actor} recorded")],
                   [f"approved {shown} as {actor} ({state})"], (shown,))


def _revoke(version: ModelVersionRecord, *, actor: str, comment: str, moment: str, writer: Writer) -> Outcome:
    shown = version.target
    key = approvals.approval_key(actor)
    current, _ = approvals.parse_approval(key, version.tags.get(key, ""))
    if current is None or current.revoked:
        return refuse(approvals.QUORUM, shown, f"{actor!r} has no approval of this version to revoke")
    withdrawn = replace(current, revoked=True, revoked_time=moment, revoke_comment=comment)
    writer.set_version_tags(version.name, version.version, {key: withdrawn.to_json()})
    return Outcome([approvals.QUORUM.passed(shown, f"approval by {actor} revoked")],
                   [f"revoked {actor}'s approval of {shown}"], (shown,))
