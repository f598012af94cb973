"""`mlgov approve`, `promote`, `decisions`, `audit`, `next-version`, `log`: governance workflows."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from mlgov_checks.cli._options import (
    AS_HELP,
    connect,
    mlflow_options,
    page_options,
    policy_option,
    repo_option,
    report_options,
    run_options,
    signing_key,
    signing_options,
)
from mlgov_checks.cli.app import Settings, command_runner, deliver_findings, main, say
from mlgov_checks.cli.shared import deliver_page
from mlgov_checks.findings import Status

if TYPE_CHECKING:
    from mlgov_checks.gate import GateOptions
    from mlgov_checks.governance.outcome import Outcome


def _gate_options(opts: dict[str, Any]) -> GateOptions:
    from mlgov_checks import gate

    return gate.GateOptions(repo=opts.get("repo"))


def _blocked(settings: Settings) -> bool:
    """--policy-ref found the working tree loosening the trusted policy: act on nothing."""
    return any(f.status in (Status.FAIL, Status.ERROR) for f in settings.policy_findings)


def _finish(outcome: Outcome, settings: Settings, command: str) -> int:
    """The findings in the chosen format, then what was done (stdout for text, else stderr).

    A text-format success prints only its warnings and what it did: a compliance summary line
    under "approved ..." would read as noise.
    """
    if settings.format == "text" and not outcome.refused and not settings.reports and not settings.verbose:
        for f in outcome.findings:
            if f.status is Status.WARN:
                say(f"{f.location}: {f.check} {f.message} [warn]")
        for line in outcome.actions:
            say(line)
        return 0
    code = deliver_findings(outcome.findings, settings, command=command, targets=outcome.targets)
    for line in outcome.actions:
        say(line, err=settings.format != "text")
    return code


@main.command("approve")
@click.argument("target")
@click.option("--comment", required=True, help="Why you approve (or, with --revoke, why you withdraw).")
@click.option("--as", "actor", default=None, metavar="ACTOR", help=AS_HELP)
@click.option("--revoke", is_flag=True, help="Withdraw your approval of this version.")
@signing_options("the approval")
@mlflow_options
@report_options
@command_runner
def approve_cmd(target: str, comment: str, actor: str | None, revoke: bool, **opts: Any) -> int:
    """Record your approval of a model version in the registry (its own tag per approver).

    TARGET: models:/NAME/VERSION or models:/NAME@ALIAS. The approval states what it approves (the
    root digest of the model files, the card's and the policy's digests, the source run); with
    --sign-with or --key-file it is signed and the approver is the key's principal in
    `approval.allowed_signers`. Refused (exit 1, nothing written) when you lack the `approve`
    permission, are not in `approval.allowed_approvers`, authored the run, or the key is not listed.
    """
    from mlgov_checks.governance import roles
    from mlgov_checks.governance.approve import approve

    settings = Settings.from_options(opts)
    if _blocked(settings):
        return deliver_findings([], settings, command="approve")
    key = signing_key(opts)
    reader, writer = connect(opts, settings.policy)
    outcome = approve(target, actor=roles.current_actor(actor), comment=comment, revoke=revoke,
                      policy=settings.policy, reader=reader, writer=writer,
                      asserted=bool(actor and actor.strip()), key=key)
    return _finish(outcome, settings, "approve")


@main.command("promote")
@click.argument("target")
@click.option("--alias", default=None, metavar="NAME", help="Point this alias at the version.")
@click.option("--stage", default=None, metavar="STAGE",
              help="Legacy stage (Staging, Production or Archived): the versions previously in it are archived.")
@click.option("--dry-run", is_flag=True, help="Gate and report what would change; write nothing.")
@click.option("--as", "actor", default=None, metavar="ACTOR", help=AS_HELP)
@signing_options("the decision record")
@mlflow_options
@repo_option
@report_options
@command_runner
def promote_cmd(target: str, alias: str | None, stage: str | None, dry_run: bool, actor: str | None,
                **opts: Any) -> int:
    """Gate a model version, then set an alias or stage and record the decision.

    Refused (exit 1, registry unchanged) when the version fails the gate, the actor lacks the
    `promote` permission or, for --stage Production or a production alias
    (`approval.production_aliases`), the version lacks the approval quorum.
    """
    from mlgov_checks.governance import promote, registries, roles
    from mlgov_checks.governance.stages import Destination

    registries.refuse_stage(stage, registries.chosen_registry_uri(opts.get("registry_uri")))
    dest = Destination.of(alias=alias, stage=stage)  # exit 2 for a spelling MLflow would refuse
    settings = Settings.from_options(opts)
    if _blocked(settings):
        return deliver_findings([], settings, command="promote")
    reader, writer = connect(opts, settings.policy)
    request = promote.Request(target, dest, actor=roles.current_actor(actor), dry_run=dry_run,
                              key=signing_key(opts), asserted=bool(actor and actor.strip()))
    outcome = promote.promote(request, policy=settings.policy, options=_gate_options(opts), reader=reader,
                              writer=writer)
    return _finish(outcome, settings, "promote")


@main.command("decisions")
@click.argument("model")
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@mlflow_options
@policy_option
@command_runner
def decisions_cmd(model: str, fmt: str, **opts: Any) -> int:
    """List the decision log of a model: promotions, archivals and recorded checks, oldest first."""
    from mlgov_checks.governance import decisions
    from mlgov_checks.reports.findings.emit import masked

    reader, _ = connect(opts, Settings.from_options(opts).policy)
    # Masked before JSON escaping can respell a secret.
    rows = [masked({**d.fields, "run_id": d.run_id}) for d in decisions.read(reader, model)]
    if not rows:
        reader.existing_versions(model)  # the log outlives a model; a model never there is exit 3
    if fmt == "json":
        say(json.dumps({"model": model, "decisions": rows}, indent=2, ensure_ascii=False))
        return 0
    if not rows:
        say(f"mlgov decisions: no recorded decisions for {model!r}")
    for r in rows:
        outcome = f"  ({r['outcome']})" if r.get("outcome") not in (None, "", "done") else ""
        say(f"{r.get('time', '')}  {r.get('action', ''):<8} v{r.get('version', '')}  "
            f"{r.get('from', '-')} -> {r.get('to', '')}  by {r.get('actor', '')}  "
            f"[{r.get('gate', '')}]  runs:/{r['run_id']}{outcome}")
    return 0


def _events(path: str | None) -> list[dict[str, Any]]:
    if path is None:
        return []
    from mlgov_checks.errors import UsageError
    from mlgov_checks.integrations.server.webhook import read_events

    try:
        return read_events(path)
    except OSError as e:
        raise UsageError(f"--webhook-events: cannot read {path}: {e.strerror}") from e


@main.command("audit")
@click.argument("model")
@click.option("--since", default=None, metavar="DATE",
              help="Versions created on or after (YYYY-MM-DD or ISO).")
@click.option("--until", default=None, metavar="DATE", help="Versions created on or before (inclusive).")
@click.option("--webhook-events", "events", default=None, metavar="FILE",
              help="Also flag the alias events `mlgov webhook-receiver` recorded in FILE.")
@page_options("Also run the gate on every version (slower).")
@mlflow_options
@policy_option
@command_runner
def audit_cmd(model: str, since: str | None, until: str | None, events: str | None, fmt: str,
              output: str | None, evaluate: bool, **opts: Any) -> int:
    """One row per version: lineage, approvals, recorded and current status; flags bypassed moves.

    Exit 1 when an alias or a Staging/Production stage points at a version with no recorded
    `mlgov promote` decision for that move (someone moved it around the gate); else 0.
    """
    from dataclasses import replace

    from mlgov_checks.reports.findings.emit import masked
    from mlgov_checks.reports.pages import audit

    if fmt == "html":
        from mlgov_checks.reports.pages import require_html

        require_html()  # exit 2 naming the extra, before any request
    policy = Settings.from_options(opts).policy
    reader, _ = connect(opts, policy)
    report = audit.build(model, reader=reader, policy=policy,
                         since=audit.parse_when(since, end=False) if since else None,
                         until=audit.parse_when(until, end=True) if until else None,
                         evaluate=_gate_options(opts) if evaluate else None, events=_events(events))
    if fmt == "html":
        from mlgov_checks.reports.pages.html import render_audit

        text = render_audit(report)  # masks each value as it renders it
    else:
        # Masked before rendering too: csv and json escaping must not respell a secret past the writer.
        text = audit.RENDER[fmt](replace(report, rows=masked(report.rows), flags=masked(report.flags)))
    deliver_page("audit", text, output, f"{len(report.rows)} version(s) of {model!r}", report.flags)
    return 1 if report.flags else 0


@main.command("next-version")
@click.argument("model")
@click.option("--bump", type=click.Choice(["major", "minor", "patch"]), default="minor", show_default=True)
@mlflow_options
@policy_option
@command_runner
def next_version_cmd(model: str, bump: str, **opts: Any) -> int:
    """Print the next semantic version of MODEL: its highest `semantic_version` tag, bumped.

    1.0.0 when no version has a valid tag; minor by default (as the source design does).
    """
    from mlgov_checks.governance import semver
    from mlgov_checks.records import SEMVER_TAG

    reader, _ = connect(opts, Settings.from_options(opts).policy)
    tags = [mv.tags.get(SEMVER_TAG) for mv in reader.versions_of(model).values()]
    for bad in sorted({t for t in tags if t and semver.try_parse(t) is None}):
        say(f"mlgov next-version: ignoring {SEMVER_TAG}={bad!r}: not a semantic version", err=True)
    say(semver.next_version(tags, bump))
    return 0


# -- log -------------------------------------------------------------------------------------------

@main.group("log")
def log_group() -> None:
    """Record governance evidence on a training run (the training-side helpers, from a shell)."""


@log_group.command("provenance")
@click.option("--repo", default=".", type=click.Path(file_okay=False), show_default=True)
@run_options
@command_runner
def log_provenance_cmd(repo: str, run_id: str | None, tracking_uri: str | None, **opts: Any) -> int:
    """Tag the run with the git commit, branch, remote URL and dirty flag of REPO."""
    from mlgov_checks.integrations import training

    facts = training.log_provenance(repo, run_id=run_id, policy=Settings.from_options(opts).policy,
                                    tracking_uri=tracking_uri)
    say(f"logged provenance: commit {facts['commit']}, branch {facts['branch']}, "
               f"dirty {str(facts['dirty']).lower()}")
    return 0


@log_group.command("review")
@click.argument("reviewer")
@click.option("--status", default="approved", show_default=True)
@click.option("--date", default=None, help="Review date, YYYY-MM-DD (default: today).")
@run_options
@command_runner
def log_review_cmd(reviewer: str, status: str, date: str | None, run_id: str | None,
                   tracking_uri: str | None, **opts: Any) -> int:
    """Tag the run with its code reviewer, the review status and date."""
    from mlgov_checks.integrations import training

    policy = Settings.from_options(opts).policy
    tags = training.log_review(reviewer, status, date, run_id=run_id, policy=policy,
                               tracking_uri=tracking_uri)
    say("logged review: " + ", ".join(f"{k}={v}" for k, v in tags.items()))
    return 0


@log_group.command("card")
@click.argument("path", type=click.Path(dir_okay=False))
@run_options
@command_runner
def log_card_cmd(path: str, run_id: str | None, tracking_uri: str | None, **opts: Any) -> int:
    """Validate a model card, then log it as the run's card artifact; a failing card is not logged."""
    from mlgov_checks.errors import CardRejectedError
    from mlgov_checks.findings import exit_code
    from mlgov_checks.integrations import training

    settings = Settings.from_options(opts)
    try:
        artifact = training.log_model_card(path, run_id=run_id, policy=settings.policy,
                                           tracking_uri=tracking_uri)
    except CardRejectedError as e:
        deliver_findings(e.findings, settings, command="log card", targets=(path,))
        say("mlgov log card: the card was not logged", err=True)
        return exit_code(e.findings)
    say(f"logged {path} as {artifact}")
    return 0
