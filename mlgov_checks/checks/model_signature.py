"""Signed models: the version's model files are signed by an allowed signer, as they are now."""

from __future__ import annotations

from collections.abc import Iterator

from mlgov_checks.checks._base import check_from
from mlgov_checks.evidence import digests
from mlgov_checks.findings import Finding
from mlgov_checks.policy.files import read_named_file
from mlgov_checks.policy.load import Policy
from mlgov_checks.records import ModelVersionRecord


def check_model_signature(version: ModelVersionRecord, policy: Policy) -> Iterator[Finding]:
    """With `model_signature.required`, the version's model carries an OpenSSF model-signing
    signature by an allowed signer that covers its files as they are now.

    `mlgov sign TARGET` (or `mlgov_checks.sign_model` in the training job) signs every file of the
    version's model with a key or certificate and stores the bundle in the version's run under
    `mlgov/signatures/`. The allowed signers are the PEM public keys (`model_signature.public_keys`)
    and certificate chains (`model_signature.certificate_chains`) the policy names, read from the
    repository (at the base ref under `--policy-ref`): the registry holds no trust. The gate
    streams every model file once and compares its sha256 with the signed manifest: a changed,
    added or removed file fails, naming it. MLflow's `registered_model_meta` and version-control
    files are never part of the model.
    """
    conf = policy.section("model_signature")
    if not conf["required"] or version.run is None:
        return
    digest, target = version.model_digest, version.target
    if digest is None or version.model_signature_path is None:
        why = version.model_digest_note or "the model's files cannot be located"
        yield SIGNATURE.failed(target, f"{why}, so no signature can cover them")
        return
    if version.model_signature is None:
        yield SIGNATURE.failed(target, f"the model is not signed: run {version.run_id} has no "
                                       f"{version.model_signature_path}")
        return
    keys = [_pem(policy, "model_signature.public_keys", p) for p in conf["public_keys"]]
    chains = [_pem(policy, "model_signature.certificate_chains", p) for p in conf["certificate_chains"]]
    if not keys and not chains:
        yield SIGNATURE.failed(target, "model_signature.required is on but the policy names no public key or "
                                       "certificate chain: no signature can count")
        return
    from mlgov_checks.evidence import modelsig

    signed = modelsig.verify(version.model_signature, public_keys=keys, chains=chains)
    if isinstance(signed, list):
        yield SIGNATURE.failed(target, f"the signature {version.model_signature_path} is not by an allowed signer "
                                       f"({'; '.join(signed) or 'no verifier'})")
        return
    changed = digests.changes(signed.files, digest.by_path())
    if changed:
        yield SIGNATURE.failed(target, f"the model changed since {signed.signer} signed it: {'; '.join(changed)}",
                               hint="sign the model again once the change is reviewed, or restore the signed files")
    else:
        count = len(digest.files)
        yield SIGNATURE.passed(target, f"signed by {signed.signer}: {count} file(s) as they are now "
                                       f"(sha256 {signed.root[:16]}...)")


def _pem(policy: Policy, key: str, value: str) -> tuple[str, bytes]:
    named = read_named_file(policy, value, key=key)
    return named.shown, named.content


SIGNATURE = check_from(check_model_signature, "evidence-model-signature", "The model is signed by an allowed signer",
                       hint="sign it: mlgov sign models:/NAME/VERSION --key signer.pem")
