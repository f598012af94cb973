"""Signing and verifying evidence with the keys people already have: one machinery for approvals and decisions.

A person signs with an SSH key (`ssh-keygen -Y sign`, as git signs commits: a key file, an
ssh-agent key or a FIDO key), a CI identity with a key file (a DSSE envelope, Ed25519 or ECDSA).
A signature counts as the principal(s) its key has in the allowed-signers file, and only in its
namespace: approvals are signed in `mlgov-approval`, decision records in `mlgov-decision`, so a
signature made for one never verifies as the other (nor as a git commit's, namespace `git`).
"""

from __future__ import annotations

import base64
import datetime as dt
import enum
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mlgov_checks.errors import UsageError
from mlgov_checks.evidence import dsse, sshsig, statement
from mlgov_checks.evidence.signers import AllowedSigners


class Proof(str, enum.Enum):
    SSH = "ssh signature"
    DSSE = "DSSE signature"
    CLAIM = "claim"  # unsigned: the registry says so, nothing more


@dataclass(frozen=True)
class Domain:
    """What a signature is for: its SSH namespace and its DSSE payload type."""

    namespace: str
    payload_type: str


APPROVAL = Domain(sshsig.NAMESPACE, statement.PAYLOAD_TYPE)
DECISION = Domain("mlgov-decision", "application/vnd.mlgov.decision+json")


@dataclass(frozen=True)
class SigningKey:
    ssh: str | None = None  # a private key file, or a public key whose private half an ssh-agent holds
    key_file: str | None = None  # a PEM or OpenSSH private key file (Ed25519/ECDSA): a DSSE envelope

    def __post_init__(self) -> None:
        if self.ssh and self.key_file:
            raise UsageError("give one of --sign-with and --key-file")


@dataclass(frozen=True)
class Signature:
    """A signature as stored beside what it signs: ssh-keygen's armored text, or DSSE signatures."""

    sshsig: str | None = None
    dsse: Mapping[str, Any] | None = None  # payloadType and signatures (the payload is stored apart)

    def to_dict(self) -> dict[str, Any]:
        return {"sshsig": self.sshsig} if self.sshsig is not None else {"dsse": dict(self.dsse or {})}


@dataclass(frozen=True)
class Verified:
    names: tuple[str, ...]  # every principal of the signing key (one key, one person)
    fingerprint: str
    proof: Proof


def sign(payload: bytes, key: SigningKey, domain: Domain) -> Signature:
    """`payload` signed with `key` in `domain` (sshsig.SshSigError / dsse.DsseError when it cannot)."""
    if key.ssh:
        return Signature(sshsig=sshsig.sign(payload, os.path.expanduser(key.ssh), namespace=domain.namespace))
    envelope = dsse.sign(payload, key.key_file or "", payload_type=domain.payload_type)
    return Signature(dsse={"payloadType": envelope["payloadType"], "signatures": envelope["signatures"]})


def public_blob(key: SigningKey, probe: bytes) -> bytes:
    """The signing key's public blob: from KEY.pub (or KEY itself, an agent's public key), else from
    a signature of `probe` (what ssh-keygen would sign anyway)."""
    if key.key_file:
        return base64.b64decode(dsse.public_openssh(key.key_file).split()[1])
    path = os.path.expanduser(key.ssh or "")
    for candidate in (path, f"{path}.pub"):
        if candidate.endswith(".pub") and os.path.isfile(candidate):
            with open(candidate, encoding="utf-8") as fh:
                fields = fh.read().split()
            if len(fields) >= 2:
                return base64.b64decode(fields[1])
    return sshsig.public_key(sshsig.sign(probe, path))[1]


def verify(payload: bytes, sig: Signature, signers: AllowedSigners | None, now: dt.datetime,
           domain: Domain) -> tuple[Verified | None, str]:
    """(who signed `payload`, "") when `sig` is a listed key's in `domain`, usable now; else (None, why)."""
    if signers is None:
        return None, "it is signed, but the policy names no approval.allowed_signers to verify it with"
    try:
        if sig.sshsig is not None:
            return _ssh(payload, sig.sshsig, signers, domain)
        envelope = {**(sig.dsse or {}), "payload": base64.b64encode(payload).decode()}
        if envelope.get("payloadType") != domain.payload_type:
            return None, f"its DSSE payloadType is {envelope.get('payloadType')!r}, not {domain.payload_type}"
        signer, why = dsse.verify(envelope, signers, now, namespace=domain.namespace)
    except (sshsig.SshSigError, dsse.DsseError) as e:
        return None, str(e)
    if signer is None:
        return None, f"the DSSE signature does not verify: {why}"
    return Verified(tuple(signers.principals_of(signer.key)), signer.fingerprint, Proof.DSSE), ""


def _ssh(payload: bytes, text: str, signers: AllowedSigners, domain: Domain) -> tuple[Verified | None, str]:
    _, blob = sshsig.public_key(text)
    names = signers.principals_of(blob)
    fp = sshsig.fingerprint(blob)
    if not names:
        return None, f"its signing key {fp} is not in the allowed signers ({signers.shown})"
    ok, why = sshsig.verify(payload, text, principal=names[0], allowed_signers=signers.content,
                            namespace=domain.namespace)
    if ok is None:
        return None, f"the SSH signature by {names[0]}'s key {fp} does not verify: {why}"
    return Verified(tuple(names), fp, Proof.SSH), ""


def parse(data: Any) -> Signature | None:
    """A stored signature (`{"sshsig": ...}` or `{"dsse": {...}}`), None when `data` is not one."""
    if not isinstance(data, dict):
        return None
    ssh, envelope = data.get("sshsig"), data.get("dsse")
    if isinstance(ssh, str):
        return Signature(sshsig=ssh)
    if isinstance(envelope, dict):
        return Signature(dsse=envelope)
    return None
