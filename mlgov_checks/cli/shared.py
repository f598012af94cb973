"""What the commands share, without Click: settings from options, one way to deliver findings, one way to print.

The card hook runs from here without importing Click (`mlgov_checks.cli.entry`); the Click commands in
`cli/` build the same Settings and call the same functions.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mlgov_checks.errors import UsageError
from mlgov_checks.findings import Finding, exit_code
from mlgov_checks.policy.load import Policy, load_policy
from mlgov_checks.reports.findings import FORMATS, ReportContext


def say(text: str, *, err: bool = False, nl: bool = True) -> None:
    """Every plain line a command prints goes through the one masked writer."""
    from mlgov_checks.reports.findings import emit as out

    out.say(text, err=err, nl=nl)


@dataclass(frozen=True)
class Settings:
    """What every reporting command shares, built from its options."""

    policy: Policy
    format: str
    reports: tuple[tuple[str, str], ...]
    color: bool
    verbose: bool
    policy_findings: tuple[Finding, ...] = ()  # from --policy-ref: loosenings of the trusted policy
    policy_file: str | None = None  # the working-tree policy file (with --policy-ref: the one compared)
    sarif_category: str | None = None

    @classmethod
    def from_options(cls, opts: dict[str, Any]) -> Settings:
        fmt = opts.get("format") or "text"
        reports = tuple(_parse_report(r) for r in opts.get("report") or ())
        color_opt = opts.get("color")
        color = (sys.stdout.isatty() and "NO_COLOR" not in os.environ) if color_opt is None else color_opt
        ref = opts.get("policy_ref") or None
        guard: tuple[Finding, ...] = ()
        if ref:
            from mlgov_checks.gate import judge_policy
            from mlgov_checks.policy.ref import judge

            judgement = judge(ref, opts.get("policy"))
            policy, guard = judgement.policy, tuple(judge_policy(judgement))
            policy_file = policy.display_path
        else:
            policy = load_policy(opts.get("policy"))
            policy_file = policy.source
        return cls(policy=policy, format=fmt, reports=reports, color=bool(color),
                   verbose=bool(opts.get("verbose")), policy_findings=guard, policy_file=policy_file,
                   sarif_category=opts.get("sarif_category") or None)


def _parse_report(spec: str) -> tuple[str, str]:
    fmt, sep, path = spec.partition(":")
    if not sep or not path:
        raise UsageError(f"--report takes FORMAT:PATH, got {spec!r}", hint="e.g. --report sarif:mlgov.sarif")
    if fmt not in FORMATS:
        raise UsageError(f"--report: unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    return fmt, path


def deliver_findings(findings: Sequence[Finding], settings: Settings, *, command: str, targets: Sequence[str] = (),
         repo_cards: Sequence[str] = (), logged: Sequence[tuple[str, bytes]] = ()) -> int:
    """Print the stdout format, write every --report, publish GitHub output; return the exit code.

    `repo_cards` (paths) and `logged` (display path, content of each logged card) let reports anchor
    findings on MLflow targets to the repository card they correspond to.
    """
    from mlgov_checks.reports.findings import emit as out
    from mlgov_checks.reports.findings.context import LAYOUT_FORMATS, flavor_from_env

    findings = [*settings.policy_findings, *findings]
    formats = {settings.format, *(fmt for fmt, _ in settings.reports)}
    layout = None  # where findings point: built only for the formats that point at repository files
    if formats & set(LAYOUT_FORMATS) or os.environ.get("GITHUB_ACTIONS") == "true":
        from mlgov_checks.reports.findings import locations

        layout = locations.discover(cwd=os.getcwd(), env=os.environ, policy_file=settings.policy_file,
                                    policy_shown=settings.policy.source, cards=repo_cards, logged=logged)
    ctx = ReportContext(command=command, color=settings.color and settings.format == "text",
                        verbose=settings.verbose, policy_source=settings.policy.source,
                        targets=tuple(targets), layout=layout, sarif_category=settings.sarif_category,
                        junit_flavor=flavor_from_env(os.environ))
    out.deliver(out.report_outputs(findings, ctx, stdout_format=settings.format, files=settings.reports))
    return exit_code(findings)


def write_report(path: str, text: str) -> None:
    from mlgov_checks.reports.findings import emit as out

    out.deliver([out.Output(path, text)])


def run_card(paths: Sequence[str], opts: dict[str, Any]) -> int:
    """`mlgov card`: the given cards, else the ones git tracks or would track below the working directory."""
    from mlgov_checks import gate

    settings = Settings.from_options(opts)
    from mlgov_checks.cards.discovery import SHOWN

    files = list(paths) or gate.discover_cards(policy=settings.policy)
    if paths and settings.policy.section("card").get("format", "auto") == "auto":
        files = _without_plain_readmes(files)
        if not files:
            return 0  # only READMEs that are not model cards (the hook passes every README.md)
    if not files:
        where = os.path.abspath(os.getcwd())
        say(f"mlgov card: no model card found: looked for {' / '.join(SHOWN)} below "
            f"{where} (files git tracks, or does not ignore); give paths, or run `mlgov init`", err=True)
        return 1
    findings = gate.run_cards(files, settings.policy)
    return deliver_findings(findings, settings, command="card", targets=files, repo_cards=files)


def _without_plain_readmes(files: list[str]) -> list[str]:
    """The given files less the READMEs without model front matter, each named on stderr."""
    from mlgov_checks.cards import discovery

    kept = []
    for f in files:
        if discovery.is_readme(f) and not discovery.readme_is_card(f):
            say(f"mlgov card: {f} is not a model card (no front matter with model metadata): skipped", err=True)
        else:
            kept.append(f)
    return kept


def deliver_page(command: str, text: str, output: str | None, written: str, flags: Sequence[str]) -> None:
    """An audit or inventory report to --output (saying what was written) or stdout; then its bypasses."""
    if output:
        write_report(output, text)
        say(f"mlgov {command}: {written} written to {output}", err=True)
    else:
        say(text, nl=False)
    for flag in flags:
        say(f"mlgov {command}: bypassed the gate: {flag}", err=True)
