"""The one error handler of every entry point (the Click CLI, the hook's fast path, the GitHub Action).

An MlgovError is one line and its exit code. Anything else is a bug of ours: one line that says so
and asks for a report (exit 3), with the full traceback under `--debug` or MLGOV_DEBUG=1. No
traceback reaches a user otherwise. Click-free, so the commit hook can use it.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from mlgov_checks.errors import MlgovError

INTERRUPTED = 130


def debugging(flag: bool = False) -> bool:
    """`--debug` was given, or MLGOV_DEBUG=1 is set."""
    return flag or os.environ.get("MLGOV_DEBUG") == "1"


def internal_error_line(e: BaseException, prog: str = "mlgov") -> str:
    """One line: what broke, that it is our bug (not the registry's, the network's or the files'), what to do."""
    return (f"{prog}: internal error: {type(e).__name__}: {e} -- a bug in mlgov-checks, not a problem with "
            "your registry, network or files; please report it with the output of the same command run "
            "with --debug (or MLGOV_DEBUG=1)")


def guarded(func: Callable[[], int], *, debug: Callable[[], bool] = debugging,
            passthrough: tuple[type[BaseException], ...] = (), prog: str = "mlgov") -> int:
    """Run an entry point's work; return its exit code, or the code its failure maps to.

    `passthrough`: exceptions the caller handles itself (Click's own exits and usage errors).
    """
    from mlgov_checks.reports.findings.emit import say

    try:
        return func()
    except passthrough:
        raise
    except MlgovError as e:
        say(f"{prog}: error: {e}", err=True)
        return e.exit_code
    except KeyboardInterrupt:
        say(f"{prog}: interrupted", err=True)
        return INTERRUPTED
    except Exception as e:  # noqa: BLE001 - a bug of ours: exit 3, never a bare traceback
        if debug():
            import traceback

            say(traceback.format_exc(), err=True, nl=False)
        say(internal_error_line(e, prog), err=True)
        return 3
