"""One canonical identity per person: how every comparison of two people (quorum, roles, authors) is made.

A person's identity is the trimmed, case-folded name; a GitHub noreply address
(`12345+ann@users.noreply.github.com`) is its login; any other e-mail address is its local part
(`ann@corp.example` is `ann`), unless the policy's people lists name two different addresses with
that local part: then they are different people and each keeps its whole address.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

_NOREPLY = re.compile(r"^(?:\d+\+)?(?P<login>[^@]+)@users\.noreply\.github\.com$")


def _folded(person: str) -> str:
    return person.strip().casefold()


def distinct_addresses(declared: Iterable[str]) -> frozenset[str]:
    """Local parts that the declared people use with two different e-mail addresses."""
    seen: dict[str, set[str]] = {}
    for p in map(_folded, declared):
        if "@" in p and not _NOREPLY.match(p):
            seen.setdefault(p.rpartition("@")[0], set()).add(p)
    return frozenset(local for local, addresses in seen.items() if len(addresses) > 1)


def canonical(person: str, ambiguous: frozenset[str] = frozenset()) -> str:
    """The one key under which `person` is counted and compared."""
    p = _folded(person)
    if m := _NOREPLY.match(p):
        return m["login"]
    if "@" in p:
        local = p.rpartition("@")[0]
        return p if local in ambiguous or not local else local
    return p


def declared_people(policy_data: Mapping[str, Any]) -> list[str]:
    """Everyone the policy names: role members, allowed and required approvers."""
    approval = policy_data.get("approval") or {}
    members = (policy_data.get("roles") or {}).get("members") or {}
    return [*(n for names in members.values() for n in names),
            *approval.get("allowed_approvers", ()), *approval.get("required_approvers", ())]


class People:
    """Identity comparisons under one policy (which says which addresses are distinct people)."""

    def __init__(self, policy_data: Mapping[str, Any] | None = None) -> None:
        self._ambiguous = distinct_addresses(declared_people(policy_data or {}))

    def key(self, person: str) -> str:
        return canonical(person, self._ambiguous)

    def same(self, a: str, b: str) -> bool:
        ka, kb = self.key(a), self.key(b)
        return bool(ka) and ka == kb

    def listed(self, person: str, names: Iterable[str]) -> bool:
        return any(self.same(person, n) for n in names)

    def unique(self, people: Iterable[str]) -> list[str]:
        """The first spelling of each distinct person, in order."""
        seen: dict[str, str] = {}
        for p in people:
            seen.setdefault(self.key(p), p)
        return list(seen.values())
