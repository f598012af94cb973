"""The registry of checks: every family module exports CHECKS; ids are stable and unique.

The families are imported on first use of the registry, not when one family is imported: the
card hook loads only the card family.
"""

from __future__ import annotations

import importlib
from typing import Any

FAMILY_MODULES = ("card", "provenance", "metrics", "evidence", "approvals", "waivers", "policy_guard")

_registry: dict[str, Any] | None = None


def registry() -> dict[str, Any]:
    """Check id -> Check, for every family."""
    global _registry
    if _registry is None:
        built: dict[str, Any] = {}
        for name in FAMILY_MODULES:
            for c in importlib.import_module(f"mlgov_checks.checks.{name}").CHECKS:
                if c.id in built:  # pragma: no cover - a programming error caught by the tests
                    raise RuntimeError(f"duplicate check id {c.id!r}")
                built[c.id] = c
        _registry = built
    return _registry


def get(check_id: str) -> Any:
    from mlgov_checks.errors import UsageError

    reg = registry()
    if check_id not in reg:
        raise UsageError(f"no such check: {check_id!r}; `mlgov explain` lists them")
    return reg[check_id]


def __getattr__(name: str) -> Any:  # PEP 562: `from mlgov_checks.checks import REGISTRY`
    if name == "REGISTRY":
        return registry()
    raise AttributeError(name)
