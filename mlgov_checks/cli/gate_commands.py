"""`mlgov check`, `provenance`, `metrics`: the commands that read a tracking server (mlflow, lazily)."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from mlgov_checks.cli import Settings, command_runner, emit, main, report_options
from mlgov_checks.errors import UsageError

F = TypeVar("F", bound=Callable[..., Any])

TARGETS_HELP = ("TARGET: runs:/RUN_ID, RUN_ID, models:/NAME/VERSION, models:/NAME@ALIAS or "
                "models:/NAME/latest.")


def mlflow_options(func: F) -> F:
    """--tracking-uri and --timeout: shared by every command that reads a tracking server."""
    func = click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=None,
                        metavar="SECONDS",
                        help="Bound for one tracking-server call, retries included "
                             "(default: the policy's `timeout`, 60).")(func)
    func = click.option("--tracking-uri", "tracking_uri", metavar="URI", default=None,
                        help="Tracking server (default: MLFLOW_TRACKING_URI, else MLflow's default).")(func)
    return func


def repo_option(func: F) -> F:
    return click.option("--repo", type=click.Path(file_okay=False), default=None, metavar="PATH",
                        help="Git repository that produced the runs: also check the commit there.")(func)


def _gate(command: str, targets: Sequence[str], opts: dict[str, Any], families: tuple[str, ...]) -> int:
    from mlgov_checks import engine, gate
    from mlgov_checks.records import ModelVersionRecord
    from mlgov_checks.reporters import locations

    settings = Settings.from_options(opts)
    chosen = list(targets) or list(settings.policy.section("targets"))
    if not chosen:
        raise UsageError(f"mlgov {command}: no TARGET given and the policy lists no `targets:`",
                         hint=TARGETS_HELP)
    options = gate.GateOptions(tracking_uri=opts.get("tracking_uri"), timeout=opts.get("timeout"),
                               repo=opts.get("repo"), families=gate.families_of(families))
    result = gate.run(chosen, settings.policy, options)
    findings = result.findings
    if opts.get("record"):  # `check --record`: the only way this command writes
        from mlgov_checks.cli.governance_commands import record_result

        findings = record_result(result, settings.policy, options)
    # The repository's cards and the logged ones: reports anchor findings on a version to its card.
    cards = [r.card for r in result.records if isinstance(r, ModelVersionRecord) and r.card is not None]
    logged = [(c.display_path, c.content) for c in cards]
    root = locations.find_root(os.getcwd(), os.environ)
    repo_cards = [os.path.join(root, c) for c in engine.discover_cards(root)]
    return emit(findings, settings, command=command, targets=result.targets, logged=logged,
                repo_cards=repo_cards)


@main.command("check")
@click.argument("targets", nargs=-1)
@click.option("--record", is_flag=True, help="Write the outcome to each model version (tags mlgov.status, "
              "mlgov.checked_at, mlgov.policy_sha256, mlgov.report) and the JSON report to the decision log.")
@mlflow_options
@repo_option
@report_options
@command_runner
def check_cmd(targets: tuple[str, ...], **opts: Any) -> int:
    """Gate model versions and runs: provenance, metrics and registry evidence.

    With no TARGET: the `targets:` listed in the policy. Exit 0 when every target complies, 1 when
    one does not, 3 when one could not be evaluated (the others are still checked).

    TARGET: runs:/RUN_ID, RUN_ID, models:/NAME/VERSION, models:/NAME@ALIAS or models:/NAME/latest.
    """
    return _gate("check", targets, opts, ("provenance", "metrics", "evidence"))


@main.command("provenance")
@click.argument("targets", nargs=-1)
@mlflow_options
@repo_option
@report_options
@command_runner
def provenance_cmd(targets: tuple[str, ...], **opts: Any) -> int:
    """Check the runs' git metadata, code review and separation of duties.

    TARGET: runs:/RUN_ID, RUN_ID, models:/NAME/VERSION, models:/NAME@ALIAS or models:/NAME/latest
    (a model version is judged by its source run). With no TARGET: the policy's `targets:`.
    """
    return _gate("provenance", targets, opts, ("provenance",))


@main.command("metrics")
@click.argument("targets", nargs=-1)
@mlflow_options
@report_options
@command_runner
def metrics_cmd(targets: tuple[str, ...], **opts: Any) -> int:
    """Check the runs' logged metrics against the policy's thresholds and baseline.

    TARGET: runs:/RUN_ID, RUN_ID, models:/NAME/VERSION, models:/NAME@ALIAS or models:/NAME/latest.
    With no TARGET: the policy's `targets:`.
    """
    return _gate("metrics", targets, opts, ("metrics",))
