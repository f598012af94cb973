"""Approval checks on records built in the test: which recorded approvals count, and the quorum."""

from __future__ import annotations

import json

import pytest

from mlgov_checks.checks import approvals, evidence
from mlgov_checks.findings import Status
from mlgov_checks.policy.load import policy_from_mapping
from mlgov_checks.records import ModelVersionRecord, RunRecord


def approval(who, *, model="churn", version="3", revoked=False, **changes):
    record = approvals.Approval(approver=who, time="2026-01-05T10:00:00Z", comment="looks good",
                                policy_sha256="0" * 64, model=model, version=version, revoked=revoked)
    data = {**json.loads(record.to_json()), **changes}
    return approvals.approval_key(who), json.dumps(data)


def make_version(*approved, author="alice", reviewer="bob"):
    run = RunRecord(run_id="r1", tags={"mlflow.user": author, "code_reviewer": reviewer})
    return ModelVersionRecord(name="churn", version="3", run_id="r1", run=run, tags=dict(approved))


def policy(**conf):
    return policy_from_mapping({"version": 1, "approval": conf})


def statuses(findings):
    return [(f.check, f.status.value, f.message) for f in findings]


def test_two_valid_approvals_meet_a_quorum_of_two():
    found = approvals.quorum(make_version(approval("carol"), approval("dave")), policy(min_approvals=2))
    assert statuses(found) == [("approval-quorum", "pass", "2 valid approval(s), 2 required (carol, dave)")]


@pytest.mark.parametrize(("entry", "note"), (
    (approval("alice"), "ignored approval by alice: 'alice' is the run's author (alice): no self-approval"),
    (approval("ALICE@corp.example"), "ignored approval by ALICE@corp.example: 'ALICE@corp.example' is the "
                                     "run's author (alice): no self-approval"),
    (approval("carol", version="2"),
     "ignored: mlgov.approval.carol approves models:/churn/2, not this version"),
    (approval("carol", model="fraud"),
     "ignored: mlgov.approval.carol approves models:/fraud/3, not this version"),
    (("mlgov.approval.carol", "yes"), "ignored: tag 'mlgov.approval.carol' is not JSON"),
    (("mlgov.approval.carol", json.dumps({"approver": "carol"})),
     "ignored: tag 'mlgov.approval.carol' is not an approval record (approver, time, comment, policy_sha256, "
     "model, version)"),
    ((approvals.approval_key("carol"), approval("dave")[1]),
     "ignored: tag 'mlgov.approval.carol' names approver 'dave', whose key differs"),
))
def test_approvals_that_do_not_count(entry, note):
    found = list(approvals.quorum(make_version(entry), policy(min_approvals=1)))
    assert statuses(found) == [("approval-ignored", "warn", note),
                               ("approval-quorum", "fail", "0 valid approval(s) of 1 required (none)")]


def test_revoked_approvals_drop_silently():
    found = approvals.quorum(make_version(approval("carol", revoked=True)), policy(min_approvals=1))
    assert statuses(found) == [("approval-quorum", "fail", "0 valid approval(s) of 1 required (none)")]


def test_allowed_approvers_and_reviewer_rule():
    version = make_version(approval("bob"), approval("erin"), approval("carol"))
    found = approvals.quorum(version, policy(min_approvals=2, allowed_approvers=["bob", "carol"],
                                               forbid_reviewer=True))
    assert statuses(found) == [
        ("approval-ignored", "warn",
         "ignored approval by bob: 'bob' reviewed the code (approval.forbid_reviewer)"),
        ("approval-ignored", "warn", "ignored approval by erin: 'erin' is not in approval.allowed_approvers"),
        ("approval-quorum", "fail", "1 valid approval(s) of 2 required (carol)"),
    ]


def test_required_approvers():
    version = make_version(approval("carol"))
    found = approvals.quorum(version, policy(min_approvals=1, required_approvers=["carol", "risk-officer"]))
    assert statuses(found) == [
        ("approval-required", "fail", "required approver(s) have not approved: risk-officer"),
        ("approval-quorum", "pass", "1 valid approval(s), 1 required (carol)"),
    ]


def test_roles_decide_who_may_approve():
    conf = {"version": 1, "approval": {"min_approvals": 1},
            "roles": {"members": {"admin": ["carol"], "data_scientist": ["dave"]},
                      "permissions": {"admin": ["approve"], "data_scientist": ["promote"]}}}
    found = list(approvals.quorum(make_version(approval("dave")), policy_from_mapping(conf)))
    assert [f.status for f in found] == [Status.WARN, Status.FAIL]
    assert "'dave' (data_scientist) has no 'approve' permission" in found[0].message


def test_approval_keys_are_valid_mlflow_tag_keys_and_distinct():
    import re

    keys = {approvals.approval_key(a) for a in ("carol", "Carol", "carol@corp.example", "carol_corp.example",
                                                 "c a r o l", "")}
    assert len(keys) == 5  # "carol" and "Carol" are the same approver
    assert all(re.fullmatch(r"[\w.\- /:]+", k) and len(k) <= 250 for k in keys)


@pytest.mark.parametrize(("mode", "tags", "description", "ok"), (
    ("approvals", dict([approval("carol")]), None, True),
    ("approvals", {}, "Approved by the committee", False),
    ("either", dict([approval("carol")]), None, True),
    ("either", {}, "Approved by the committee", True),
    ("either", {}, "Candidate", False),
))
def test_evidence_approval_modes_use_recorded_approvals(mode, tags, description, ok):
    version = ModelVersionRecord(name="churn", version="3", description=description, tags=tags,
                                 run=RunRecord(run_id="r1", tags={"mlflow.user": "alice"}))
    conf = policy_from_mapping({"version": 1, "evidence": {"approval": mode},
                                "approval": {"min_approvals": 1}})
    found = list(evidence.check_approval(version, conf))
    assert (not any(f.status is Status.FAIL for f in found)) is ok


def test_semver_order_finding():
    tags = {"1": "1.0.0", "2": "1.1.0", "3": "1.0.9"}
    assert [f.status for f in approvals.check_semver_order("2", tags, target="t")] == [Status.PASS]
    (bad,) = approvals.check_semver_order("3", tags, target="t")
    assert bad.message == "version 3 semantic_version 1.0.9 is not greater than 1.1.0 of version 2"
