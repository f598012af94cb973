"""Metric charts as inline SVG (matplotlib): each metric across versions, its thresholds and baseline."""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

GOOD_COLOR = "#1f6f43"
FAIL_COLOR = "#b3261e"
LINE_COLOR = "#44546a"
LIMIT_COLOR = "#b3261e"
BASELINE_COLOR = "#7a5cc2"
MAX_TICKS = 25  # label at most this many versions on the x axis; every point is still drawn


@dataclass(frozen=True)
class Point:
    version: str
    value: float | None  # None: the run did not log it (or NaN / infinite): drawn as a gap, listed as failing


def failing(value: float | None, bounds: Mapping[str, float]) -> bool:
    """The point fails its inclusive min/max bounds (a missing or non-finite value fails, as in the gate)."""
    if value is None or not math.isfinite(value):
        return True
    lo, hi = bounds.get("min"), bounds.get("max")
    return (lo is not None and value < lo) or (hi is not None and value > hi)


def _svg_only(raw: str) -> str:
    """matplotlib's SVG without the XML prolog and DOCTYPE (it is inlined into an HTML page)."""
    svg = raw[raw.find("<svg"):]
    head, sep, body = svg.partition(">")
    # Fixed pixel sizes would overflow narrow screens and paper: CSS sizes it, the viewBox keeps its shape.
    return re.sub(r'\s(?:width|height)="[^"]*"', "", head) + sep + body


def metric_chart(name: str, points: Sequence[Point], bounds: Mapping[str, float], *,
                 baseline: tuple[str, float] | None = None, mask: Callable[[str], str] = str) -> str:
    """One metric across versions as an SVG string: the line, failing points marked, limits, baseline.

    `baseline` is (label, value), e.g. ("@champion v3", 0.91). Every text drawn goes through `mask`.
    """
    import matplotlib

    matplotlib.use("Agg", force=True)  # no display, no GUI toolkit
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.2, 2.6), dpi=100)
    ax = fig.add_subplot()
    xs = list(range(len(points)))
    ys = [p.value if p.value is not None and math.isfinite(p.value) else math.nan for p in points]
    ax.plot(xs, ys, color=LINE_COLOR, linewidth=1.4, zorder=2)
    good = [(x, y) for x, y, p in zip(xs, ys, points, strict=True) if not failing(p.value, bounds)]
    bad = [(x, y) for x, y, p in zip(xs, ys, points, strict=True)
           if failing(p.value, bounds) and not math.isnan(y)]
    if good:
        ax.scatter([x for x, _ in good], [y for _, y in good], s=22, color=GOOD_COLOR, zorder=3, label="passes")
    if bad:
        ax.scatter([x for x, _ in bad], [y for _, y in bad], s=46, color=FAIL_COLOR, marker="X", zorder=4,
                   label="fails")
    for key, style in (("min", "--"), ("max", ":")):
        if key in bounds:
            ax.axhline(bounds[key], color=LIMIT_COLOR, linestyle=style, linewidth=1.2, zorder=1,
                       label=f"{key} {bounds[key]:g}")
    if baseline is not None:
        ax.axhline(baseline[1], color=BASELINE_COLOR, linestyle="-.", linewidth=1.2, zorder=1,
                   label=mask(f"baseline {baseline[0]}: {baseline[1]:g}"))
    step = max(1, math.ceil(len(points) / MAX_TICKS))
    ax.set_xticks(xs[::step], [mask(f"v{p.version}") for p in points[::step]], fontsize=8)
    ax.tick_params(axis="y", labelsize=8)
    ax.set_xlabel("model version", fontsize=8)
    ax.grid(axis="y", color="#e3e6ea", linewidth=0.8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if len(points) == 1:
        ax.set_xlim(-1, 1)
    ax.legend(fontsize=7, loc="lower left", bbox_to_anchor=(0, 1.0), frameon=False, ncols=4)
    fig.tight_layout()
    out = io.StringIO()
    # Text stays text (selectable, searchable, printed crisply); no date metadata: the same data gives
    # the same bytes.
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "mlgov"}):
        fig.savefig(out, format="svg", metadata={"Date": None}, bbox_inches="tight")
    return _svg_only(out.getvalue())
