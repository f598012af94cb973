"""Helpers the CI reporters share: masked findings, relative paths, status ordering."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from mlgov_checks.findings import Finding, Status
from mlgov_checks.secrets import mask, masker

# Worst first: what a group of findings (one check on one target) reports as its status.
SEVERITY = (Status.ERROR, Status.FAIL, Status.WARN, Status.WAIVED, Status.PASS)


# C0 controls other than TAB, LF and CR (and DEL): terminal escapes that could hide or recolour text
# in a CI log, and characters XML 1.0 cannot carry at all.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def visible(text: str, _mask: Callable[[str], str] | None = None) -> str:
    """Credentials masked, control characters shown as `\\xNN`."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", (_mask or mask)(text))


def masked(findings: Sequence[Finding]) -> list[Finding]:
    """The findings, every free-text field passed through `visible` (messages may quote URIs)."""
    m = masker()  # the environment read once, each distinct text masked once

    def v(text: str | None) -> str | None:
        return visible(text, m) if text else text

    return [replace(f, target=visible(f.target, m), message=visible(f.message, m), file=v(f.file), hint=v(f.hint))
            for f in findings]


def worst(statuses: Iterable[Status]) -> Status:
    present = set(statuses)
    return next((s for s in SEVERITY if s in present), Status.PASS)


def relative_path(path: str) -> str:
    """A repository-relative, forward-slash path, as CI annotations and SARIF URIs want.

    Absolute paths under $GITHUB_WORKSPACE (else the working directory) are made relative to it;
    other absolute paths are left as they are.
    """
    if os.path.isabs(path):
        base = os.environ.get("GITHUB_WORKSPACE") or os.getcwd()
        rel = os.path.relpath(path, base)
        if not rel.startswith(os.pardir):
            path = rel
    path = path.replace(os.sep, "/")
    return path[2:] if path.startswith("./") else path


def targets_in_order(findings: Sequence[Finding], declared: Sequence[str]) -> list[str]:
    """Every evaluated target once: the declared ones first (even without findings), then the rest."""
    return list(dict.fromkeys([*(visible(t) for t in declared), *(f.target for f in findings)]))
