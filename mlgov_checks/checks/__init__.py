"""The registry of check families: one entry per family module, the only list of them.

A family module declares `SUBJECT` (what its `evaluate(subject, ctx)` judges: see
`_base.SUBJECTS`), `CHECKS` (its Check objects, ids prefixed by the family), optionally
`DEFAULT = False` (not run by `mlgov check` unless asked), `PREFIXES` (the check-id prefixes it
owns, by default its name) and `needs(policy)` (what the backend must fetch for it). Families
are imported on first use, not when one family is: the card hook loads only the card family.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

# name -> (module, its SUBJECT), in the order the runner evaluates them and `mlgov explain` lists
# them. The subject is repeated here so that choosing families by subject imports no other family
# (the card hook); a test holds it equal to the module's own SUBJECT.
FAMILIES: dict[str, tuple[str, str]] = {
    "card": ("mlgov_checks.checks.card", "card"),
    "provenance": ("mlgov_checks.checks.provenance", "run"),
    "metrics": ("mlgov_checks.checks.metrics", "run"),
    "evidence": ("mlgov_checks.checks.evidence", "version"),
    "approvals": ("mlgov_checks.checks.approvals", "version"),
    "policy": ("mlgov_checks.checks.policy_guard", "policy"),
    "waivers": ("mlgov_checks.checks.waivers", "findings"),
}

_registry: dict[str, Any] | None = None


def register(name: str, module: str, subject: str) -> None:
    """Add a family (an extension, or a test): it then runs and is explained like the built-in ones."""
    global _registry
    FAMILIES[name] = (module, subject)
    _registry = None


def family(name: str) -> ModuleType:
    return importlib.import_module(FAMILIES[name][0])


def families(subjects: tuple[str, ...] | None = None) -> list[tuple[str, ModuleType]]:
    """(name, module) of every family, or of those judging one of `subjects`, in registry order."""
    return [(name, family(name)) for name, (_, subject) in FAMILIES.items()
            if subjects is None or subject in subjects]


def default_families(subjects: tuple[str, ...]) -> tuple[str, ...]:
    """The families `mlgov check` runs when none is named."""
    return tuple(n for n, m in families(subjects) if getattr(m, "DEFAULT", True))


def prefixes(name: str) -> tuple[str, ...]:
    """The check-id prefixes family `name` owns: every id it defines starts with one of them."""
    return tuple(getattr(family(name), "PREFIXES", (name,)))


def registry() -> dict[str, Any]:
    """Check id -> Check, for every family."""
    global _registry
    if _registry is None:
        built: dict[str, Any] = {}
        for _, module in families():
            for c in module.CHECKS:
                if c.id in built:
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
