"""The one way out: every byte mlgov prints or writes (reports, the job summary, annotations, plain lines).

Credentials are masked exactly once: findings and context by `prepare` before rendering (so that a
secret is caught before JSON or XML escaping changes its spelling), any other text here.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from mlgov_checks.errors import UsageError
from mlgov_checks.findings import Finding
from mlgov_checks.reports.findings import ReportContext, get_renderer, prepare

T = TypeVar("T")

STDOUT = "-"
STDERR = "-2"


@dataclass(frozen=True)
class Output:
    """One piece of text for one destination."""

    dest: str  # STDOUT, STDERR or a file path
    text: str
    masked: bool = False  # rendered from `prepare`d data: masking it again would be a second pass
    append: bool = False  # the GitHub step summary is shared by every step of a job
    courtesy: bool = False  # failing to write it is a warning, never a failed command


def report_outputs(findings: Sequence[Finding], ctx: ReportContext, *, stdout_format: str,
                   files: Sequence[tuple[str, str]] = (), env: Mapping[str, str] | None = None) -> list[Output]:
    """What a reporting command writes: stdout's format, each --report, and in GitHub mode the
    job summary and the annotations (to stderr when stdout carries a machine-readable report)."""
    env = os.environ if env is None else env
    github = env.get("GITHUB_ACTIONS") == "true"
    formats = [stdout_format, *(fmt for fmt, _ in files), *(("markdown", "github") if github else ())]
    safe, safe_ctx = prepare(findings, ctx, formats)
    plain_ctx = replace(safe_ctx, color=False)
    out = [Output(STDOUT, get_renderer(stdout_format)(safe, safe_ctx if stdout_format == "text" else plain_ctx),
                  masked=True)]
    out += [Output(path, get_renderer(fmt)(safe, plain_ctx), masked=True) for fmt, path in files]
    if github:
        from mlgov_checks.reports.findings.github_report import annotation_stream

        summary = env.get("GITHUB_STEP_SUMMARY")
        if summary:
            out.append(Output(summary, get_renderer("markdown")(safe, plain_ctx), masked=True, append=True,
                              courtesy=True))
        stream = annotation_stream(stdout_format)
        if stream is not None:
            out.append(Output(STDERR if stream == "stderr" else STDOUT,
                              get_renderer("github")(safe, plain_ctx), masked=True))
    return out


def deliver(outputs: Sequence[Output]) -> None:
    """Write every output in order; a report file that cannot be written is a usage error (exit 2)."""
    from mlgov_checks.secrets import masker

    mask = masker()
    for o in outputs:
        text = o.text if o.masked else mask(o.text)
        if o.dest in (STDOUT, STDERR):
            stream = sys.stdout if o.dest == STDOUT else sys.stderr
            stream.write(text)
            stream.flush()
            continue
        try:
            parent = os.path.dirname(os.path.abspath(o.dest))
            os.makedirs(parent, exist_ok=True)
            with open(o.dest, "a" if o.append else "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as e:
            if not o.courtesy:
                raise UsageError(mask(f"cannot write report {o.dest}: {e.strerror}")) from e
            sys.stderr.write(mask(f"mlgov: cannot write the job summary: {e.strerror}") + "\n")


def say(text: str, *, err: bool = False, nl: bool = True) -> None:
    """Plain text for the user (a success or refusal line, an error, a listing), masked like a report."""
    deliver([Output(STDERR if err else STDOUT, text + ("\n" if nl else ""))])


def masked(value: T) -> T:
    """A copy of data (text, or dicts and lists of it) with every text masked: for data that is
    serialised (JSON, csv) after masking, so escaping cannot change how a secret is spelled."""
    from mlgov_checks.secrets import masker

    mask = masker()

    def walk(v: Any) -> Any:
        if isinstance(v, str):
            return mask(v)
        if isinstance(v, dict):
            return {walk(k): walk(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return type(v)(walk(x) for x in v)
        return v

    result: T = walk(value)
    return result
