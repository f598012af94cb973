"""A card's metric and the run's logged name for it: `test/accuracy`, `test_accuracy`, `eval_accuracy`, `accuracy`."""

from __future__ import annotations

import re
from collections.abc import Mapping

from mlgov_checks.cards.model import Metric


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def candidates(m: Metric) -> list[str]:
    """The logged names a card's metric may stand for, most specific first (compared normalised)."""
    name = _norm(m.name)
    parts = [_norm(p) for p in (m.slice or "").split("/") if _norm(p)]
    out = []
    for i in range(len(parts)):
        prefix = "_".join(parts[i:])
        out += [f"{prefix}_{name}", f"{name}_{prefix}"]
    out += [name, f"eval_{name}", f"test_{name}", f"val_{name}", f"validation_{name}"]
    return list(dict.fromkeys(out))


def logged_value(m: Metric, logged: Mapping[str, float]) -> tuple[str, float | None]:
    """The run's metric the card's claim is about: (its logged name, its value), or (name, None)."""
    by_norm: dict[str, tuple[str, float]] = {}
    for k, v in logged.items():
        by_norm.setdefault(_norm(k), (k, v))
    for c in candidates(m):
        if c in by_norm:
            return by_norm[c]
    return m.name, None


def agrees(m: Metric, actual: float, tolerance: float) -> bool:
    """Within the tolerance; a percentage also when the run logged it on the percent scale (93.4)."""
    if abs(m.value - actual) <= tolerance:
        return True
    return m.percent and abs(m.value * 100 - actual) <= tolerance * 100
