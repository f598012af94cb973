"""The `mlgov` command: a thin Click group; options -> settings -> run -> deliver the findings -> exit code."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click

from mlgov_checks.cli.guard import debugging, guarded
from mlgov_checks.cli.shared import Settings, deliver_findings, say, write_report
from mlgov_checks.version import __version__

__all__ = ["Settings", "command_runner", "deliver_findings", "main", "say", "write_report"]

# Which module defines each sub-command. A module registers its commands on `main` when imported,
# and is imported only when one of its commands runs (or help lists them): the card hook never
# loads the gate's or the governance commands' modules.
COMMAND_MODULES = {
    "card": "card_commands", "policy": "card_commands", "init": "card_commands", "explain": "card_commands",
    "check": "gate_commands", "provenance": "gate_commands", "metrics": "gate_commands",
    "approve": "governance_commands", "promote": "governance_commands", "decisions": "governance_commands",
    "audit": "governance_commands", "next-version": "governance_commands", "log": "governance_commands",
    "inventory": "inventory_commands", "webhook-receiver": "server_commands", "sign": "sign_commands",
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
        result: list[Any] = []

        def run() -> int:
            result.append(super(MlgovGroup, self).invoke(ctx))
            return 0

        code = guarded(run, debug=lambda: debugging(bool((ctx.find_root().obj or {}).get("debug"))),
                       passthrough=(click.exceptions.Exit, click.exceptions.Abort, click.ClickException))
        if code:
            ctx.exit(code)
        return result[0]


@click.group(cls=MlgovGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mlgov")
@click.option("--debug", is_flag=True, help="Show tracebacks for internal errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """mlgov: a model-governance gate for MLflow.

    Exit codes: 0 compliant, 1 not compliant, 2 usage or policy error, 3 could not evaluate.
    """
    ctx.obj = {"debug": debug}


def command_runner(func: Callable[..., int]) -> Callable[..., None]:
    """Commands return an exit code; this turns it into the process's exit status."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        code = func(*args, **kwargs)
        click.get_current_context().exit(code)

    return wrapper


