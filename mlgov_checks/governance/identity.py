"""One canonical identity per person: how every comparison of two people (quorum, roles, authors) is made.

A person's identity is the name after Unicode NFKC with invisible characters removed (zero-width,
bidirectional controls and every other format character), trimmed and case-folded; a GitHub
noreply address (`12345+ann@users.noreply.github.com`) is its login; any other e-mail address is
its local part (`ann@corp.example` is `ann`), unless the policy's people lists name two different
addresses with that local part: then they are different people and each keeps its whole address.

Whether two names are one person is decided on the Unicode TR39 confusable skeleton of that
identity (ICU's SpoofChecker), so `ann` with a Cyrillic `а` is ann; whether a name is on a list
that grants something is decided on the identity itself, so a look-alike never gains a listing.
A name that changes under this mapping is disguised: `disguised()` says how, for a finding.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from mlgov_checks.errors import MissingExtraError

_NOREPLY = re.compile(r"^(?:\d+\+)?(?P<login>[^@]+)@users\.noreply\.github\.com$")
# Invisible in a name but not format characters (category Cf, removed too): the combining grapheme
# joiner, Hangul fillers and the variation selectors.
_INVISIBLE = frozenset({0x034F, 0x115F, 0x1160, 0x3164, 0xFFA0, *range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)})


def visible(text: str) -> str:
    """`text` after NFKC with every invisible character removed."""
    kept = "".join(c for c in unicodedata.normalize("NFKC", text)
                   if unicodedata.category(c) != "Cf" and ord(c) not in _INVISIBLE)
    return unicodedata.normalize("NFKC", kept)


@functools.lru_cache(maxsize=1)
def _spoof_checker() -> Any:
    try:
        import icu  # type: ignore[import-untyped]
    except ImportError as e:  # a declared dependency: only a broken install lacks it
        raise MissingExtraError("comparing identities needs ICU: pip install pyicu-wheels") from e
    return icu.SpoofChecker()


@functools.lru_cache(maxsize=4096)
def skeleton(text: str) -> str:
    """The Unicode TR39 confusable skeleton of `text` (ICU), case-folded and NFC."""
    return unicodedata.normalize("NFC", str(_spoof_checker().getSkeleton(0, text))).casefold()


def disguised(name: str) -> str | None:
    """How `name` hides what it reads as (invisible, compatibility or look-alike characters), or None."""
    shown = visible(name)
    if shown != name:
        hidden = sorted({f"U+{ord(c):04X}" for c in name if c not in shown})
        what = f"invisible or compatibility characters ({', '.join(hidden[:4])})" if hidden else \
            "compatibility characters"
        return f"{name!r} contains {what}; it reads as {shown!r}"
    alike = [c for c in name if ord(c) > 0x7F and unicodedata.normalize("NFC", skeleton(c)) != c.casefold()]
    if alike:
        names = ", ".join(f"{c!r} {unicodedata.name(c, f'U+{ord(c):04X}')}" for c in dict.fromkeys(alike))
        return f"{name!r} contains look-alike characters ({names}); it reads as {skeleton(name)!r}"
    return None


def _folded(person: str) -> str:
    return visible(person).strip().casefold()


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

    def identity(self, person: str) -> str:
        """The person's canonical name: what a list that grants something is compared on."""
        return canonical(person, self._ambiguous)

    def key(self, person: str) -> str:
        """What one person is counted under: the skeleton of the identity (look-alikes are one)."""
        name = self.identity(person)
        return skeleton(name) if name else ""

    def same(self, a: str, b: str) -> bool:
        ka, kb = self.key(a), self.key(b)
        return bool(ka) and ka == kb

    def listed(self, person: str, names: Iterable[str]) -> bool:
        """On a list that grants: the same identity, never a look-alike of a listed name."""
        mine = self.identity(person)
        return bool(mine) and disguised(person) is None and any(self.identity(n) == mine for n in names)

    def unique(self, people: Iterable[str]) -> list[str]:
        """The first spelling of each distinct person, in order."""
        seen: dict[str, str] = {}
        for p in people:
            seen.setdefault(self.key(p), p)
        return list(seen.values())
