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
@click.option("--show-canonical", is_flag=True,
              help="Print what mlgov read from each card (the canonical card as JSON, with where each field "
                   "came from) instead of checking it.")
@report_options
@command_runner
def card_cmd(paths: tuple[str, ...], show_canonical: bool, **opts: Any) -> int:
    """Validate model cards, each in its own format.

    Formats: the native model_card.yaml, model_card.json, a card nested under one root key,
    Hugging Face README.md (front matter and sections), Model Card Toolkit JSON and Mitchell-style
    sections (`mlgov explain card-format`). With no PATH: the model_card.* / modelcard.* /
    model-card.* / *_model_card.* files and the README.md files with model front matter below the
    current directory that git tracks, or does not track yet but does not ignore (outside git:
    every such file below it). Finding none is exit 1: no card is not a compliant card.
    """
    if show_canonical:
        return show_cards(paths, opts)
    return run_card(paths, opts)


def show_cards(paths: tuple[str, ...], opts: dict[str, Any]) -> int:
    """`mlgov card --show-canonical`: each card's canonical reading as JSON (exit 3 for a file that cannot be read)."""
    import json

    from mlgov_checks import cards, gate
    from mlgov_checks.policy.load import load_policy

    policy = load_policy(opts.get("policy"))
    files = list(paths) or gate.discover_cards(policy=policy)
    out: list[dict[str, Any]] = []
    code = 0
    for path in files:
        try:
            out.append(cards.read_file(path, policy.section("card")).card.to_dict())
        except OSError as e:
            out.append({"file": path, "error": f"cannot read card: {e.strerror or e}"})
            code = 3
    say(json.dumps(out[0] if len(out) == 1 else out, indent=2, ensure_ascii=False))
    return code


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
    from mlgov_checks.checks import REGISTRY, explanation, get

    if check_id is None:
        width = max(len(c) for c in REGISTRY)
        for cid, check in sorted(REGISTRY.items()):
            say(f"{cid:<{width}}  {check.title}")
        return 0
    check = get(check_id)
    say(f"{check.id}: {check.title}\n")
    say(explanation(check.id))
    if check.hint:
        say(f"\nHow to fix: {check.hint}")
    return 0
