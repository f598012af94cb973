"""The approval statement: an in-toto Statement v1 naming the exact content an approver approves.

https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md. The subject is the
registered version (`models:/NAME/VERSION`) with the root digest of its model files; the predicate
carries the source run, the card's and the policy's sha256, the approver, the decision and the time.
What is signed is the statement's canonical JSON bytes (sorted keys, no spaces, UTF-8).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
APPROVAL_V1 = "https://mlgov-checks.dev/approval/v1"
PAYLOAD_TYPE = "application/vnd.in-toto+json"  # the DSSE payload type of an in-toto statement
DECISIONS = ("approve",)


class StatementError(ValueError):
    """Bytes that are not an approval statement of ours."""


@dataclass(frozen=True)
class Approval:
    """What one approver states about one model version."""

    model: str
    version: str
    model_sha256: str  # root digest of the version's model files
    run_id: str
    card_sha256: str
    policy_sha256: str
    approver: str
    time: str  # ISO 8601, UTC
    decision: str = "approve"
    comment: str = ""

    @property
    def subject(self) -> str:
        return f"models:/{self.model}/{self.version}"

    def to_statement(self) -> dict[str, Any]:
        return {
            "_type": STATEMENT_TYPE,
            "subject": [{"name": self.subject, "digest": {"sha256": self.model_sha256}}],
            "predicateType": APPROVAL_V1,
            "predicate": {"run_id": self.run_id, "card_sha256": self.card_sha256,
                          "policy_sha256": self.policy_sha256, "approver": self.approver,
                          "decision": self.decision, "time": self.time, "comment": self.comment},
        }

    def payload(self) -> bytes:
        """The bytes a signature covers."""
        return canonical(self.to_statement())


def canonical(statement: dict[str, Any]) -> bytes:
    return json.dumps(statement, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _text(data: Any, key: str, where: str) -> str:
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, str):
        raise StatementError(f"{where}.{key} is missing or not a string")
    return value


def parse(payload: bytes) -> Approval:
    """The approval a statement's bytes state; StatementError when they are not one."""
    try:
        data = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise StatementError(f"the statement is not JSON: {e}") from e
    if not isinstance(data, dict) or data.get("_type") != STATEMENT_TYPE:
        raise StatementError(f"not an in-toto Statement v1 (_type must be {STATEMENT_TYPE})")
    if data.get("predicateType") != APPROVAL_V1:
        raise StatementError(f"predicateType is {data.get('predicateType')!r}, not {APPROVAL_V1}")
    subjects = data.get("subject")
    if not isinstance(subjects, list) or len(subjects) != 1 or not isinstance(subjects[0], dict):
        raise StatementError("an approval names exactly one subject")
    name = _text(subjects[0], "name", "subject")
    digest = _text(subjects[0].get("digest"), "sha256", "subject.digest")
    model, sep, version = name.removeprefix("models:/").rpartition("/")
    if not name.startswith("models:/") or not sep or not model or not version:
        raise StatementError(f"subject {name!r} is not models:/NAME/VERSION")
    pred = data.get("predicate")
    fields = {k: _text(pred, k, "predicate")
              for k in ("run_id", "card_sha256", "policy_sha256", "approver", "decision", "time")}
    if fields["decision"] not in DECISIONS:
        raise StatementError(f"decision {fields['decision']!r} is not one of {', '.join(DECISIONS)}")
    comment = pred.get("comment", "") if isinstance(pred, dict) else ""
    return Approval(model=model, version=version, model_sha256=digest,
                    comment=comment if isinstance(comment, str) else "", **fields)
