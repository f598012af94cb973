"""Roles: who acts, which roles they hold, what those permit."""

from __future__ import annotations

import pytest

from mlgov_checks.governance import identity, roles
from mlgov_checks.policy.load import policy_from_mapping

POLICY = {"version": 1, "roles": {
    "members": {"admin": ["Carol@corp.example"], "data_scientist": ["alice", "dave"], "viewer": ["vic"]},
    "permissions": {"admin": ["approve", "promote", "archive", "waive", "record"],
                    "data_scientist": ["promote", "record"], "viewer": []}}}


@pytest.mark.parametrize(("actor", "action", "allowed", "reason"), (
    ("carol", "approve", True, "'carol' may approve as admin"),
    ("alice", "promote", True, "'alice' may promote as data_scientist"),
    ("alice", "approve", False, "'alice' (data_scientist) has no 'approve' permission"),
    ("vic", "record", False, "'vic' (viewer) has no 'record' permission"),
    ("mallory", "promote", False, "'mallory' is not a member of any role in the policy"),
    ("ALICE ", "record", True, "'ALICE ' may record as data_scientist"),
))
def test_permitted(actor, action, allowed, reason):
    assert roles.permitted(actor, action, policy_from_mapping(POLICY)) == (allowed, reason)


def test_without_members_everyone_may_act():
    ok, why = roles.permitted("anyone", roles.Action.APPROVE, policy_from_mapping({"version": 1}))
    assert ok and "no roles are configured" in why


def test_unknown_action_is_a_programming_error():
    with pytest.raises(ValueError):
        roles.permitted("carol", "delete", policy_from_mapping(POLICY))


@pytest.mark.parametrize(("explicit", "env", "expected"), (
    ("rita", {"GITHUB_ACTOR": "gh"}, "rita"),
    (None, {"GITHUB_ACTOR": "gh", "MLFLOW_TRACKING_USERNAME": "ml"}, "gh"),
    (None, {"GITHUB_ACTOR": " ", "MLFLOW_TRACKING_USERNAME": "ml"}, "ml"),
))
def test_current_actor(explicit, env, expected):
    assert roles.current_actor(explicit, env) == expected


def test_current_actor_falls_back_to_the_os_user():
    import getpass

    assert roles.current_actor(None, {}) == getpass.getuser()


def test_identities_match_email_local_parts():
    people = identity.People(None)
    assert people.same("alice@corp.example", "Alice")
    assert people.same("12345+bob@users.noreply.github.com", "bob")
    assert not people.same("alice", "alicia")
