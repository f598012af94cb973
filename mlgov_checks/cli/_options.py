"""Click options shared by several commands, and the one place a command connects to MLflow."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from mlgov_checks.reports.findings import FORMATS

if TYPE_CHECKING:
    from mlgov_checks.backend import Backend
    from mlgov_checks.evidence.keysign import SigningKey
    from mlgov_checks.policy.load import Policy

F = TypeVar("F", bound=Callable[..., Any])

AS_HELP = "Who is acting (default: GITHUB_ACTOR, else MLFLOW_TRACKING_USERNAME, else the OS user)."


def policy_option(func: F) -> F:
    func = click.option("--policy-ref", "policy_ref", metavar="REF", envvar="MLGOV_POLICY_REF",
                        help="Judge by the policy committed at git REF (e.g. origin/main) and report any "
                             "loosening by the working tree's policy. Env: MLGOV_POLICY_REF.")(func)
    return click.option("--policy", "policy", type=click.Path(dir_okay=False),
                        help="Policy file (default: nearest .mlgov.yaml or [tool.mlgov] in pyproject.toml).")(func)


def report_options(func: F) -> F:
    """--format, --report, --policy, --verbose, --color: shared by every reporting command."""
    options = [
        click.option("--format", "-f", "format", type=click.Choice(FORMATS), default="text",
                     show_default=True, help="Format written to stdout."),
        click.option("--report", "report", multiple=True, metavar="FORMAT:PATH",
                     help="Also write a report (repeatable), e.g. --report sarif:mlgov.sarif."),
        click.option("--verbose", "-v", is_flag=True, help="Show passing checks too (text format)."),
        click.option("--color/--no-color", "color", default=None, help="Colour (default: only on a terminal)."),
        click.option("--sarif-category", "sarif_category", metavar="ID", default=None,
                     help="SARIF automationDetails.id (default: none, so upload-sarif's `category` applies)."),
        policy_option,
    ]
    for opt in reversed(options):
        func = opt(func)
    return func


def mlflow_options(func: F) -> F:
    """--tracking-uri, --registry-uri and --timeout: shared by every command that reads MLflow."""
    func = click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=None,
                        metavar="SECONDS",
                        help="Bound for one tracking-server call, retries included "
                             "(default: the policy's `timeout`, 60).")(func)
    func = click.option("--registry-uri", "registry_uri", metavar="URI", default=None,
                        help="Model registry, when it is not the tracking server "
                             "(default: MLFLOW_REGISTRY_URI, else the tracking URI).")(func)
    func = click.option("--tracking-uri", "tracking_uri", metavar="URI", default=None,
                        help="Tracking server (default: MLFLOW_TRACKING_URI, else MLflow's default).")(func)
    return func


def page_options(evaluate_help: str) -> Callable[[F], F]:
    """--format (csv, json, markdown, html), --output and --evaluate: the audit and inventory reports."""

    def decorate(func: F) -> F:
        func = click.option("--evaluate", is_flag=True, help=evaluate_help)(func)
        func = click.option("--output", "-o", default=None, type=click.Path(dir_okay=False),
                            help="Write here, not stdout.")(func)
        return click.option("--format", "-f", "fmt", type=click.Choice(["csv", "json", "markdown", "html"]),
                            default="csv", show_default=True,
                            help="html: one self-contained page (needs the [report] extra).")(func)

    return decorate


def repo_option(func: F) -> F:
    return click.option("--repo", type=click.Path(file_okay=False), default=None, metavar="PATH",
                        help="Git repository that produced the runs: also check the commit there.")(func)


def run_options(func: F) -> F:
    """--run-id, --tracking-uri and the policy options of the `mlgov log` commands."""
    func = click.option("--run-id", default=None, envvar="MLFLOW_RUN_ID", metavar="ID",
                        help="The run (default: MLFLOW_RUN_ID).")(func)
    func = click.option("--tracking-uri", "tracking_uri", default=None, metavar="URI",
                        help="Tracking server (default: MLFLOW_TRACKING_URI).")(func)
    return policy_option(func)


def signing_options(what: str) -> Callable[[F], F]:
    """--sign-with and --key-file: sign `what` as git signs commits, or with a CI key file."""
    def decorate(func: F) -> F:
        func = click.option("--key-file", "key_file", default=None, metavar="PATH",
                            help=f"Sign {what} with this Ed25519/ECDSA private key file (CI identities; "
                                 "a DSSE envelope).")(func)
        return click.option("--sign-with", "sign_with", default=None, metavar="KEY",
                            help=f"Sign {what} with this SSH key (a private key, or a .pub whose key an "
                                 "ssh-agent holds; `git`: git's user.signingkey), as git signs commits.")(func)
    return decorate


def signing_key(opts: dict[str, Any]) -> SigningKey | None:
    """The key --sign-with / --key-file name, None when neither is given."""
    from mlgov_checks.evidence.issue import git_signing_key
    from mlgov_checks.evidence.keysign import SigningKey

    ssh = git_signing_key() if opts.get("sign_with") == "git" else opts.get("sign_with")
    key_file = opts.get("key_file")
    return SigningKey(ssh=ssh, key_file=key_file) if (ssh or key_file) else None


def connect(opts: dict[str, Any], policy: Policy, *, workers: int | None = None) -> Backend:
    """The command's one connection: its reads and writes share it."""
    from mlgov_checks import backend

    timeout = opts.get("timeout") or float(policy.section("timeout"))
    return backend.connect(opts.get("tracking_uri"), timeout=timeout, registry_uri=opts.get("registry_uri"),
                           workers=workers)
