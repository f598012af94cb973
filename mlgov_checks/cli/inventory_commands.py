"""`mlgov inventory`: every registered model, what is in production, its approvals, decisions and bypasses."""

from __future__ import annotations

from typing import Any

import click

from mlgov_checks.cli._options import connect, mlflow_options, page_options, policy_option
from mlgov_checks.cli.app import Settings, command_runner, main
from mlgov_checks.cli.shared import deliver_page


@main.command("inventory")
@click.option("--filter", "filter_string", default=None, metavar="FILTER",
              help="Only the registered models matching this MLflow search filter, e.g. \"name LIKE 'churn%'\".")
@page_options("Also run the gate on every production version (slower).")
@mlflow_options
@policy_option
@command_runner
def inventory_cmd(filter_string: str | None, fmt: str, output: str | None, evaluate: bool, **opts: Any) -> int:
    """One row per registered model: latest version, the version under each production alias or stage,
    its verdict (--evaluate), valid approvals, last decision, bypassed moves and days since the last review.

    Exit 1 when a move bypassed the gate or (with --evaluate) a production version fails; 3 when one
    could not be evaluated; else 0.
    """
    from mlgov_checks.gate import GateOptions
    from mlgov_checks.reports.pages import inventory, inventory_formats, require_html

    if fmt == "html":
        require_html()  # exit 2 naming the extra, before any request
    policy = Settings.from_options(opts).policy
    reader, _ = connect(opts, policy)
    report = inventory.build(reader=reader, policy=policy, filter_string=filter_string,
                             evaluate=GateOptions() if evaluate else None)
    text = inventory_formats.renderer(fmt)(report)
    # The html page masks each value as it renders it; the other formats are masked as written.
    deliver_page("inventory", text, output, f"{len(report.rows)} model(s)", report.flags)
    return inventory.exit_status(report)
