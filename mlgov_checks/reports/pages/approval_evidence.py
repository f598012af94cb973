"""Approvals as audit and inventory show them: judged by the gate's own `verify`, content and signature alike.

A listing does not take an approval at face value: each is judged as `mlgov promote` judges it
(bound to the version's model files, card, run and the policy in force; signed by an allowed signer
when it is signed, and when the policy requires it) and shown as proof, claim, stale or refused.
The versions' cards and model digests come from what the caller already read (the gate's records
under --evaluate); only versions that carry approvals and were not read yet are read, each model
file streamed once. The inventory reads model files only with --evaluate: without it, approvals are
shown unverified and not counted (a claim about content nobody read is not proof).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mlgov_checks.checks import approvals
from mlgov_checks.evidence.verify import Standing, Verdict, verify
from mlgov_checks.policy.load import Policy
from mlgov_checks.records import ModelVersionRecord

if TYPE_CHECKING:
    from mlgov_checks.backend import Reader


@dataclass(frozen=True)
class Judged:
    """The approvals of the versions a listing shows, by target."""

    verdicts: Mapping[str, Verdict] = field(default_factory=dict)
    unread: Mapping[str, str] = field(default_factory=dict)  # target -> why its content could not be read
    records: Mapping[str, ModelVersionRecord] = field(default_factory=dict)  # target -> as read, with content

    def record(self, version: ModelVersionRecord) -> ModelVersionRecord:
        """`version` with its card and model digest when they were read for its approvals."""
        return self.records.get(version.target, version)

    def counted(self, version: ModelVersionRecord) -> list[str]:
        """Who approved `version`, as the gate counts it (stale and refused approvals are not)."""
        verdict = self.verdicts.get(version.target)
        return [c.person for c in verdict.counted] if verdict is not None else []

    def shown(self, version: ModelVersionRecord) -> list[str]:
        """Each recorded approval with its standing: `ann: proof (ssh signature, SHA256:...)`."""
        if version.target in self.unread:
            return [f"{who}: {Standing.UNVERIFIED.value} ({self.unread[version.target]})"
                    for who in _approvers(version)]
        verdict = self.verdicts.get(version.target)
        return [str(s) for s in verdict.shown()] if verdict is not None else []


def _approvers(version: ModelVersionRecord) -> list[str]:
    return [rec.approver if rec is not None else key.removeprefix(approvals.PREFIX)
            for key, rec, _ in approvals.recorded(version.tags) if rec is None or not rec.revoked]


def carries_approvals(version: ModelVersionRecord) -> bool:
    return any(k.startswith(approvals.PREFIX) for k in version.tags)


NOT_READ = "not verified: the listing read no model files; --evaluate verifies them"


def judge(versions: Sequence[ModelVersionRecord], policy: Policy, reader: Reader,
          known: Mapping[str, ModelVersionRecord] | None = None, *, read: bool = True) -> Judged:
    """Every approval of `versions` (each with its run), judged as the gate judges it.

    `known`: records already read with their card and model digest (target -> record), reused.
    `read=False`: read nothing more; an approval whose content was not read is unverified, never counted."""
    from mlgov_checks import gate

    tagged = {v.target: v for v in versions if carries_approvals(v)}
    if not tagged:
        return Judged()
    ready = {t: known[t] for t in tagged if known and t in known and known[t].model_digest is not None}
    wanted = {t: v for t, v in tagged.items() if t not in ready}
    problems: dict[str, tuple[str, str | None]] = {}
    if wanted and not read:
        problems = {t: (NOT_READ, None) for t in wanted}
        wanted = {}
    if wanted:
        reader.add_evidence(wanted, gate.fetch_spec(policy, ("approvals",)), problems)
    signers = approvals.load_signers(policy)
    records = {**wanted, **ready}
    verdicts = {t: verify(records[t], policy, signers) for t in tagged if t in records}
    unread = {t: message.removeprefix(f"{t}: ") for t, (message, _) in problems.items()}
    return Judged(verdicts, unread, records)
