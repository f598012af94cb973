"""Making an approval: the statement of what the version is now, signed when the approver has a key.

`mlgov approve` fetches the version with its card and the digest of its model files (streamed
once), states them with the source run and the policy's digest, and signs the statement with the
approver's SSH key (ssh-keygen, namespace `mlgov-approval`) or a CI key file (DSSE). With a key,
the approver is the key's principal in the allowed signers; `--as` naming someone else is refused.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from typing import Any

from mlgov_checks.errors import UsageError
from mlgov_checks.evidence import binding, dsse, keysign, sshsig
from mlgov_checks.evidence.approval_record import MAX_COMMENT, MAX_VALUE, Record, approval_key
from mlgov_checks.evidence.keysign import SigningKey as SigningKey
from mlgov_checks.evidence.signers import AllowedSigners
from mlgov_checks.evidence.statement import Approval
from mlgov_checks.governance import identity
from mlgov_checks.records import ModelVersionRecord


class IssueError(Exception):
    """The approval cannot be made as asked (the message says why); nothing was written."""


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


def key_holder(key: SigningKey, actor: str, *, asserted: bool, signers: AllowedSigners | None,
               probe: bytes) -> str:
    """Who signs with `key`: its first principal in the allowed signers (`actor` when there is no list).
    UsageError when the key is not listed, or `--as` (`asserted`) names someone else."""
    names = tuple(signers.principals_of(keysign.public_blob(key, probe))) if signers is not None else ()
    if signers is not None and not names:
        raise UsageError(f"the signing key is not in the allowed signers ({signers.shown})")
    if names and asserted and not any(identity.People().same(actor, n) for n in names):
        raise UsageError(f"--as {actor} names someone else: the signing key is {', '.join(names)}'s")
    return names[0] if names else actor


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
        try:
            approver = key_holder(key, actor, asserted=asserted, signers=signers, probe=probe)
        except UsageError as e:
            raise IssueError(e.message) from e
    approval = Approval(version.name, version.version, now.model_sha256, now.run_id, now.card_sha256,
                        policy_sha256, approver, time, comment=comment[:MAX_COMMENT])
    payload = approval.payload()
    record = Record(key=approval_key(approver), approval=approval, payload=payload, recorded_by=recorded_by,
                    asserted=asserted and key is None)
    if key is not None:
        signed = keysign.sign(payload, key, keysign.APPROVAL)
        record = replace(record, sshsig=signed.sshsig, dsse=signed.dsse)
    if len(record.to_json()) > MAX_VALUE:
        raise IssueError(f"the approval is {len(record.to_json())} characters, over the registry's {MAX_VALUE} "
                         "for a tag value: shorten --comment")
    return record
