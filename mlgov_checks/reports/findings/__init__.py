"""Reporters by name: each module's `render(findings, ctx) -> str`; imported only when used.

`prepare` masks credentials in the findings and the context, once; the renderers trust what they
get. `mlgov_checks.reports.findings.emit` is the one place report bytes are written.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from mlgov_checks.errors import UsageError
from mlgov_checks.findings import Finding
from mlgov_checks.reports.findings.context import LAYOUT_FORMATS, ReportContext

__all__ = ["FORMATS", "ReportContext", "Renderer", "get_renderer", "prepare", "render"]

FORMATS = ("text", "json", "junit", "sarif", "github", "markdown")


Renderer = Callable[[Sequence[Finding], ReportContext], str]


def get_renderer(name: str) -> Renderer:
    if name not in FORMATS:
        raise UsageError(f"unknown format {name!r}; choose one of: {', '.join(FORMATS)}")
    module = importlib.import_module(f"mlgov_checks.reports.findings.{name}_report")
    render: Renderer = module.render
    return render


def prepare(findings: Sequence[Finding], ctx: ReportContext,
            formats: Iterable[str] | None = None) -> tuple[list[Finding], ReportContext]:
    """The findings and context with credentials masked (the one masking step), and a layout set
    when one of `formats` (default: any) points at repository files."""
    from mlgov_checks.reports.findings._common import masked, visible
    from mlgov_checks.secrets import masker

    m = masker()
    layout = ctx.layout
    if layout is None and (formats is None or set(formats) & set(LAYOUT_FORMATS)):
        from mlgov_checks.reports.findings import locations

        layout = locations.discover(cwd=os.getcwd(), env=os.environ, policy_file=ctx.policy_source)

    def v(text: str | None) -> str | None:
        return visible(text, m) if text else text

    if layout is not None:
        layout = replace(layout, policy=v(layout.policy), policy_shown=v(layout.policy_shown),
                         fallback=v(layout.fallback), cards=tuple((visible(p, m), d) for p, d in layout.cards),
                         logged=tuple((visible(p, m), d) for p, d in layout.logged))
    safe_ctx = replace(ctx, targets=tuple(visible(t, m) for t in ctx.targets), layout=layout,
                       policy_source=v(ctx.policy_source), sarif_category=v(ctx.sarif_category))
    return masked(findings, m), safe_ctx


def render(name: str, findings: Sequence[Finding], ctx: ReportContext) -> str:
    """One format, its credentials masked (for callers that do not write through `emit.deliver`)."""
    renderer = get_renderer(name)
    safe, safe_ctx = prepare(findings, ctx)
    return renderer(safe, safe_ctx)
