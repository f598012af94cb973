"""Approval checks on records built in the test: which recorded approvals count, and the quorum."""

from __future__ import annotations

import dataclasses
import json

import pytest

from mlgov_checks.checks import approvals, evidence
from mlgov_checks.evidence import digests, statement
from mlgov_checks.evidence.approval_record import Record
from mlgov_checks.findings import Status
from mlgov_checks.policy.load import policy_from_mapping
from mlgov_checks.records import CardArtifact, ModelVersionRecord, RunRecord

CARD = b"model_name: churn\n"
MODEL = digests.ModelDigest.of([digests.FileDigest("MLmodel", digests.sha256_bytes(b"m"), 1),
                                digests.FileDigest("model.pkl", digests.sha256_bytes(b"w"), 1)])


def policy(**conf):
    return policy_from_mapping({"version": 1, "approval": conf})


DEFAULT = policy()


def approval(who, pol=DEFAULT, *, model="churn", version="3", revoked=False, **changes):
    """An unsigned approval record by `who`, bound to make_version()'s content under `pol`."""
    stated = statement.Approval(model=model, version=version, model_sha256=MODEL.root, run_id="r1",
                                card_sha256=digests.sha256_bytes(CARD), policy_sha256=pol.sha256, approver=who,
                                time="2026-01-05T10:00:00Z", comment="looks good")
    stated = dataclasses.replace(stated, **changes)
    rec = Record(key=approvals.approval_key(who), approval=stated, payload=stated.payload(), revoked=revoked)
    return rec.key, rec.to_json()


def make_version(*approved, author="alice", reviewer="bob", **changes):
    run = RunRecord(run_id="r1", tags={"mlflow.user": author, "code_reviewer": reviewer})
    card = CardArtifact("documentation/model_card.yaml", "models:/churn/3/documentation/model_card.yaml", CARD,
                        len(CARD))
    return ModelVersionRecord(name="churn", version="3", run_id="r1", run=run, tags=dict(approved), card=card,
                              model_digest=MODEL, **changes)


def statuses(findings):
    return [(f.check, f.status.value, f.message) for f in findings]


def test_two_valid_approvals_meet_a_quorum_of_two():
    pol = policy(min_approvals=2)
    found = approvals.quorum(make_version(approval("carol", pol), approval("dave", pol)), pol)
    assert statuses(found) == [("approval-quorum", "pass",
                                "2 valid approval(s), 2 required (carol (claim), dave (claim))")]


@pytest.mark.parametrize(("entry", "note"), (
    (approval("alice"), "ignored approval by alice: 'alice' is the run's author (alice): no self-approval"),
    (approval("ALICE@corp.example"), "ignored approval by ALICE@corp.example: 'ALICE@corp.example' is the "
                                     "run's author (alice): no self-approval"),
    (approval("carol", version="2"),
     "ignored approval by carol: it approves models:/churn/2, not models:/churn/3"),
    (approval("carol", model="fraud"),
     "ignored approval by carol: it approves models:/fraud/3, not models:/churn/3"),
    (("mlgov.approval.carol", "yes"), "ignored approval by carol: tag 'mlgov.approval.carol' is not JSON"),
    (("mlgov.approval.carol", json.dumps({"approver": "carol", "model": "churn", "version": "3"})),
     "ignored approval by carol: tag 'mlgov.approval.carol' holds no approval statement (an approval "
     "recorded before approvals named their content: approve again)"),
    ((approvals.approval_key("carol"), approval("dave")[1]),
     "ignored approval by carol: tag 'mlgov.approval.carol' names approver 'dave', whose key differs"),
))
def test_approvals_that_do_not_count(entry, note):
    found = list(approvals.quorum(make_version(entry), DEFAULT))
    assert statuses(found) == [("approval-ignored", "warn", note),
                               ("approval-quorum", "fail", "0 valid approval(s) of 1 required (none)")]


def test_revoked_approvals_drop_silently():
    found = approvals.quorum(make_version(approval("carol", revoked=True)), DEFAULT)
    assert statuses(found) == [("approval-quorum", "fail", "0 valid approval(s) of 1 required (none)")]


def test_allowed_approvers_and_reviewer_rule():
    pol = policy(min_approvals=2, allowed_approvers=["bob", "carol"], forbid_reviewer=True)
    version = make_version(approval("bob", pol), approval("erin", pol), approval("carol", pol))
    found = approvals.quorum(version, pol)
    assert statuses(found) == [
        ("approval-ignored", "warn",
         "ignored approval by bob: 'bob' reviewed the code (approval.forbid_reviewer)"),
        ("approval-ignored", "warn", "ignored approval by erin: 'erin' is not in approval.allowed_approvers"),
        ("approval-quorum", "fail", "1 valid approval(s) of 2 required (carol (claim))"),
    ]


def test_required_approvers():
    pol = policy(min_approvals=1, required_approvers=["carol", "risk-officer"])
    found = approvals.quorum(make_version(approval("carol", pol)), pol)
    assert statuses(found) == [
        ("approval-required", "fail", "required approver(s) have not approved: risk-officer"),
        ("approval-quorum", "pass", "1 valid approval(s), 1 required (carol (claim))"),
    ]


def test_roles_decide_who_may_approve():
    conf = {"version": 1, "approval": {"min_approvals": 1},
            "roles": {"members": {"admin": ["carol"], "data_scientist": ["dave"]},
                      "permissions": {"admin": ["approve"], "data_scientist": ["promote"]}}}
    pol = policy_from_mapping(conf)
    found = list(approvals.quorum(make_version(approval("dave", pol)), pol))
    assert [f.status for f in found] == [Status.WARN, Status.FAIL]
    assert "'dave' (data_scientist) has no 'approve' permission" in found[0].message


def test_approval_keys_are_valid_mlflow_tag_keys_and_distinct():
    import re

    keys = {approvals.approval_key(a) for a in ("carol", "Carol", "carol@corp.example", "carol_corp.example",
                                                 "c a r o l", "")}
    assert len(keys) == 5  # "carol" and "Carol" are the same approver
    assert all(re.fullmatch(r"[\w.\- /:]+", k) and len(k) <= 250 for k in keys)


@pytest.mark.parametrize(("mode", "approved", "description", "ok"), (
    ("approvals", True, None, True),
    ("approvals", False, "Approved by the committee", False),
    ("either", True, None, True),
    ("either", False, "Approved by the committee", True),
    ("either", False, "Candidate", False),
))
def test_evidence_approval_modes_use_recorded_approvals(mode, approved, description, ok):
    conf = policy_from_mapping({"version": 1, "evidence": {"approval": mode},
                                "approval": {"min_approvals": 1}})
    tags = dict([approval("carol", conf)]) if approved else {}
    version = make_version(description=description, author="alice")
    version = dataclasses.replace(version, tags=tags)
    found = list(evidence.check_approval(version, conf))
    assert (not any(f.status is Status.FAIL for f in found)) is ok


def test_semver_order_finding():
    tags = {"1": "1.0.0", "2": "1.1.0", "3": "1.0.9"}
    assert [f.status for f in approvals.check_semver_order("2", tags, target="t")] == [Status.PASS]
    (bad,) = approvals.check_semver_order("3", tags, target="t")
    assert bad.message == "version 3 semantic_version 1.0.9 is not greater than 1.1.0 of version 2"
