"""One canonical identity per person: quorum, allow-list, author, reviewer and roles all agree."""

from __future__ import annotations

import datetime as dt

import pytest

from mlgov_checks.checks import approvals, provenance
from mlgov_checks.checks._base import Context
from mlgov_checks.governance import identity, roles
from mlgov_checks.policy.load import policy_from_mapping
from mlgov_checks.records import RunRecord
from tests.checks.test_approvals import approval, make_version

SPELLINGS = ["ann", "ANN", " Ann ", "ann@corp.example", "ANN@Corp.Example",
             "12345+ann@users.noreply.github.com", "ann@users.noreply.github.com"]


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_every_spelling_has_one_canonical_identity(spelling):
    assert identity.canonical(spelling) == "ann"


def test_different_people_stay_different():
    people = identity.People()
    assert not people.same("ann", "anna")
    assert not people.same("ann", "")
    assert not people.same("", "")


def test_addresses_the_policy_lists_as_two_people_stay_two():
    data = {"roles": {"members": {"admin": ["ann@corp.example"], "viewer": ["ann@partner.example"]}}}
    people = identity.People(data)
    assert people.identity("ann@corp.example") == "ann@corp.example"
    assert not people.same("ann@corp.example", "ann@partner.example")
    assert people.same("ANN@corp.example", "ann@corp.example")


def test_three_spellings_of_one_person_are_one_approval():
    pol = policy_from_mapping({"approval": {"min_approvals": 2}})
    version = make_version(approval("ann", pol), approval("ann@corp.example", pol),
                           approval("12345+ann@users.noreply.github.com", pol), author="alice")
    found = [(f.check, f.status.value, f.message) for f in approvals.quorum(version, pol)]
    assert found[-1] == ("approval-quorum", "fail",
                         "1 valid approval(s) of 2 required (12345+ann@users.noreply.github.com (claim))")
    ignored = [m for c, _, m in found if c == "approval-ignored"]
    assert len(ignored) == 2
    assert all("one person, one approval" in m for m in ignored)


def test_one_person_and_another_make_two():
    pol = policy_from_mapping({"approval": {"min_approvals": 2}})
    version = make_version(approval("ann", pol), approval("ANN@corp.example", pol), approval("dave", pol))
    counted, _ = approvals.valid_approvals(version, pol)
    assert sorted(identity.canonical(a.approver) for a in counted) == ["ann", "dave"]


def test_allow_list_roles_and_required_approvers_use_the_same_identity():
    pol = policy_from_mapping({"approval": {"allowed_approvers": ["Ann"], "required_approvers": ["ann"]},
                               "roles": {"members": {"admin": ["ann@corp.example"]}}})
    assert roles.permitted("12345+ann@users.noreply.github.com", "approve", pol)[0]
    assert approvals.refusal("ANN", make_version(), pol) is None
    found = {f.check: f.status.value for f in approvals.quorum(make_version(approval("ann@corp.example", pol)), pol)}
    assert found["approval-required"] == "pass"


@pytest.mark.parametrize("author", ["ann", "ANN", "ann@corp.example", "12345+ann@users.noreply.github.com"])
def test_approver_is_the_author_in_any_spelling(author):
    why = approvals.refusal("Ann", make_version(author=author), policy_from_mapping({}))
    assert why is not None and "no self-approval" in why


@pytest.mark.parametrize("author", ["ann", "ANN@corp.example", "12345+ann@users.noreply.github.com"])
def test_reviewer_is_the_author_in_any_spelling(author):
    run = RunRecord(run_id="r1", tags={"mlflow.user": author, "code_reviewer": "Ann",
                                       "review_status": "approved", "review_date": "2026-01-02"})
    found = {f.check: f for f in provenance.evaluate(run, Context(
        policy_from_mapping({}), target="runs:/r1", now=dt.datetime(2026, 1, 5, tzinfo=dt.timezone.utc)))}
    assert found["provenance-separation-of-duties"].status.value == "fail"


@pytest.mark.parametrize("spelling", ["\u0430nn", "an\u200bn", "\uff41\uff4e\uff4e", "\u202eann", "ann\u2066"])
def test_a_look_alike_is_the_same_person_but_never_on_a_list(spelling):
    people = identity.People()
    assert people.same(spelling, "ann")  # counted once, and the author's look-alike is the author
    assert not people.listed(spelling, ["ann"])  # a listing is never gained by a look-alike
    assert identity.disguised(spelling) is not None and identity.disguised("ann") is None


def test_plain_names_with_accents_are_not_disguised():
    assert identity.disguised("José") is None and identity.disguised("Zoë") is None
