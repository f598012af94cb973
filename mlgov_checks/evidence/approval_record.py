"""An approval as the registry holds it: one model-version tag per approver, `mlgov.approval.<approver>`.

The value is JSON: the statement's exact bytes (`payload`), the signature when the approver signed
(`sshsig`: ssh-keygen's armored signature; or `dsse`: the envelope's type and signatures), who the
MLflow credentials said wrote it (`recorded_by`, a claim) and whether `--as` named the approver.
Everything but the payload and its signature is unsigned, so it is shown and never trusted, except
a revocation: anyone may withdraw an approval, which can only make the gate stricter.
Tags come with the version in the same paged search: reading approvals costs no request.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from mlgov_checks.evidence import statement

PREFIX = "mlgov.approval."
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")
MAX_COMMENT = 1000  # the statement and its signature stay within MLflow 2.x's 5000-character tag values
MAX_VALUE = 5000


class RecordError(ValueError):
    """A tag that is not an approval record (the message says why)."""


def approval_key(actor: str) -> str:
    """The tag key of `actor`'s approval: one key per approver, so concurrent approvals never collide.

    MLflow tag keys allow only letters, digits, `_ . - / : space`; other characters become `_` and a
    short hash of the exact name keeps two names that differ only there apart.
    """
    name = actor.strip().casefold()
    safe = _UNSAFE.sub("_", name)
    if safe != name or not safe:
        safe = f"{safe}.{hashlib.sha256(name.encode()).hexdigest()[:8]}"
    return PREFIX + safe[:200]


@dataclass(frozen=True)
class Record:
    key: str
    approval: statement.Approval
    payload: bytes  # the statement's bytes, as signed
    sshsig: str | None = None
    dsse: Mapping[str, Any] | None = None  # payloadType and signatures (the payload is `payload`)
    recorded_by: str | None = None
    asserted: bool = False  # the approver was named with --as
    revoked: bool = False
    revoked_time: str | None = None
    revoke_comment: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def approver(self) -> str:
        return self.approval.approver

    @property
    def time(self) -> str:
        return self.approval.time

    @property
    def comment(self) -> str:
        return self.approval.comment

    @property
    def signed(self) -> bool:
        return self.sshsig is not None or self.dsse is not None

    def envelope(self) -> dict[str, Any]:
        """The DSSE envelope with its payload put back."""
        return {**(self.dsse or {}), "payload": base64.b64encode(self.payload).decode()}

    def to_json(self) -> str:
        data: dict[str, Any] = {"payload": self.payload.decode("utf-8")}
        for name in ("sshsig", "dsse", "recorded_by", "revoked_time", "revoke_comment"):
            if getattr(self, name) is not None:
                data[name] = getattr(self, name)
        if self.asserted:
            data["asserted"] = True
        if self.revoked:
            data["revoked"] = True
        return json.dumps(data, sort_keys=True, ensure_ascii=False)

    def withdrawn(self, *, time: str, comment: str) -> Record:
        return replace(self, revoked=True, revoked_time=time, revoke_comment=comment[:MAX_COMMENT])


def parse(key: str, value: str) -> Record:
    """The record in tag `key`; RecordError when it is not one of ours."""
    try:
        data: Any = json.loads(value)
    except ValueError as e:
        raise RecordError(f"tag {key!r} is not JSON") from e
    if not isinstance(data, dict) or not isinstance(data.get("payload"), str):
        legacy = isinstance(data, dict) and "approver" in data
        raise RecordError(f"tag {key!r} holds no approval statement" + (
            " (an approval recorded before approvals named their content: approve again)" if legacy else ""))
    payload = data["payload"].encode("utf-8")
    try:
        approval = statement.parse(payload)
    except statement.StatementError as e:
        raise RecordError(f"tag {key!r}: {e}") from e
    sshsig, dsse = data.get("sshsig"), data.get("dsse")
    if sshsig is not None and not isinstance(sshsig, str) or dsse is not None and not isinstance(dsse, dict):
        raise RecordError(f"tag {key!r}: its signature is malformed")
    if approval_key(approval.approver) != key:
        raise RecordError(f"tag {key!r} names approver {approval.approver!r}, whose key differs")
    by = data.get("recorded_by")
    return Record(key=key, approval=approval, payload=payload, sshsig=sshsig, dsse=dsse,
                  recorded_by=by if isinstance(by, str) else None, asserted=data.get("asserted") is True,
                  revoked=data.get("revoked") is True, revoked_time=_str(data.get("revoked_time")),
                  revoke_comment=_str(data.get("revoke_comment")))


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def recorded(tags: Mapping[str, str]) -> list[tuple[str, Record | None, str | None]]:
    """Every approval tag on a version: (key, record or None, why it is not one), by key."""
    out: list[tuple[str, Record | None, str | None]] = []
    for key, value in sorted(tags.items()):
        if key.startswith(PREFIX):
            try:
                out.append((key, parse(key, value), None))
            except RecordError as e:
                out.append((key, None, str(e)))
    return out
