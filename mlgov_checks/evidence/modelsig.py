"""OpenSSF model signing through the `model-signing` library: sign a model directory, verify a bundle.

Key and certificate modes work offline; Sigstore keyless needs the network and an OIDC identity
(CI). The library is the `model-signing` extra and is imported only here, when a command or a policy
asks for signatures, never on the card hook's path. Verifying returns the signed manifest (each
file's sha256) so that the caller compares it with the digests it streamed from the registry: the
model is read once, by the gate, and never downloaded again for the library to hash.
"""

from __future__ import annotations

import os
import pathlib
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from mlgov_checks.errors import MissingExtraError
from mlgov_checks.evidence import digests

EXTRA = "this needs the model-signing extra: pip install 'mlgov-checks[model-signing]'"


@dataclass(frozen=True)
class Signed:
    """A signature that verified: who signed (the key or chain that verified it) and what they signed."""

    signer: str
    files: dict[str, str]  # relative POSIX path -> sha256 hex, as signed
    root: str  # the statement's subject digest


def _library() -> Any:
    try:
        import model_signing.hashing
        import model_signing.signing
        from model_signing._signing import sign_certificate, sign_ec_key, sign_sigstore_pb
    except ImportError as e:  # the extra, or pyOpenSSL (which model-signing 1.1 needs but does not declare)
        raise MissingExtraError(f"{EXTRA} ({e})") from e
    return model_signing, sign_ec_key, sign_certificate, sign_sigstore_pb


def sign_directory(model_dir: str, signature_path: str, *, private_key: str | None = None,
                   password: str | None = None, certificate: str | None = None, chain: Sequence[str] = (),
                   sigstore: bool = False) -> None:
    """Sign every file of `model_dir` (sha256 per file) into the bundle `signature_path`.

    An EC private key (P-256/384/521 PEM) alone signs in key mode; with `certificate` (and its
    `chain`) in certificate mode; `sigstore` signs keyless (network, OIDC).
    """
    model_signing = _library()[0]
    config = model_signing.signing.Config()
    hashing = model_signing.hashing.Config().set_ignored_paths(
        paths=[os.path.join(model_dir, n) for n in sorted(digests.IGNORED)], ignore_git_paths=True)
    config.set_hashing_config(hashing.use_file_serialization(hashing_algorithm="sha256"))
    if sigstore:
        config.use_sigstore_signer()
    elif certificate:
        config.use_certificate_signer(private_key=private_key, signing_certificate=certificate,
                                      certificate_chain=list(chain))
    elif private_key:
        config.use_elliptic_key_signer(private_key=private_key, password=password)
    else:
        raise ValueError("no signer: give a private key, a certificate, or sigstore")
    try:
        config.sign(model_dir, signature_path)
    except (ValueError, OSError, TypeError) as e:  # a bad key or password, an unreadable file
        raise SigningError(f"cannot sign: {e}") from e


class SigningError(Exception):
    """Signing failed (a bad key or password, a file that cannot be read)."""


def verify(bundle: bytes, *, public_keys: Sequence[tuple[str, bytes]] = (),
           chains: Sequence[tuple[str, bytes]] = ()) -> Signed | list[str]:
    """The signed manifest when one of the allowed keys or chains verifies `bundle`, else why not (one reason each).

    `public_keys` and `chains`: (shown name, PEM bytes). An empty list of chains is never the
    system's roots: only what the policy names is trusted.
    """
    _, ec_key, certificate, sigstore_pb = _library()
    reasons: list[str] = []
    with tempfile.TemporaryDirectory(prefix="mlgov-sig-") as tmp:
        sig_file = pathlib.Path(tmp, "model.sig")
        sig_file.write_bytes(bundle)
        try:
            signature = sigstore_pb.Signature.read(sig_file)
        except Exception as e:  # noqa: BLE001 - any parse failure of a hostile file is one reason
            return [f"the signature is not a model-signing bundle ({type(e).__name__}: {str(e)[:120]})"]
        for shown, make in _verifiers(tmp, public_keys, chains, ec_key, certificate):
            try:
                manifest = make().verify(signature)
            except Exception as e:  # noqa: BLE001 - the library raises many kinds for "not this key"
                reasons.append(f"{shown}: {type(e).__name__}{': ' + str(e)[:80] if str(e) else ''}")
                continue
            return _signed(shown, manifest)
    return reasons


def _verifiers(tmp: str, keys: Sequence[tuple[str, bytes]], chains: Sequence[tuple[str, bytes]],
               ec_key: Any, certificate: Any) -> Iterator[tuple[str, Any]]:
    for i, (shown, pem) in enumerate(keys):
        path = pathlib.Path(tmp, f"key{i}.pem")
        path.write_bytes(pem)
        yield shown, lambda p=path: ec_key.Verifier(p)
    for i, (shown, pem) in enumerate(chains):
        path = pathlib.Path(tmp, f"chain{i}.pem")
        path.write_bytes(pem)
        yield shown, lambda p=path: certificate.Verifier([p])


def _signed(shown: str, manifest: Any) -> Signed | list[str]:
    kind = manifest.serialization_type
    if kind.get("method") != "files" or kind.get("hash_type") != "sha256":
        return [f"{shown}: the model was signed per {kind.get('method')}/{kind.get('hash_type')}; "
                "mlgov compares sha256 digests per file (sign with `mlgov sign`)"]
    files = {str(rd.identifier): str(rd.digest.digest_hex) for rd in manifest.resource_descriptors()}
    root = digests.root_digest([digests.FileDigest(p, sha, 0) for p, sha in files.items()])
    return Signed(signer=shown, files=files, root=root)
