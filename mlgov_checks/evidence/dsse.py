"""DSSE envelopes for identities that sign with a key file (CI): Ed25519 or ECDSA, via securesystemslib.

https://github.com/secure-systems-lab/dsse. The envelope signs PAE(payloadType, payload); the
verifying keys are the allowed-signers file's own (its OpenSSH public keys), with the file's
namespace and validity options enforced by `Signer.usable`, so one file is the trust root for
people (ssh-keygen) and CI (a key file) alike.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import os
from collections.abc import Mapping
from typing import Any

from mlgov_checks.errors import MissingExtraError
from mlgov_checks.evidence.signers import AllowedSigners, Signer
from mlgov_checks.evidence.sshsig import NAMESPACE
from mlgov_checks.evidence.statement import PAYLOAD_TYPE

# The name of the variable that holds a key file's passphrase (a name, not a secret).
PASSWORD_ENV = "MLGOV_SIGNING_KEY_PASSWORD"  # noqa: S105  # nosec B105 - a variable name


class DsseError(Exception):
    """A key file that cannot sign, or an envelope that is not one (the message says which)."""


def _lib() -> Any:
    try:
        from securesystemslib import dsse
        from securesystemslib.signer import CryptoSigner, SSlibKey  # type: ignore[attr-defined]
    except ImportError as e:
        raise MissingExtraError("signing with a key file needs: pip install 'mlgov-checks[signing]'") from e
    return dsse, CryptoSigner, SSlibKey


def load_private_key(path: str) -> Any:
    """A PEM (PKCS#8, SEC1) or OpenSSH private key file, Ed25519 or ECDSA."""
    _lib()
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519

    try:
        with open(os.path.expanduser(path), "rb") as fh:
            data = fh.read()
    except OSError as e:
        raise DsseError(f"cannot read key file {path!r}: {e.strerror}") from e
    secret = os.environ.get(PASSWORD_ENV)
    password = secret.encode() if secret else None
    key: Any
    try:
        if data.lstrip().startswith(b"-----BEGIN OPENSSH PRIVATE KEY-----"):
            key = serialization.load_ssh_private_key(data, password)
        else:
            key = serialization.load_pem_private_key(data, password)
    except (ValueError, TypeError) as e:
        raise DsseError(f"key file {path!r} is not a private key this can use ({e}); "
                        f"a passphrase is read from {PASSWORD_ENV}") from e
    if not isinstance(key, (ed25519.Ed25519PrivateKey, ec.EllipticCurvePrivateKey)):
        raise DsseError(f"key file {path!r}: only Ed25519 and ECDSA keys sign approvals")
    return key


def public_openssh(path: str) -> bytes:
    """The OpenSSH public key line of a private key file (what its allowed-signers line lists)."""
    from cryptography.hazmat.primitives import serialization

    return load_private_key(path).public_key().public_bytes(serialization.Encoding.OpenSSH,  # type: ignore[no-any-return]
                                                            serialization.PublicFormat.OpenSSH)


def sign(payload: bytes, key_file: str, payload_type: str = PAYLOAD_TYPE) -> dict[str, Any]:
    """The DSSE envelope (as a dict) of `payload`, signed with the private key in `key_file`."""
    dsse, crypto_signer, _ = _lib()
    signer = crypto_signer(load_private_key(key_file))
    envelope = dsse.Envelope(payload=payload, payload_type=payload_type, signatures={})
    envelope.sign(signer)
    return envelope.to_dict()  # type: ignore[no-any-return]


def payload_of(envelope: Mapping[str, Any]) -> bytes:
    """The envelope's payload bytes, unverified (to read what it claims)."""
    if envelope.get("payloadType") != PAYLOAD_TYPE:
        raise DsseError(f"payloadType is {envelope.get('payloadType')!r}, not {PAYLOAD_TYPE}")
    try:
        return base64.b64decode(str(envelope.get("payload", "")), validate=True)
    except ValueError as e:
        raise DsseError("the envelope's payload is not base64") from e


def verify(envelope: Mapping[str, Any], signers: AllowedSigners, now: dt.datetime,
           namespace: str = NAMESPACE) -> tuple[Signer | None, str]:
    """(the allowed signer whose key signed the envelope and may sign in `namespace` now, "") or
    (None, why no listed key did)."""
    dsse, _, sslib_key = _lib()
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.serialization import load_ssh_public_key
    from securesystemslib.exceptions import VerificationError

    try:
        env = dsse.Envelope.from_dict(copy.deepcopy(dict(envelope)))  # from_dict consumes its input
    except (KeyError, TypeError, ValueError) as e:
        raise DsseError(f"not a DSSE envelope: {e}") from e
    unusable: list[str] = []
    for candidate in signers.signers:
        try:
            key = sslib_key.from_crypto(load_ssh_public_key(candidate.openssh))
        except (ValueError, TypeError, UnsupportedAlgorithm):  # sk- keys sign through ssh-keygen only
            continue
        if key.keyid not in env.signatures:
            continue
        try:
            env.verify([key], 1)
        except VerificationError:
            continue
        why = candidate.usable(now, namespace)
        if why is None:
            return candidate, ""
        unusable.append(f"{','.join(candidate.principals)}'s key {why}")
    return None, "; ".join(unusable) or "no key in the allowed signers made this signature"
