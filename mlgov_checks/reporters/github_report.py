"""GitHub Actions: workflow-command annotations, and the job summary published in GitHub mode.

Format: https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from mlgov_checks.findings import Finding, Status
from mlgov_checks.reporters import ReportContext
from mlgov_checks.reporters._common import masked, relative_path

_COMMAND = {Status.FAIL: "error", Status.ERROR: "error", Status.WARN: "warning", Status.WAIVED: "notice"}
# Formats whose stdout a pipeline may parse: annotations then go to stderr (the runner reads both).
MACHINE_FORMATS = frozenset({"json", "sarif", "junit"})


def escape_data(text: str) -> str:
    """A workflow command's message: %, CR and LF are %-encoded (as @actions/core does)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value: also `:` and `,`, which would end the value."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(f: Finding) -> str | None:
    """One `::error file=...,line=...,col=...,title=ID::message` line; None for a pass."""
    command = _COMMAND.get(f.status)
    if command is None:
        return None
    props = []
    if f.file:
        props.append(f"file={escape_property(relative_path(f.file))}")
        if f.line:
            props.append(f"line={f.line}")
            if f.column:
                props.append(f"col={f.column}")
    title = f.check if f.status is not Status.ERROR else f"{f.check} (could not evaluate)"
    props.append(f"title={escape_property(title)}")
    message = f.message if f.file else f"{f.target}: {f.message}"
    if f.status is Status.WAIVED:
        message = f"[waived] {message}"
    if f.hint and f.status in (Status.FAIL, Status.ERROR, Status.WARN):
        message += f"\nfix: {f.hint}"
    return f"::{command} {','.join(props)}::{escape_data(message)}"


def render(findings: Sequence[Finding], ctx: ReportContext) -> str:
    lines = [a for a in (annotation(f) for f in masked(findings)) if a is not None]
    return "".join(line + "\n" for line in lines)


def publish(findings: Sequence[Finding], ctx: ReportContext, *, stdout_format: str) -> None:
    """GitHub mode: append the Markdown summary to $GITHUB_STEP_SUMMARY and print the annotations.

    Annotations go to stdout, except when stdout already carries them (`github`) or carries a
    machine-readable report (json, sarif, junit), which they would corrupt: then to stderr.
    """
    from mlgov_checks.reporters import markdown_report

    summary_path = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_path:
        try:
            with open(summary_path, "a", encoding="utf-8") as fh:
                fh.write(markdown_report.render(findings, ctx))
        except OSError as e:  # a summary is a courtesy: never fail the gate over it
            print(f"mlgov: cannot write the job summary: {e.strerror}", file=sys.stderr)
    if stdout_format == "github":
        return
    text = render(findings, ctx)
    stream = sys.stderr if stdout_format in MACHINE_FORMATS else sys.stdout
    stream.write(text)
    stream.flush()
