"""`mlgov sign`: sign a registered version's model (OpenSSF model signing) and store the signature."""

from __future__ import annotations

import os
from typing import Any

import click

from mlgov_checks.cli._options import connect, mlflow_options, policy_option
from mlgov_checks.cli.app import Settings, command_runner, main, say


@main.command("sign")
@click.argument("target")
@click.option("--key", "private_key", type=click.Path(dir_okay=False, exists=True), default=None,
              help="EC private key (PEM, P-256/384/521) that signs.")
@click.option("--password-env", default=None, metavar="VAR", help="Environment variable holding the key's password.")
@click.option("--certificate", type=click.Path(dir_okay=False, exists=True), default=None,
              help="Signing certificate for --key (certificate mode).")
@click.option("--chain", multiple=True, type=click.Path(dir_okay=False, exists=True),
              help="Certificate chain for --certificate (repeatable).")
@click.option("--sigstore", is_flag=True, help="Sign keyless with Sigstore (needs network and an OIDC identity).")
@mlflow_options
@policy_option
@command_runner
def sign_cmd(target: str, private_key: str | None, password_env: str | None, certificate: str | None,
             chain: tuple[str, ...], sigstore: bool, **opts: Any) -> int:
    """Sign the model files of a registered version and store the signature in the version's run.

    TARGET: models:/NAME/VERSION or models:/NAME@ALIAS. Every file of the version's model is
    signed (sha256 each) in the OpenSSF model-signing format and the bundle is logged to the run
    as mlgov/signatures/<model>.sig; `mlgov check` verifies it when the policy sets
    model_signature.required. Needs the model-signing extra: pip install 'mlgov-checks[model-signing]'.
    """
    from mlgov_checks.governance import signing

    password = os.environ.get(password_env) if password_env else None
    signer = signing.Signer(private_key=private_key, password=password, certificate=certificate, chain=chain,
                            sigstore=sigstore)
    signer.check()
    reader, writer = connect(opts, Settings.from_options(opts).policy)
    done = signing.sign_version(target, signer, reader=reader, writer=writer)
    say(f"signed {done.target}: {done.files} file(s) of {done.location}; signature stored as {done.signature}")
    return 0
