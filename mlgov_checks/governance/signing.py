"""`mlgov sign`: sign a registered version's model files (OpenSSF model signing), store the bundle in its run."""

from __future__ import annotations

import os
import posixpath
import tempfile
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mlgov_checks.errors import EvaluationError, UsageError

if TYPE_CHECKING:
    from mlgov_checks.backend import Reader, Writer


@dataclass(frozen=True)
class Signer:
    """What signs: an EC private key (key mode), with a certificate and chain (certificate mode), or Sigstore."""

    private_key: str | None = None
    password: str | None = None
    certificate: str | None = None
    chain: tuple[str, ...] = ()
    sigstore: bool = False

    def check(self) -> None:
        if self.sigstore and (self.private_key or self.certificate):
            raise UsageError("--sigstore signs keyless: give no --key or --certificate with it")
        if not self.sigstore and not self.private_key:
            raise UsageError("no signer: give --key PEM (and --certificate for certificate mode), or --sigstore")
        if self.chain and not self.certificate:
            raise UsageError("--chain goes with --certificate")


@dataclass(frozen=True)
class Signed:
    target: str
    location: str  # where the model files were read
    files: int
    signature: str  # where the bundle was stored


def sign_version(target: str, signer: Signer, *, reader: Reader, writer: Writer) -> Signed:
    """Sign every file of the version's model and store the bundle in the version's run (one write).

    Refused, with nothing written, for a version whose model does not come from its own run (the
    signature would vouch for borrowed evidence) or whose model files cannot be located.
    """
    from mlgov_checks.backend import FetchSpec
    from mlgov_checks.evidence import modelsig
    from mlgov_checks.records import ModelVersionRecord
    from mlgov_checks.targets import parse_targets

    signer.check()
    parsed = parse_targets([target])
    if parsed[0].run_id:
        raise UsageError(f"{target}: mlgov sign signs a registered version: models:/NAME/VERSION or models:/NAME@ALIAS")
    found = reader.resolve(parsed, FetchSpec(evidence=True))[0]
    version = found.record
    if not isinstance(version, ModelVersionRecord):
        raise EvaluationError(found.error or f"{target}: could not be read", hint=found.hint)
    origin = version.model_origin
    if version.run is None or not version.run_id:
        raise UsageError(f"{version.target} has no source run to store its signature in")
    if origin is None or origin.run_id != version.run_id:
        raise UsageError(f"{version.target}: its model does not come from its run {version.run_id} "
                         f"({origin.via if origin else 'unknown origin'}): not signed")
    with tempfile.TemporaryDirectory(prefix="mlgov-sign-") as tmp:
        model_dir = os.path.join(tmp, "model")
        os.makedirs(model_dir)
        where = reader.download_model(version, model_dir)
        if where is None or not where[0]:
            raise UsageError(f"{version.target}: the model's files cannot be located: nothing to sign")
        count, sig_path = where
        location = f"models:/{version.model_id}" if sig_path.endswith(f"/{version.model_id}.sig") else \
            f"runs:/{version.run_id}/{sig_path.removeprefix('mlgov/signatures/').removesuffix('.sig')}"
        folder, name = posixpath.split(sig_path)
        local = os.path.join(tmp, name)
        try:
            modelsig.sign_directory(model_dir, local, private_key=signer.private_key, password=signer.password,
                                    certificate=signer.certificate, chain=signer.chain, sigstore=signer.sigstore)
        except modelsig.SigningError as e:
            raise UsageError(f"{version.target}: {e}") from e
        writer.log_file(version.run_id, local, folder)
    return Signed(target=version.target, location=location, files=count,
                  signature=f"runs:/{version.run_id}/{sig_path}")
