"""Reporters by name: each module's `render(findings, ctx) -> str`; imported only when used."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from mlgov_checks.errors import UsageError
from mlgov_checks.findings import Finding
from mlgov_checks.version import __version__

FORMATS = ("text", "json", "junit", "sarif", "github", "markdown")


@dataclass(frozen=True)
class ReportContext:
    """What a report says besides the findings."""

    command: str = "check"
    color: bool = False
    verbose: bool = False
    policy_source: str | None = None
    tool_version: str = __version__
    targets: tuple[str, ...] = field(default_factory=tuple)  # every target evaluated, in order


Renderer = Callable[[Sequence[Finding], ReportContext], str]


def get_renderer(name: str) -> Renderer:
    if name not in FORMATS:
        raise UsageError(f"unknown format {name!r}; choose one of: {', '.join(FORMATS)}")
    module = importlib.import_module(f"mlgov_checks.reporters.{name}_report")
    render: Renderer = module.render
    return render


def render(name: str, findings: Sequence[Finding], ctx: ReportContext) -> str:
    """Every format goes through here: credentials are masked once, for all of them."""
    from dataclasses import replace

    from mlgov_checks.reporters._common import masked, visible

    safe_ctx = replace(ctx, targets=tuple(visible(t) for t in ctx.targets),
                       policy_source=visible(ctx.policy_source) if ctx.policy_source else None)
    return get_renderer(name)(masked(findings), safe_ctx)
