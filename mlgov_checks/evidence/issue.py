"""Making an approval: the statement of what the version is now, signed when the approver has a key.

`mlgov approve` fetches the version with its card and the digest of its model files (streamed
once), states them with the source run and the policy's digest, and signs the statement with the
approver's SSH key (ssh-keygen, namespace `mlgov-approval`) or a CI key file (DSSE). With a key,
the approver is the key's principal in the allowed signers; `--as` naming someone else is refused.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
from dataclasses import dataclass, replace
from typing import Any

from mlgov_checks.errors import UsageError
from mlgov_checks.evidence import binding, dsse, sshsig
from mlgov_checks.evidence.approval_record import MAX_COMMENT, MAX_VALUE, Record, approval_key
from mlgov_checks.evidence.signers import AllowedSigners
from mlgov_checks.evidence.statement import Approval
from mlgov_checks.governance import identity
from mlgov_checks.records import ModelVersionRecord


class IssueError(Exception):
    """The approval cannot be made as asked (the message says why); nothing was written."""


@dataclass(frozen=True)
class SigningKey:
    ssh: str | None = None  # a private key file, or a public key whose private half an ssh-agent holds
    key_file: str | None = None  # a PEM or OpenSSH private key file (Ed25519/ECDSA): a DSSE envelope

    def __post_init__(self) -> None:
        if self.ssh and self.key_file:
            raise UsageError("give one of --sign-with and --key-file")


def git_signing_key(cwd: str | None = None) -> str:
    """git's `user.signingkey`, as git uses it for SSH-signed commits (`gpg.format ssh`)."""
    git = shutil.which("git")
    if git is None:
        raise UsageError("--sign-with git needs git (to read user.signingkey)")

    def get(name: str) -> str:
        proc = subprocess.run([git, "config", "--get", name], cwd=cwd, capture_output=True, text=True,  # nosec B603
                              check=False, timeout=30)
        return proc.stdout.strip()

    key = get("user.signingkey")
    if not key or get("gpg.format") != "ssh":
        raise UsageError("git has no SSH signing key (git config gpg.format ssh; git config user.signingkey KEY)")
    if key.startswith("key::"):
        raise UsageError("git's user.signingkey is a literal key: name its file with --sign-with PATH")
    return key


def _public_blob(key: SigningKey, payload: bytes) -> bytes:
    """The signing key's public blob: from KEY.pub (or KEY itself, an agent's public key), else from
    a signature of `payload` (what ssh-keygen would sign anyway)."""
    if key.key_file:
        return base64.b64decode(dsse.public_openssh(key.key_file).split()[1])
    path = os.path.expanduser(key.ssh or "")
    for candidate in (path, f"{path}.pub"):
        if candidate.endswith(".pub") and os.path.isfile(candidate):
            with open(candidate, encoding="utf-8") as fh:
                fields = fh.read().split()
            if len(fields) >= 2:
                return base64.b64decode(fields[1])
    return sshsig.public_key(sshsig.sign(payload, path))[1]


def issue(version: ModelVersionRecord, **options: Any) -> Record:
    """`make()`, with a key that cannot sign turned into IssueError."""
    try:
        return make(version, **options)
    except (sshsig.SshSigError, dsse.DsseError) as e:
        raise IssueError(str(e)) from e


def make(version: ModelVersionRecord, *, policy_sha256: str, actor: str, asserted: bool, recorded_by: str | None,
          comment: str, time: str, key: SigningKey | None, signers: AllowedSigners | None) -> Record:
    """The approval record of `actor` (or of the key's principal) for `version` as it is now."""
    now = binding.current(version, policy_sha256)
    if now.model_sha256 is None:
        raise IssueError(f"cannot state what is approved: {now.model_note}")
    if now.card_sha256 is None:
        raise IssueError(f"cannot state what is approved: {now.card_note}")
    approver = actor
    if key is not None:
        probe = Approval(version.name, version.version, now.model_sha256, now.run_id, now.card_sha256,
                         policy_sha256, actor, time).payload()
        names = tuple(signers.principals_of(_public_blob(key, probe))) if signers is not None else None
        if signers is not None and not names:
            raise IssueError(f"the signing key is not in the allowed signers ({signers.shown})")
        if names:
            if asserted and not any(identity.People().same(actor, n) for n in names):
                raise IssueError(f"--as {actor} names someone else: the signing key is {', '.join(names)}'s")
            approver = names[0]
    approval = Approval(version.name, version.version, now.model_sha256, now.run_id, now.card_sha256,
                        policy_sha256, approver, time, comment=comment[:MAX_COMMENT])
    payload = approval.payload()
    record = Record(key=approval_key(approver), approval=approval, payload=payload, recorded_by=recorded_by,
                    asserted=asserted and key is None)
    if key is not None and key.ssh:
        record = replace(record, sshsig=sshsig.sign(payload, os.path.expanduser(key.ssh)))
    elif key is not None and key.key_file:
        envelope = dsse.sign(payload, key.key_file)
        record = replace(record, dsse={"payloadType": envelope["payloadType"], "signatures": envelope["signatures"]})
    if len(record.to_json()) > MAX_VALUE:
        raise IssueError(f"the approval is {len(record.to_json())} characters, over the registry's {MAX_VALUE} "
                         "for a tag value: shorten --comment")
    return record
