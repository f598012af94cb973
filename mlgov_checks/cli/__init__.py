"""The `mlgov` command: a thin Click group; options -> settings -> run -> emit -> exit code."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import click

from mlgov_checks.errors import MlgovError, UsageError
from mlgov_checks.findings import Finding, exit_code
from mlgov_checks.policy import Policy, load_policy
from mlgov_checks.reporters import FORMATS, ReportContext
from mlgov_checks.version import __version__

# Which module defines each sub-command. A module registers its commands on `main` when imported,
# and is imported only when one of its commands runs (or help lists them): the card hook never
# loads the gate's or the governance commands' modules.
COMMAND_MODULES = {
    "card": "card_commands", "policy": "card_commands", "init": "card_commands", "explain": "card_commands",
    "check": "gate_commands", "provenance": "gate_commands", "metrics": "gate_commands",
    "approve": "governance_commands", "promote": "governance_commands", "decisions": "governance_commands",
    "audit": "governance_commands", "next-version": "governance_commands", "log": "governance_commands",
    "inventory": "inventory_commands",
}


class MlgovGroup(click.Group):
    """Turns every MlgovError into one clear line and its exit code; no traceback for users."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(COMMAND_MODULES) | set(self.commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMAND_MODULES.get(cmd_name)
        if module is not None and cmd_name not in self.commands:
            import importlib

            importlib.import_module(f"mlgov_checks.cli.{module}")
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MlgovError as e:
            say(f"mlgov: error: {e}", err=True)
            ctx.exit(e.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            say("mlgov: interrupted", err=True)
            ctx.exit(130)
        except Exception as e:  # an unexpected failure: exit 3, never a bare traceback
            if _debug(ctx):
                import traceback

                say(traceback.format_exc(), err=True, nl=False)
            say(f"mlgov: internal error: {type(e).__name__}: {e} (re-run with --debug for details)", err=True)
            ctx.exit(3)


def say(text: str, *, err: bool = False, nl: bool = True) -> None:
    """Every plain line a command prints goes through the one masked writer."""
    from mlgov_checks.reporters import emit as out

    out.say(text, err=err, nl=nl)


def _debug(ctx: click.Context) -> bool:
    root = ctx.find_root()
    return bool((root.obj or {}).get("debug")) or os.environ.get("MLGOV_DEBUG") == "1"


@click.group(cls=MlgovGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mlgov")
@click.option("--debug", is_flag=True, help="Show tracebacks for internal errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """mlgov: a model-governance gate for MLflow.

    Exit codes: 0 compliant, 1 not compliant, 2 usage or policy error, 3 could not evaluate.
    """
    ctx.obj = {"debug": debug}


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
            from mlgov_checks.policy_ref import judge

            judgement = judge(ref, opts.get("policy"))
            policy, guard = judgement.policy, judgement.findings
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


def emit(findings: Sequence[Finding], settings: Settings, *, command: str, targets: Sequence[str] = (),
         repo_cards: Sequence[str] = (), logged: Sequence[tuple[str, bytes]] = ()) -> int:
    """Print the stdout format, write every --report, publish GitHub output; return the exit code.

    `repo_cards` (paths) and `logged` (display path, content of each logged card) let reports anchor
    findings on MLflow targets to the repository card they correspond to.
    """
    from mlgov_checks.reporters import emit as out
    from mlgov_checks.reporters import locations
    from mlgov_checks.reporters.junit_report import flavor_from_env

    findings = [*settings.policy_findings, *findings]
    layout = locations.discover(cwd=os.getcwd(), env=os.environ, policy_file=settings.policy_file,
                                policy_shown=settings.policy.source, cards=repo_cards, logged=logged)
    ctx = ReportContext(command=command, color=settings.color and settings.format == "text",
                        verbose=settings.verbose, policy_source=settings.policy.source,
                        targets=tuple(targets), layout=layout, sarif_category=settings.sarif_category,
                        junit_flavor=flavor_from_env(os.environ))
    out.emit(out.report_outputs(findings, ctx, stdout_format=settings.format, files=settings.reports))
    return exit_code(findings)


def write_report(path: str, text: str) -> None:
    from mlgov_checks.reporters import emit as out

    out.emit([out.Output(path, text)])


def command_runner(func: Callable[..., int]) -> Callable[..., None]:
    """Commands return an exit code; this turns it into the process's exit status."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        code = func(*args, **kwargs)
        click.get_current_context().exit(code)

    return wrapper


