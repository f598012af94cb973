"""The registry of check families: one entry per family module, the only list of them.

A family module satisfies `Family`: it declares `SUBJECT` (what its `evaluate(subject, ctx)`
judges: see `_base.SUBJECTS`) and `CHECKS` (its Check objects, ids prefixed by the family);
optionally `DEFAULT = False` (not run by `mlgov check` unless asked), `PREFIXES` (the check-id
prefixes it owns, by default its name), `needs(policy)` (what the backend must fetch for it),
`UNREADABLE` (the check that reports a target that cannot be read) and `runless(version, ctx)`
(what to say of a version whose run cannot be read, when the chosen families need that run).
Families are imported on first use, not when one family is: the card hook loads only the card
family.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, cast, runtime_checkable

from mlgov_checks.checks._base import Check, Context
from mlgov_checks.findings import Finding

if TYPE_CHECKING:  # mypy holds every built-in family to the protocol; nothing is imported at run time
    from mlgov_checks.checks import approvals, card, evidence, metrics, policy_guard, provenance, waivers


@runtime_checkable
class Family(Protocol):
    """What the runner and `mlgov explain` need of a family module."""

    @property
    def SUBJECT(self) -> str: ...  # noqa: N802 - a module constant

    @property
    def CHECKS(self) -> tuple[Check, ...]: ...  # noqa: N802 - a module constant

    def evaluate(self, subject: Any, ctx: Context, /) -> Iterable[Finding]: ...


if TYPE_CHECKING:
    _CARD: Family = card
    _PROVENANCE: Family = provenance
    _METRICS: Family = metrics
    _EVIDENCE: Family = evidence
    _APPROVALS: Family = approvals
    _POLICY: Family = policy_guard
    _WAIVERS: Family = waivers


class Entry(NamedTuple):
    module: str
    subject: str  # repeated here so choosing families by subject imports no other family
    section: str | None = None  # the policy section without which the family has nothing to judge


# In the order the runner evaluates them and `mlgov explain` lists them; a test holds each
# entry's subject equal to the module's own SUBJECT.
FAMILIES: dict[str, Entry] = {
    "card": Entry("mlgov_checks.checks.card", "card"),
    "provenance": Entry("mlgov_checks.checks.provenance", "run"),
    "metrics": Entry("mlgov_checks.checks.metrics", "run"),
    "evidence": Entry("mlgov_checks.checks.evidence", "version"),
    "approvals": Entry("mlgov_checks.checks.approvals", "version"),
    "policy": Entry("mlgov_checks.checks.policy_guard", "policy"),
    "waivers": Entry("mlgov_checks.checks.waivers", "findings", section="waivers"),
}

_registry: dict[str, Check] | None = None


def register(name: str, module: str, subject: str, section: str | None = None) -> None:
    """Add a family (an extension, or a test): it then runs and is explained like the built-in ones."""
    global _registry
    FAMILIES[name] = Entry(module, subject, section)
    _registry = None


def family(name: str) -> Family:
    module = importlib.import_module(FAMILIES[name].module)
    if not isinstance(module, Family):
        raise TypeError(f"check family {name!r} ({module.__name__}) lacks SUBJECT, CHECKS or evaluate")
    return cast(Family, module)


def families(subjects: tuple[str, ...] | None = None) -> list[tuple[str, Family]]:
    """(name, module) of every family, or of those judging one of `subjects`, in registry order."""
    return [(name, family(name)) for name, entry in FAMILIES.items()
            if subjects is None or entry.subject in subjects]


def default_families(subjects: tuple[str, ...]) -> tuple[str, ...]:
    """The families `mlgov check` runs when none is named."""
    return tuple(n for n, m in families(subjects) if getattr(m, "DEFAULT", True))


def prefixes(name: str) -> tuple[str, ...]:
    """The check-id prefixes family `name` owns: every id it defines starts with one of them."""
    return tuple(getattr(family(name), "PREFIXES", (name,)))


def registry() -> dict[str, Check]:
    """Check id -> Check, for every family."""
    global _registry
    if _registry is None:
        built: dict[str, Check] = {}
        for _, module in families():
            for c in module.CHECKS:
                if c.id in built:
                    raise RuntimeError(f"duplicate check id {c.id!r}")
                built[c.id] = c
        _registry = built
    return _registry


def get(check_id: str) -> Check:
    from mlgov_checks.errors import UsageError

    reg = registry()
    if check_id not in reg:
        raise UsageError(f"no such check: {check_id!r}; `mlgov explain` lists them")
    return reg[check_id]


def explanation(check_id: str) -> str:
    """The text `mlgov explain ID` prints: the check's explanation, and what its family adds
    (a family module may define `explain_more(check_id)`, imported only when explaining)."""
    check = get(check_id)
    text: str = check.explanation
    for name in FAMILIES:
        if check in family(name).CHECKS:
            more = getattr(family(name), "explain_more", None)
            text += more(check_id) if more is not None else ""
    return text


def __getattr__(name: str) -> Any:  # PEP 562: `from mlgov_checks.checks import REGISTRY`
    if name == "REGISTRY":
        return registry()
    raise AttributeError(name)
