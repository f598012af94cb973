"""Semantic versions: semver.org's grammar and precedence, bumping, and the order rule for a model."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlgov_checks.governance import semver

# The precedence example of semver.org, item 11, in increasing order.
SPEC_ORDER = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
              "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.1.0", "1.10.0", "2.0.0"]


def test_precedence_follows_semver_org():
    parsed = [semver.parse(v) for v in SPEC_ORDER]
    assert sorted(reversed(parsed)) == parsed
    assert all(a < b for a, b in zip(parsed, parsed[1:]))


def test_build_metadata_is_ignored_in_precedence():
    assert semver.parse("1.0.0+build.1") == semver.parse("1.0.0+build.2")
    assert str(semver.parse("1.0.0-rc.1+build.5")) == "1.0.0-rc.1+build.5"


@pytest.mark.parametrize("text", ["1.0", "v1.0.0", "01.0.0", "1.0.0-", "1.0.0-01", "1.0.0+", " 1.0.0",
                                  "1.0.0-rc..1", "1.0.0-α", "", "1.0.0\n",
                                  "١.0.0", "1.0.0-rc.١"])
def test_not_semantic_versions(text):
    assert semver.try_parse(text) is None
    with pytest.raises(semver.SemverError):
        semver.parse(text)


@pytest.mark.parametrize(("current", "part", "expected"), (
    ("1.4.0", "minor", "1.5.0"),
    ("1.4.7", "patch", "1.4.8"),
    ("1.4.7", "major", "2.0.0"),
    ("1.5.0-rc.1", "minor", "1.6.0"),
    ("0.9.3+build.7", "patch", "0.9.4"),
))
def test_bump(current, part, expected):
    assert str(semver.parse(current).bump(part)) == expected


def test_next_version_uses_the_highest_valid_tag():
    assert semver.next_version([]) == "1.0.0"
    assert semver.next_version([None, "garbage"]) == "1.0.0"
    assert semver.next_version(["1.2.0", "1.10.0-rc.1", None, "bad"]) == "1.11.0"
    assert semver.next_version(["1.2.0", "1.9.9"], "major") == "2.0.0"


def test_order_problems():
    tags = [("1", "1.0.0"), ("2", "1.1.0"), ("3", "1.1.0+b"), ("4", "1.0.5"), ("5", None), ("6", "x"),
            ("7", "1.2.0-rc.1"), ("10", "1.2.0")]
    assert semver.order_problems(tags) == {
        "3": "semantic_version 1.1.0+b is not greater than 1.1.0 of version 2",
        "4": "semantic_version 1.0.5 is not greater than 1.1.0 of version 2",
        "5": "has no semantic_version tag",
        "6": "semantic_version 'x' is not a semantic version",
    }


numbers = st.integers(min_value=0, max_value=10**6)
ident = st.one_of(numbers.map(str), st.from_regex(r"[a-zA-Z-][0-9a-zA-Z-]{0,5}", fullmatch=True))
versions = st.builds(semver.Version, numbers, numbers, numbers, st.lists(ident, max_size=3).map(tuple),
                     st.lists(st.from_regex(r"[0-9a-zA-Z-]{1,5}", fullmatch=True), max_size=2).map(tuple))


@given(versions)
def test_text_round_trips(v):
    assert semver.parse(str(v)) == v and str(semver.parse(str(v))) == str(v)


@given(versions, versions)
def test_releases_order_as_numbers(a, b):
    if not a.pre and not b.pre:
        assert (a < b) == ((a.major, a.minor, a.patch) < (b.major, b.minor, b.patch))


@given(versions, st.sampled_from(list(semver.Bump)))
def test_a_bump_is_always_greater(v, part):
    assert v.bump(part) > v
