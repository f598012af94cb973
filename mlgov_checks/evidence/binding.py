"""What an approval is bound to, and what changed since: the version, its model files, its card, its run, the policy."""

from __future__ import annotations

from dataclasses import dataclass

from mlgov_checks.evidence import digests
from mlgov_checks.evidence.statement import Approval
from mlgov_checks.records import ModelVersionRecord


@dataclass(frozen=True)
class Current:
    """The version as it is now, in the terms an approval states."""

    subject: str
    run_id: str
    model_sha256: str | None
    model_note: str | None  # why there is no model digest
    card_sha256: str | None
    card_note: str | None
    policy_sha256: str


def card_sha256(version: ModelVersionRecord) -> tuple[str | None, str | None]:
    """(sha256 of the logged card, None) or (None, why there is none)."""
    card = version.card
    if card is None:
        return None, "the version has no logged model card"
    if card.size is not None and len(card.content) != card.size or not card.content:
        return None, f"the card ({card.size} bytes) is over card.max_bytes, so it was not read"
    return digests.sha256_bytes(card.content), None


def current(version: ModelVersionRecord, policy_sha256: str) -> Current:
    card, card_note = card_sha256(version)
    digest = version.model_digest
    note = version.model_digest_note or ("the model files were not read" if digest is None else None)
    return Current(subject=version.target, run_id=version.run_id or "",
                   model_sha256=digest.root if digest else None, model_note=note,
                   card_sha256=card, card_note=card_note, policy_sha256=policy_sha256)


def _short(sha: str) -> str:
    return sha[:12]


def changes(approval: Approval, now: Current) -> list[str]:
    """What differs between what `approval` approved and the version now; [] when it still holds."""
    if approval.subject != now.subject:
        return [f"it approves {approval.subject}, not {now.subject}"]
    found: list[str] = []
    if approval.run_id != now.run_id:
        found.append(f"the source run changed ({approval.run_id or 'none'} -> {now.run_id or 'none'})")
    if now.model_sha256 is None:
        found.append(f"the model files cannot be compared: {now.model_note}")
    elif approval.model_sha256 != now.model_sha256:
        found.append(f"the model files changed (root sha256 {_short(approval.model_sha256)} -> "
                     f"{_short(now.model_sha256)})")
    if now.card_sha256 is None:
        found.append(f"the model card cannot be compared: {now.card_note}")
    elif approval.card_sha256 != now.card_sha256:
        found.append(f"the model card changed (sha256 {_short(approval.card_sha256)} -> {_short(now.card_sha256)})")
    if approval.policy_sha256 != now.policy_sha256:
        found.append(f"the policy in force changed (sha256 {_short(approval.policy_sha256)} -> "
                     f"{_short(now.policy_sha256)})")
    return found
