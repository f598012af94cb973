"""`python -m mlgov_checks`: the `mlgov` command without relying on the console script."""

from __future__ import annotations

from mlgov_checks.cli.entry import main

main()
