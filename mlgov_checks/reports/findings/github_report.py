"""GitHub Actions: workflow-command annotations on repository files (`emit.deliver` writes them).

`file=` is the finding's repository-root-relative path (`locations.py`), which is what the runner
resolves against the workspace; a finding on an MLflow target names that target in its message.

Format: https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions
"""

from __future__ import annotations

from collections.abc import Sequence

from mlgov_checks.findings import Finding, Status
from mlgov_checks.reports.findings._common import layout_of
from mlgov_checks.reports.findings.context import ReportContext
from mlgov_checks.reports.findings.locations import Location, locate, target_name

_COMMAND = {Status.FAIL: "error", Status.ERROR: "error", Status.WARN: "warning", Status.WAIVED: "notice"}
# Formats whose stdout a pipeline may parse: annotations then go to stderr (the runner reads both).
MACHINE_FORMATS = frozenset({"json", "sarif", "junit"})


def escape_data(text: str) -> str:
    """A workflow command's message: %, CR and LF are %-encoded (as @actions/core does)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value: also `:` and `,`, which would end the value."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(f: Finding, loc: Location, target: str | None = None) -> str | None:
    """One `::error file=...,line=...,col=...,title=ID::message` line; None for a pass."""
    command = _COMMAND.get(f.status)
    if command is None:
        return None
    props = []
    if loc.uri:
        props.append(f"file={escape_property(loc.uri)}")
        if loc.line:
            props.append(f"line={loc.line}")
            if loc.column:
                props.append(f"col={loc.column}")
    title = f.check if f.status is not Status.ERROR else f"{f.check} (could not evaluate)"
    props.append(f"title={escape_property(title)}")
    message = f"{target or f.target}: {f.message}" if loc.logical or not loc.uri else f.message
    if loc.logical and f.file and f.file != f.target:
        message += f" (at {f.location})"
    if f.status is Status.WAIVED:
        message = f"[waived] {message}"
    if f.hint and f.status in (Status.FAIL, Status.ERROR, Status.WARN):
        message += f"\nfix: {f.hint}"
    return f"::{command} {','.join(props)}::{escape_data(message)}"


def render(findings: Sequence[Finding], ctx: ReportContext) -> str:
    layout = layout_of(ctx)
    lines = [a for a in (annotation(f, locate(f, layout), target_name(f.target, layout)) for f in findings)
             if a is not None]
    return "".join(line + "\n" for line in lines)


def annotation_stream(stdout_format: str) -> str | None:
    """Where GitHub mode prints annotations: none when stdout already carries them (`github`),
    stderr when stdout carries a machine-readable report (json, sarif, junit) they would corrupt."""
    if stdout_format == "github":
        return None
    return "stderr" if stdout_format in MACHINE_FORMATS else "stdout"
