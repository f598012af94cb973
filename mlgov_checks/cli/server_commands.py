"""`mlgov webhook-receiver`: MLflow's registry webhooks, verified and recorded for `mlgov audit`."""

from __future__ import annotations

import os

import click

from mlgov_checks.cli.app import command_runner, main, say
from mlgov_checks.errors import UsageError


@main.command("webhook-receiver")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8787, show_default=True)
@click.option("--events", required=True, metavar="FILE", help="Append each verified event here (JSON lines).")
@command_runner
def webhook_receiver_cmd(host: str, port: int, events: str) -> int:
    """Receive MLflow registry webhooks (MLflow 3.3+): verify X-MLflow-Signature with the secret in
    MLGOV_WEBHOOK_SECRET, refuse stale or repeated deliveries, and append each verified event to FILE,
    which `mlgov audit MODEL --webhook-events FILE` reads. Runs until interrupted.

    Create the webhook with the same secret, e.g. MlflowClient().create_webhook(name, url,
    events=["model_version_alias.created", "model_version_alias.deleted"], secret=...).
    """
    from mlgov_checks.integrations.server.webhook import SECRET_ENV, Receiver

    secret = os.environ.get(SECRET_ENV, "")
    if not secret:
        raise UsageError(f"{SECRET_ENV} is not set: the webhook's secret")
    server = Receiver(secret, events).serve(host, port)
    say(f"mlgov webhook-receiver: listening on http://{host}:{server.server_address[1]}/", err=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0
