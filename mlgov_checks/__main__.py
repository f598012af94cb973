"""`python -m mlgov_checks` runs the `mlgov` command."""

from mlgov_checks.cli import main

main(prog_name="mlgov")
