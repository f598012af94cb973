"""`mlgov card`, `policy`, `init`, `explain`: the commands that never need MLflow."""

from __future__ import annotations

import os
from typing import Any

import click

from mlgov_checks.cli._options import report_options
from mlgov_checks.cli.app import command_runner, main, say
from mlgov_checks.cli.shared import run_card
from mlgov_checks.errors import UsageError


@main.command("card")
@click.argument("paths", nargs=-1, type=click.Path(dir_okay=False))
@report_options
@command_runner
def card_cmd(paths: tuple[str, ...], **opts: Any) -> int:
    """Validate model card YAML files.

    With no PATH: the model_card.yaml / model_card.yml files below the current directory that
    git tracks, or does not track yet but does not ignore (outside git: every such file below
    it). Finding none is exit 1: no card is not a compliant card.
    """
    return run_card(paths, opts)


@main.command("policy")
@click.argument("paths", nargs=-1, type=click.Path(dir_okay=False))
@command_runner
def policy_cmd(paths: tuple[str, ...]) -> int:
    """Validate policy files (default: the nearest .mlgov.yaml or [tool.mlgov]).

    Exit 0 when valid; exit 2 with file:line and the offending key otherwise.
    """
    from mlgov_checks.policy.load import find_policy, load_policy

    targets = list(paths) or [p for p in [find_policy()] if p]
    if not targets:
        say("mlgov policy: no policy file found; the defaults apply (`mlgov init` writes one)")
        return 0
    for path in targets:
        policy = load_policy(path)
        say(f"{policy.source}: policy OK (sha256 {policy.sha256[:12]})")
    return 0


def _template(name: str) -> str:
    from importlib import resources

    return resources.files("mlgov_checks").joinpath(f"templates/{name}").read_text("utf-8")


@main.command("init")
@click.option("--dir", "directory", type=click.Path(file_okay=False), default=".", show_default=True,
              help="Where to write .mlgov.yaml and model_card.yaml.")
@click.option("--force", is_flag=True, help="Overwrite existing files.")
@command_runner
def init_cmd(directory: str, force: bool) -> int:
    """Write a commented starter .mlgov.yaml and a model_card.yaml that passes."""
    os.makedirs(directory, exist_ok=True)
    plan = [(".mlgov.yaml", "mlgov.yaml"), ("model_card.yaml", "model_card.yaml")]
    existing = [n for n, _ in plan if os.path.exists(os.path.join(directory, n))]
    if existing and not force:
        raise UsageError(f"{', '.join(existing)} already exist(s) in {directory}; nothing written",
                         hint="use --force to overwrite")
    for name, template in plan:
        path = os.path.join(directory, name)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(_template(template))
        say(f"wrote {path}")
    say("next: edit model_card.yaml, then run `mlgov card` (and add the pre-commit hook)")
    return 0


@main.command("explain")
@click.argument("check_id", required=False)
@command_runner
def explain_cmd(check_id: str | None) -> int:
    """Explain a check (or list every check id)."""
    from mlgov_checks.checks import REGISTRY, get

    if check_id is None:
        width = max(len(c) for c in REGISTRY)
        for cid, check in sorted(REGISTRY.items()):
            say(f"{cid:<{width}}  {check.title}")
        return 0
    check = get(check_id)
    say(f"{check.id}: {check.title}\n")
    say(check.explanation)
    if check.hint:
        say(f"\nHow to fix: {check.hint}")
    return 0
