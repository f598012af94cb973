"""Real keys for the signing tests: ssh-keygen key pairs and securesystemslib key files, made in the test."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.conftest import tool_missing


@dataclass(frozen=True)
class SshKey:
    private: Path
    public_line: str  # "ssh-ed25519 AAAA..."

    @property
    def public(self) -> Path:
        return Path(f"{self.private}.pub")


def ssh_key(directory: Path, name: str, kind: str = "ed25519") -> SshKey:
    """A new SSH key pair, no passphrase."""
    if shutil.which("ssh-keygen") is None:
        tool_missing("ssh-keygen (OpenSSH) is not installed")
    path = directory / name
    subprocess.run(["ssh-keygen", "-q", "-t", kind, "-N", "", "-C", name, "-f", str(path)], check=True)
    line = " ".join(Path(f"{path}.pub").read_text().split()[:2])
    return SshKey(path, line)


def key_file(directory: Path, name: str, kind: str = "ed25519") -> tuple[Path, str]:
    """A CI key file (PEM, PKCS#8) made by securesystemslib, and its OpenSSH public key line."""
    from cryptography.hazmat.primitives import serialization
    from securesystemslib.signer import CryptoSigner

    signer = CryptoSigner.generate_ed25519() if kind == "ed25519" else CryptoSigner.generate_ecdsa()
    path = directory / f"{name}.pem"
    path.write_bytes(signer.private_bytes)
    os.chmod(path, 0o600)
    private = serialization.load_pem_private_key(signer.private_bytes, None)
    line = private.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                             serialization.PublicFormat.OpenSSH).decode()
    return path, line


def allowed_signers(path: Path, *entries: tuple[str, str] | tuple[str, str, str]) -> Path:
    """Write an allowed-signers file: (principals, public key line[, options]) per line."""
    lines = []
    for entry in entries:
        principals, key = entry[0], entry[1]
        options = f"{entry[2]} " if len(entry) > 2 else ""
        lines.append(f"{principals} {options}{key}")
    path.write_text("\n".join(lines) + "\n")
    return path


def signing_team(directory: Path, policy_text: str) -> dict[str, Any]:
    """ann (ed25519), bob (ecdsa) and the CI key file on the allowed-signers list, eve off it, and the
    policy `policy_text` as `.mlgov.yaml` beside them."""
    ann, bob, eve = ssh_key(directory, "ann"), ssh_key(directory, "bob", "ecdsa"), ssh_key(directory, "eve")
    ci, ci_line = key_file(directory, "ci")
    signers = allowed_signers(directory / "allowed_signers", ("ann", ann.public_line), ("bob", bob.public_line),
                              ("ci-bot", ci_line))
    policy = directory / ".mlgov.yaml"
    policy.write_text(policy_text)
    return {"ann": ann, "bob": bob, "eve": eve, "ci": ci, "ci_line": ci_line, "signers": signers,
            "policy": str(policy), "dir": directory}
