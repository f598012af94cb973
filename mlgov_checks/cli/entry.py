"""The `mlgov` console script: `mlgov card FILE...` (what the commit hook runs) without Click.

Importing Click and building the command group is a large share of the hook's time on one card.
A plain `mlgov card` with only paths runs here; anything else (an option, another command, help)
goes to the Click CLI, which gives the same results for `card` too.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["card"] and not any(a.startswith("-") for a in args[1:]):
        sys.exit(card(args[1:]))
    from mlgov_checks.cli.app import main as cli

    cli(args=args, prog_name="mlgov")


def card(paths: list[str]) -> int:
    """`mlgov card PATH...` with the defaults; errors as the Click CLI reports them."""
    from mlgov_checks.cli.shared import internal_error_line, run_card, say
    from mlgov_checks.errors import MlgovError

    try:
        return run_card(paths, {"format": "text"})
    except MlgovError as e:
        say(f"mlgov: error: {e}", err=True)
        return e.exit_code
    except KeyboardInterrupt:
        say("mlgov: interrupted", err=True)
        return 130
    except Exception as e:  # an unexpected failure: exit 3, never a bare traceback
        if os.environ.get("MLGOV_DEBUG") == "1":
            import traceback

            say(traceback.format_exc(), err=True, nl=False)
        say(internal_error_line(e), err=True)
        return 3
