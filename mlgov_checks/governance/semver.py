"""Semantic versions (https://semver.org, 2.0.0): parse, order with pre-releases, bump."""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from mlgov_checks.errors import SemverError

# The grammar of semver.org's own regular expression, with named groups.
# ASCII digits only, and matched with fullmatch: `$` would accept a trailing newline.
_NUM = r"(?:0|[1-9][0-9]*)"
_PRE_ID = r"(?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*)"
_SEMVER = re.compile(
    rf"(?P<major>{_NUM})\.(?P<minor>{_NUM})\.(?P<patch>{_NUM})"
    rf"(?:-(?P<pre>{_PRE_ID}(?:\.{_PRE_ID})*))?"
    r"(?:\+(?P<build>[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?"
)
FIRST = "1.0.0"


class Bump(str, enum.Enum):
    MAJOR = "major"
    MINOR = "minor"
    PATCH = "patch"


@functools.total_ordering
@dataclass(frozen=True)
class Version:
    """A parsed semantic version; ordered by precedence (build metadata is ignored)."""

    major: int
    minor: int
    patch: int
    pre: tuple[str, ...] = ()
    build: tuple[str, ...] = ()

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.pre:
            text += "-" + ".".join(self.pre)
        if self.build:
            text += "+" + ".".join(self.build)
        return text

    def _key(self) -> tuple[int, int, int, int, tuple[tuple[int, int, str], ...]]:
        # A release outranks all of its pre-releases (1.0.0-rc.1 < 1.0.0). Within a pre-release,
        # numeric identifiers compare as numbers and rank below alphanumeric ones; a longer list
        # outranks its own prefix (semver.org, item 11).
        pre = tuple((0, int(p), "") if p.isascii() and p.isdigit() else (1, 0, p) for p in self.pre)
        return (self.major, self.minor, self.patch, 0 if self.pre else 1, pre)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key() == other._key()

    def __lt__(self, other: Version) -> bool:
        return self._key() < other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def bump(self, part: Bump | str = Bump.MINOR) -> Version:
        """The next version: the part incremented, lower parts zeroed, pre-release and build dropped.

        As python-semver's `bump_minor` (the source design's library): `1.5.0-rc.1` bumps to
        `1.6.0`, not to `1.5.0`.
        """
        p = Bump(part)
        if p is Bump.MAJOR:
            return Version(self.major + 1, 0, 0)
        if p is Bump.MINOR:
            return Version(self.major, self.minor + 1, 0)
        return Version(self.major, self.minor, self.patch + 1)


def parse(text: str) -> Version:
    """A Version from `MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]`; SemverError otherwise.

    No leading `v`, no leading zeros, no surrounding spaces: exactly semver.org's grammar.
    """
    m = _SEMVER.fullmatch(text)
    if m is None:
        raise SemverError(f"{text!r} is not a semantic version (MAJOR.MINOR.PATCH[-PRE][+BUILD])")
    return Version(int(m["major"]), int(m["minor"]), int(m["patch"]),
                   tuple(m["pre"].split(".")) if m["pre"] else (),
                   tuple(m["build"].split(".")) if m["build"] else ())


def try_parse(text: str | None) -> Version | None:
    if text is None:
        return None
    try:
        return parse(text)
    except SemverError:
        return None


def next_version(existing: Iterable[str | None], part: Bump | str = Bump.MINOR) -> str:
    """The highest valid version in `existing`, bumped; `1.0.0` when there is none."""
    valid = [v for v in (try_parse(t) for t in existing) if v is not None]
    return str(max(valid).bump(part)) if valid else FIRST


def order_problems(tags: Iterable[tuple[str, str | None]]) -> dict[str, str]:
    """For (MLflow version number, semantic_version tag) pairs: number -> problem, for the bad ones.

    A version's tag must parse and be strictly greater than the tag of every earlier (lower
    numbered) version that has a valid one. Versions without a tag are reported as missing.
    """
    problems: dict[str, str] = {}
    highest: tuple[Version, str] | None = None
    for number, text in sorted(tags, key=lambda item: int(item[0])):
        if text is None or not text.strip():
            problems[number] = "has no semantic_version tag"
            continue
        version = try_parse(text)
        if version is None:
            problems[number] = f"semantic_version {text!r} is not a semantic version"
            continue
        if highest is not None and not version > highest[0]:
            problems[number] = (f"semantic_version {text} is not greater than {highest[0]} "
                                f"of version {highest[1]}")
        if highest is None or version > highest[0]:
            highest = (version, number)
    return problems
