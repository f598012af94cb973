"""`mlgov check`, `provenance`, `metrics`: the commands that read a tracking server (mlflow, lazily)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import click

from mlgov_checks.cli._options import (
    connect,
    mlflow_options,
    repo_option,
    report_options,
    signing_key,
    signing_options,
)
from mlgov_checks.cli.app import Settings, command_runner, deliver_findings, main, say
from mlgov_checks.errors import UsageError
from mlgov_checks.targets import TARGETS_HELP, parse_targets


def _gate(command: str, targets: Sequence[str], opts: dict[str, Any], families: tuple[str, ...] | None) -> int:
    from mlgov_checks import gate
    from mlgov_checks.records import ModelVersionRecord
    from mlgov_checks.reports.findings import locations

    settings = Settings.from_options(opts)
    chosen = list(targets) or list(settings.policy.section("targets"))
    if not chosen:
        raise UsageError(f"mlgov {command}: no TARGET given and the policy lists no `targets:`",
                         hint=TARGETS_HELP)
    parse_targets(chosen)  # a typo is exit 2 before connecting
    if (opts.get("sign_with") or opts.get("key_file")) and not opts.get("record"):
        raise UsageError(f"mlgov {command}: --sign-with and --key-file sign the decisions --record writes: "
                         "give --record too")
    reader, writer = connect(opts, settings.policy)
    options = gate.GateOptions(repo=opts.get("repo"), families=families)
    result = gate.run(chosen, settings.policy, options, reader)
    findings = result.findings
    if opts.get("record"):  # `check --record`: the only way this command writes
        from mlgov_checks.governance import record
        from mlgov_checks.reports.findings import ReportContext, render

        ctx = ReportContext(command="check", policy_source=settings.policy.source)
        outcome = record.record_result(result, policy=settings.policy, writer=writer,
                                       report=lambda found: render("json", found, ctx), key=signing_key(opts))
        for line in outcome.actions:
            say(f"mlgov check: {line}", err=True)
        findings = outcome.findings
    # The repository's cards and the logged ones: reports anchor findings on a version to its card.
    cards = [r.card for r in result.records if isinstance(r, ModelVersionRecord) and r.card is not None]
    logged = [(c.display_path, c.content) for c in cards]
    root = locations.find_root(os.getcwd(), os.environ)
    repo_cards = [os.path.join(root, c) for c in gate.discover_cards(root)]
    return deliver_findings(findings, settings, command=command, targets=result.targets, logged=logged,
                repo_cards=repo_cards)


@main.command("check")
@click.argument("targets", nargs=-1)
@click.option("--record", is_flag=True, help="Write the outcome to each model version (tags mlgov.status, "
              "mlgov.checked_at, mlgov.policy_sha256, mlgov.report) and the JSON report to the decision log.")
@signing_options("each recorded decision (with --record)")
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
    return _gate("check", targets, opts, None)


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
