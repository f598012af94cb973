"""SSH signatures, as git makes them for signed commits: `ssh-keygen -Y sign` / `-Y verify`.

We never do the cryptography ourselves: ssh-keygen signs (with a key file, an ssh-agent key or a
FIDO `sk-` key, exactly as for git) and verifies against an allowed-signers file, enforcing its
`namespaces=`, `valid-after=` and `valid-before=` options. Our namespace keeps a signature made
for git (namespace `git`) or for anything else from counting as an approval.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import struct
import subprocess
import tempfile
from dataclasses import dataclass

NAMESPACE = "mlgov-approval"
ARMOR_BEGIN = "-----BEGIN SSH SIGNATURE-----"
ARMOR_END = "-----END SSH SIGNATURE-----"
TIMEOUT = 60.0


class SshSigError(Exception):
    """ssh-keygen could not sign, or a signature is malformed (the message says which)."""


@dataclass(frozen=True)
class Verified:
    principal: str
    fingerprint: str  # SHA256:... of the signing key, as ssh-keygen prints it


def ssh_keygen() -> str:
    found = shutil.which("ssh-keygen")
    if found is None:
        raise SshSigError("ssh-keygen is not installed (it comes with OpenSSH)")
    return found


def _run(args: list[str], stdin: bytes) -> subprocess.CompletedProcess[bytes]:
    try:
        # ssh-keygen from PATH with our own arguments; no shell
        return subprocess.run([ssh_keygen(), *args], input=stdin, capture_output=True,  # nosec B603
                              timeout=TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise SshSigError(f"ssh-keygen failed to run: {e}") from e


def _reason(proc: subprocess.CompletedProcess[bytes]) -> str:
    text = proc.stderr.decode("utf-8", "replace").strip().splitlines()
    useful = [ln.split(": ", 1)[-1] if ln.startswith("/") else ln for ln in text if ln.strip()]
    return "; ".join(dict.fromkeys(useful)) or f"ssh-keygen exited {proc.returncode}"


def sign(payload: bytes, key: str, *, namespace: str = NAMESPACE) -> str:
    """The armored signature of `payload` by `key`: a private key file, or a public key file whose
    private half an ssh-agent holds (as git's `user.signingkey`); FIDO keys ask for a touch."""
    path = os.path.expanduser(key)
    if not os.path.exists(path):
        raise SshSigError(f"signing key {key!r} does not exist")
    proc = _run(["-Y", "sign", "-n", namespace, "-f", path, "-q"], payload)
    text = proc.stdout.decode("ascii", "replace").strip()
    if proc.returncode != 0 or not text.startswith(ARMOR_BEGIN):
        raise SshSigError(f"ssh-keygen could not sign with {key!r}: {_reason(proc)}")
    return text


def public_key(signature: str) -> tuple[str, bytes]:
    """(key type, key blob) of the key that made an armored signature (the SSHSIG format, read only)."""
    body = signature.strip()
    if not body.startswith(ARMOR_BEGIN) or not body.endswith(ARMOR_END):
        raise SshSigError("not an armored SSH signature")
    try:
        raw = base64.b64decode("".join(body[len(ARMOR_BEGIN):-len(ARMOR_END)].split()), validate=True)
        if raw[:6] != b"SSHSIG":
            raise ValueError("no SSHSIG magic")
        (length,) = struct.unpack(">I", raw[10:14])
        blob = raw[14:14 + length]
        (tlen,) = struct.unpack(">I", blob[:4])
        kind = blob[4:4 + tlen].decode("ascii")
    except (ValueError, struct.error, UnicodeDecodeError) as e:
        raise SshSigError(f"malformed SSH signature: {e}") from e
    if len(blob) != length or not kind:
        raise SshSigError("malformed SSH signature: truncated public key")
    return kind, blob


def fingerprint(blob: bytes) -> str:
    """The key's SHA256 fingerprint, in ssh-keygen's spelling."""
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def verify(payload: bytes, signature: str, *, principal: str, allowed_signers: bytes,
           namespace: str = NAMESPACE) -> tuple[Verified | None, str]:
    """(Verified, "") when `signature` is `principal`'s over `payload` in `namespace` under the
    allowed-signers file's content, now; else (None, ssh-keygen's reason)."""
    _, blob = public_key(signature)
    with tempfile.TemporaryDirectory(prefix="mlgov-sshsig-") as tmp:
        signers = os.path.join(tmp, "allowed_signers")
        sig = os.path.join(tmp, "approval.sig")
        with open(signers, "wb") as fh:
            fh.write(allowed_signers)
        with open(sig, "w", encoding="ascii") as fh:
            fh.write(signature.strip() + "\n")
        proc = _run(["-Y", "verify", "-f", signers, "-I", principal, "-n", namespace, "-s", sig], payload)
    if proc.returncode != 0:
        return None, _reason(proc)
    return Verified(principal=principal, fingerprint=fingerprint(blob)), ""
