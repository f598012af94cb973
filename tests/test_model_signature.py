"""Signed models: real EC keys and certificates made in the test, real model-signing bundles, records built here."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mlgov_checks.checks.model_signature import check_model_signature
from mlgov_checks.evidence.digests import FileDigest, ModelDigest
from mlgov_checks.policy.load import load_policy
from mlgov_checks.records import ModelVersionRecord, RunRecord
from tests.conftest import tool_missing


@pytest.fixture(autouse=True)
def _library():
    try:
        import model_signing  # noqa: F401
    except ImportError:
        tool_missing("model-signing is not installed (the test extra installs mlgov-checks[model-signing])")


def ec_key(directory: Path, name: str) -> tuple[Path, Path]:
    """A new P-256 key pair: (private PEM, public PEM)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    private, public = directory / f"{name}.pem", directory / f"{name}.pub"
    private.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    public.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                     serialization.PublicFormat.SubjectPublicKeyInfo))
    return private, public


def certificate_pair(directory: Path, name: str) -> tuple[Path, Path, Path]:
    """A CA and a leaf certificate it issues for code signing: (leaf private key, leaf cert, CA cert)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.timezone.utc)
    ca_key, leaf_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{name} CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
          .not_valid_after(now + dt.timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    leaf = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{name} signer")]))
            .issuer_name(ca_name).public_key(leaf_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=False, crl_sign=False,
                                         content_commitment=False, key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = directory / f"{name}-leaf.pem", directory / f"{name}-leaf.crt", directory / f"{name}-ca.crt"
    paths[0].write_bytes(leaf_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                serialization.NoEncryption()))
    paths[1].write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    return paths


def model_dir(directory: Path) -> Path:
    m = directory / "model"
    (m / "data").mkdir(parents=True)
    (m / "MLmodel").write_text("flavors: {python_function: {}}\n")
    (m / "data" / "weights.bin").write_bytes(os.urandom(4096))
    (m / "requirements.txt").write_text("pandas\n")
    return m


def digests(directory: Path) -> ModelDigest:
    return ModelDigest.of(FileDigest(p.relative_to(directory).as_posix(), hashlib.sha256(p.read_bytes()).hexdigest(),
                                     p.stat().st_size) for p in sorted(directory.rglob("*")) if p.is_file())


def version(digest: ModelDigest, signature: bytes | None) -> ModelVersionRecord:
    return ModelVersionRecord(name="churn", version="3", run_id="r1", run=RunRecord(run_id="r1"),
                              model_digest=digest, model_signature=signature,
                              model_signature_path="mlgov/signatures/model.sig")


@pytest.fixture
def signed(tmp_path):
    """A model signed with Ada's key; the policy allows Ada's public key."""
    from mlgov_checks.evidence import modelsig

    private, public = ec_key(tmp_path, "ada")
    m = model_dir(tmp_path)
    modelsig.sign_directory(str(m), str(tmp_path / "model.sig"), private_key=str(private))
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "ada.pub").write_bytes(public.read_bytes())
    policy_file = tmp_path / ".mlgov.yaml"
    policy_file.write_text("model_signature:\n  required: true\n  public_keys: [keys/ada.pub]\n")
    return m, (tmp_path / "model.sig").read_bytes(), load_policy(str(policy_file))


def judged(policy, files, signature):
    return [(f.status.value, f.message) for f in check_model_signature(version(files, signature), policy)]


def test_signed_by_an_allowed_key_passes(signed):
    m, bundle, policy = signed
    [(status, message)] = judged(policy, digests(m), bundle)
    assert status == "pass"
    assert message.startswith("signed by keys/ada.pub: 3 file(s) as they are now")


def test_a_changed_file_fails_naming_it(signed):
    m, bundle, policy = signed
    (m / "data" / "weights.bin").write_bytes(b"swapped")
    assert judged(policy, digests(m), bundle) == [
        ("fail", "the model changed since keys/ada.pub signed it: changed: data/weights.bin")]


def test_an_added_and_a_removed_file_fail_naming_them(signed):
    m, bundle, policy = signed
    (m / "data" / "backdoor.pkl").write_bytes(b"x")
    os.remove(m / "requirements.txt")
    assert judged(policy, digests(m), bundle) == [
        ("fail", "the model changed since keys/ada.pub signed it: added: data/backdoor.pkl; removed: requirements.txt")]


def test_a_key_not_on_the_list_fails(signed, tmp_path):
    from mlgov_checks.evidence import modelsig

    m, _, policy = signed
    mallory, _ = ec_key(tmp_path, "mallory")
    modelsig.sign_directory(str(m), str(tmp_path / "mallory.sig"), private_key=str(mallory))
    [(status, message)] = judged(policy, digests(m), (tmp_path / "mallory.sig").read_bytes())
    assert status == "fail"
    assert message.startswith("the signature mlgov/signatures/model.sig is not by an allowed signer (keys/ada.pub:")


def test_a_revoked_key_no_longer_counts(signed, tmp_path):
    m, bundle, _ = signed
    _, other = ec_key(tmp_path, "bob")
    (tmp_path / "keys" / "bob.pub").write_bytes(other.read_bytes())
    (tmp_path / ".mlgov.yaml").write_text("model_signature:\n  required: true\n  public_keys: [keys/bob.pub]\n")
    [(status, message)] = judged(load_policy(str(tmp_path / ".mlgov.yaml")), digests(m), bundle)
    assert status == "fail" and "is not by an allowed signer" in message


def test_a_signature_over_a_different_model_fails(signed, tmp_path):
    from mlgov_checks.evidence import modelsig

    _, _, policy = signed
    other = model_dir(tmp_path / "other")  # other weights, signed by the allowed key
    modelsig.sign_directory(str(other), str(tmp_path / "other.sig"), private_key=str(tmp_path / "ada.pem"))
    m = signed[0]
    [(status, message)] = judged(policy, digests(m), (tmp_path / "other.sig").read_bytes())
    assert (status, message) == ("fail", "the model changed since keys/ada.pub signed it: changed: data/weights.bin")


@pytest.mark.parametrize("bundle", [b"not json", b"{}", json.dumps({"mediaType": "x"}).encode()])
def test_a_hostile_signature_file_fails(signed, bundle):
    m, _, policy = signed
    [(status, message)] = judged(policy, digests(m), bundle)
    assert status == "fail"
    assert "not a model-signing bundle" in message or "is not by an allowed signer" in message


def test_an_unsigned_model_fails(signed):
    m, _, policy = signed
    assert judged(policy, digests(m), None) == [
        ("fail", "the model is not signed: run r1 has no mlgov/signatures/model.sig")]


def test_required_without_any_signer_fails_closed(tmp_path):
    (tmp_path / "p.yaml").write_text("model_signature:\n  required: true\n")
    one = ModelDigest.of([FileDigest("MLmodel", "0" * 64, 1)])
    [(status, message)] = judged(load_policy(str(tmp_path / "p.yaml")), one, b"{}")
    assert status == "fail" and "names no public key or certificate chain" in message


def test_not_required_says_nothing(tmp_path):
    (tmp_path / "p.yaml").write_text("version: 1\n")
    assert judged(load_policy(str(tmp_path / "p.yaml")), ModelDigest.of([]), None) == []


def test_certificate_mode_by_an_allowed_chain(tmp_path):
    from mlgov_checks.evidence import modelsig

    leaf_key, leaf, ca = certificate_pair(tmp_path, "team")
    _, _, other_ca = certificate_pair(tmp_path, "other")
    m = model_dir(tmp_path)
    modelsig.sign_directory(str(m), str(tmp_path / "model.sig"), private_key=str(leaf_key), certificate=str(leaf),
                            chain=[str(ca)])
    bundle = (tmp_path / "model.sig").read_bytes()
    (tmp_path / "p.yaml").write_text(f"model_signature:\n  required: true\n  certificate_chains: [{ca.name}]\n")
    [(status, message)] = judged(load_policy(str(tmp_path / "p.yaml")), digests(m), bundle)
    assert status == "pass" and message.startswith(f"signed by {ca.name}")
    (tmp_path / "p.yaml").write_text(f"model_signature:\n  required: true\n  certificate_chains: [{other_ca.name}]\n")
    [(status, message)] = judged(load_policy(str(tmp_path / "p.yaml")), digests(m), bundle)
    assert status == "fail" and "is not by an allowed signer" in message


def test_signing_without_the_extra_names_it(tmp_path):
    blocker = """
import sys
class _Absent:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "model_signing":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, _Absent())
from mlgov_checks.evidence import modelsig
modelsig.verify(b"{}", public_keys=[("k", b"")])
"""
    proc = subprocess.run([sys.executable, "-c", blocker], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert proc.returncode != 0
    assert "pip install 'mlgov-checks[model-signing]'" in proc.stderr
