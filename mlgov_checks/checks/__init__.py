"""The registry of checks: every family module exports CHECKS; ids are stable and unique."""

from __future__ import annotations

from mlgov_checks.checks import approvals, card, evidence, metrics, provenance, waivers
from mlgov_checks.checks._base import Check
from mlgov_checks.errors import UsageError

FAMILIES = (card, provenance, metrics, evidence, approvals, waivers)


def _build() -> dict[str, Check]:
    registry: dict[str, Check] = {}
    for fam in FAMILIES:
        for c in fam.CHECKS:
            if c.id in registry:  # pragma: no cover - a programming error caught by the tests
                raise RuntimeError(f"duplicate check id {c.id!r}")
            registry[c.id] = c
    return registry


REGISTRY: dict[str, Check] = _build()


def get(check_id: str) -> Check:
    if check_id not in REGISTRY:
        raise UsageError(f"no such check: {check_id!r}; `mlgov explain` lists them")
    return REGISTRY[check_id]
