"""The `mlgov` console script: `mlgov card FILE...` (what the commit hook runs) without Click.

Importing Click and building the command group is a large share of the hook's time on one card.
A plain `mlgov card` with only paths runs here; anything else (an option, another command, help)
goes to the Click CLI, which gives the same results for `card` too.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["card"] and not any(a.startswith("-") for a in args[1:]):
        sys.exit(card(args[1:]))
    from mlgov_checks.cli.app import main as cli

    cli(args=args, prog_name="mlgov")


def card(paths: list[str]) -> int:
    """`mlgov card PATH...` with the defaults; errors as the Click CLI reports them."""
    from mlgov_checks.cli.guard import guarded
    from mlgov_checks.cli.shared import run_card

    return guarded(lambda: run_card(paths, {"format": "text"}))
