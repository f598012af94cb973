"""Content-bound, signed approvals on records built in the test, with real keys and a real allowed-signers file."""

from __future__ import annotations

import dataclasses
import json

import pytest

from mlgov_checks.checks import approvals
from mlgov_checks.evidence import digests, issue, signers
from mlgov_checks.evidence.approval_record import Record, approval_key
from mlgov_checks.policy.load import policy_from_mapping
from mlgov_checks.records import CardArtifact
from tests.checks.test_approvals import approval, make_version
from tests.keys import allowed_signers, key_file, ssh_key

SIGNED = {"min_approvals": 2, "require_signature": True, "allowed_signers": "allowed_signers"}


@pytest.fixture
def team(tmp_path):
    ann, bob, eve = ssh_key(tmp_path, "ann"), ssh_key(tmp_path, "bob", "ecdsa"), ssh_key(tmp_path, "eve")
    ci, ci_line = key_file(tmp_path, "ci")
    path = allowed_signers(tmp_path / "allowed_signers", ("ann", ann.public_line), ("bob", bob.public_line),
                           ("ci-bot", ci_line))
    return {"ann": ann, "bob": bob, "eve": eve, "ci": ci, "signers": signers.parse(path.read_bytes(), shown="as"),
            "dir": tmp_path}


def policy(**conf):
    return policy_from_mapping({"version": 1, "approval": {**SIGNED, **conf}})


def signed(version, pol, team, who, *, actor=None, asserted=False, key_file=False):
    key = issue.SigningKey(key_file=str(team["ci"])) if key_file else issue.SigningKey(ssh=str(team[who].private))
    rec = issue.issue(version, policy_sha256=pol.sha256, actor=actor or who, asserted=asserted, recorded_by=who,
                      comment="ok", time="2026-12-01T21:00:00Z", key=key, signers=team["signers"])
    return rec.key, rec.to_json()


def judged(version, pol, team):
    found = list(approvals.quorum(version, pol, team["signers"]))
    return [(f.check, f.status.value, f.message) for f in found]


def notes(found):
    return [m for c, _, m in found if c == "approval-ignored"]


def test_two_signed_approvals_by_two_keys_meet_the_quorum(team):
    pol = policy()
    base = make_version()
    version = dataclasses.replace(base, tags=dict([signed(base, pol, team, "ann"), signed(base, pol, team, "bob")]))
    assert judged(version, pol, team) == [("approval-quorum", "pass", "2 valid approval(s), 2 required (ann, bob)")]


def test_a_ci_key_file_signs_a_dsse_envelope_that_counts(team):
    pol = policy()
    base = make_version()
    version = dataclasses.replace(base, tags=dict([signed(base, pol, team, "ann"),
                                                   signed(base, pol, team, "ci", actor="ci-bot", key_file=True)]))
    assert judged(version, pol, team)[-1] == ("approval-quorum", "pass",
                                              "2 valid approval(s), 2 required (ann, ci-bot)")


@pytest.mark.parametrize(("change", "said"), [
    ({"card": CardArtifact("documentation/model_card.yaml", "c", b"model_name: other\n", 18)},
     "the model card changed"),
    ({"model_digest": digests.ModelDigest.of([digests.FileDigest("model.pkl", "00" * 32, 1)])},
     "the model files changed"),
    ({"run_id": "r2"}, "the source run changed (r1 -> r2)"),
    ({"card": None}, "the model card cannot be compared: the version has no logged model card"),
])
def test_an_approval_of_content_that_changed_no_longer_counts(team, change, said):
    pol = policy(min_approvals=1)
    base = make_version()
    approved = dataclasses.replace(base, tags=dict([signed(base, pol, team, "ann")]), **change)
    found = judged(approved, pol, team)
    assert found[-1][1] == "fail"
    assert len(notes(found)) == 1 and "it no longer counts" in notes(found)[0] and said in notes(found)[0]


def test_a_changed_policy_unbinds_the_approval(team):
    pol = policy(min_approvals=1)
    base = make_version()
    version = dataclasses.replace(base, tags=dict([signed(base, pol, team, "ann")]))
    stricter = policy(min_approvals=1, forbid_reviewer=True)
    found = judged(version, stricter, team)
    assert "the policy in force changed" in notes(found)[0]


def test_unsigned_hand_written_and_as_claims_do_not_count_under_require_signature(team):
    pol = policy(min_approvals=1)
    hand = approval("ann", pol)
    key, value = approval("carol", pol)
    claimed = json.loads(value)
    claimed.update(asserted=True, recorded_by="bob")
    found = judged(make_version(hand, (key, json.dumps(claimed))), pol, team)
    assert notes(found) == [
        "ignored approval by ann: unsigned: 'ann' is a claim (a hand-written or unsigned tag); "
        "approval.require_signature counts signed approvals only",
        "ignored approval by carol: unsigned: 'carol' is a claim (named with --as (the MLflow credentials said "
        "'bob')); approval.require_signature counts signed approvals only"]


def test_without_require_signature_unsigned_approvals_count_as_claims(team):
    pol = policy(min_approvals=2, require_signature=False)
    base = make_version()
    version = dataclasses.replace(base, tags=dict([approval("carol", pol), signed(base, pol, team, "ann")]))
    assert judged(version, pol, team)[-1] == ("approval-quorum", "pass",
                                              "2 valid approval(s), 2 required (ann, carol (claim))")


def test_a_key_not_on_the_list_is_refused_at_approve_and_at_the_gate(team):
    pol = policy(min_approvals=1)
    base = make_version()
    with pytest.raises(issue.IssueError, match="not in the allowed signers"):
        signed(base, pol, team, "eve")
    unlisted = issue.issue(base, policy_sha256=pol.sha256, actor="eve", asserted=False, recorded_by="eve",
                           comment="", time="t", key=issue.SigningKey(ssh=str(team["eve"].private)), signers=None)
    found = judged(dataclasses.replace(base, tags={unlisted.key: unlisted.to_json()}), pol, team)
    assert "is not in the allowed signers" in notes(found)[0]


def test_as_naming_someone_else_than_the_key_is_refused(team):
    pol = policy(min_approvals=1)
    with pytest.raises(issue.IssueError, match="--as alice names someone else: the signing key is bob's"):
        signed(make_version(), pol, team, "bob", actor="alice", asserted=True)


def test_a_statement_naming_another_approver_than_its_key_is_refused(team):
    pol = policy(min_approvals=1)
    base = make_version()
    key, value = signed(base, pol, team, "bob")
    rec = json.loads(value)
    stmt = json.loads(rec["payload"])
    stmt["predicate"]["approver"] = "carol"  # bob's signature, carol's name: the signature breaks
    rec["payload"] = json.dumps(stmt, sort_keys=True, separators=(",", ":"))
    found = judged(dataclasses.replace(base, tags={approval_key("carol"): json.dumps(rec)}), pol, team)
    assert "does not verify" in notes(found)[0]


def test_a_signature_over_another_model_does_not_count(team):
    pol = policy(min_approvals=1)
    other = dataclasses.replace(make_version(), model_digest=digests.ModelDigest.of(
        [digests.FileDigest("model.pkl", "11" * 32, 1)]))
    _, value = signed(other, pol, team, "ann")  # ann signed the other model's statement
    found = judged(make_version(("mlgov.approval.ann", value)), pol, team)
    assert "the model files changed" in notes(found)[0]
    # ... and grafting this version's digest into that statement breaks the signature
    rec = json.loads(value)
    stmt = json.loads(rec["payload"])
    stmt["subject"][0]["digest"]["sha256"] = make_version().model_digest.root
    rec["payload"] = json.dumps(stmt, sort_keys=True, separators=(",", ":"))
    found = judged(make_version(("mlgov.approval.ann", json.dumps(rec))), pol, team)
    assert "Signature verification failed" in notes(found)[0]


def test_an_approval_replayed_onto_another_version_does_not_count(team):
    pol = policy(min_approvals=1)
    _, value = signed(make_version(), pol, team, "ann")
    four = dataclasses.replace(make_version(), version="4", tags={"mlgov.approval.ann": value})
    assert notes(judged(four, pol, team)) == [
        "ignored approval by ann: it approves models:/churn/3, not models:/churn/4"]


@pytest.mark.parametrize("options", ['valid-before="20200101"', 'valid-after="29990101"', 'namespaces="git"'])
def test_a_revoked_expired_or_other_namespace_key_does_not_count(team, options):
    path = allowed_signers(team["dir"] / "limited", ("ann", team["ann"].public_line, options),
                           ("bob", team["bob"].public_line))
    limited = signers.parse(path.read_bytes(), shown="limited")
    pol = policy(min_approvals=1)
    base = make_version()
    rec = issue.issue(base, policy_sha256=pol.sha256, actor="ann", asserted=False, recorded_by="ann", comment="",
                      time="t", key=issue.SigningKey(ssh=str(team["ann"].private)), signers=team["signers"])
    found = list(approvals.quorum(dataclasses.replace(base, tags={rec.key: rec.to_json()}), pol, limited))
    assert found[-1].status.value == "fail"
    assert "does not verify" in found[0].message


def test_one_key_listed_under_two_names_is_one_person(team):
    path = allowed_signers(team["dir"] / "twice", ("ann", team["ann"].public_line), ("anne", team["ann"].public_line))
    twice = signers.parse(path.read_bytes(), shown="twice")
    pol = policy()
    base = make_version()
    first = issue.issue(base, policy_sha256=pol.sha256, actor="ann", asserted=False, recorded_by="ann", comment="",
                        time="t", key=issue.SigningKey(ssh=str(team["ann"].private)), signers=twice)
    second = dataclasses.replace(first.approval, approver="anne")
    from mlgov_checks.evidence import sshsig
    forged = Record(key=approval_key("anne"), approval=second, payload=second.payload(),
                    sshsig=sshsig.sign(second.payload(), str(team["ann"].private)))
    version = dataclasses.replace(base, tags={first.key: first.to_json(), forged.key: forged.to_json()})
    found = list(approvals.quorum(version, pol, twice))
    assert found[-1].message.startswith("1 valid approval(s) of 2 required")
    assert "the same person as ann" in found[0].message


@pytest.mark.parametrize("spelling", ["\u0430nn", "an\u200bn", "\uff41\uff4e\uff4e", "\u202eann"])
def test_a_disguised_second_person_does_not_count(spelling):
    pol = policy_from_mapping({"version": 1, "approval": {"min_approvals": 2}})
    version = make_version(approval("ann", pol), approval(spelling, pol))
    found = list(approvals.quorum(version, pol))
    assert found[-1].message == "1 valid approval(s) of 2 required (ann (claim))"
    assert "disguised" in found[0].message


def test_look_alike_signers_are_one_person(team):
    cyrillic = "\u0430nn"
    path = allowed_signers(team["dir"] / "alike", ("ann", team["ann"].public_line), (cyrillic, team["bob"].public_line))
    alike = signers.parse(path.read_bytes(), shown="alike")
    pol = policy()
    base = make_version()
    recs = [issue.issue(base, policy_sha256=pol.sha256, actor=who, asserted=False, recorded_by=who, comment="",
                        time="t", key=issue.SigningKey(ssh=str(team[k].private)), signers=alike)
            for who, k in (("ann", "ann"), (cyrillic, "bob"))]
    version = dataclasses.replace(base, tags={r.key: r.to_json() for r in recs})
    found = list(approvals.quorum(version, pol, alike))
    assert found[-1].status.value == "fail"
    assert any("disguised" in f.message or "same person" in f.message for f in found[:-1])


def test_require_signature_without_a_trust_root_is_a_policy_error():
    from mlgov_checks.errors import PolicyError

    pol = policy_from_mapping({"version": 1, "approval": {"require_signature": True}})
    with pytest.raises(PolicyError, match="needs approval.allowed_signers"):
        list(approvals.quorum(make_version(approval("ann", pol)), pol))


def test_the_allowed_signers_file_is_read_beside_the_policy(tmp_path, team):
    from mlgov_checks.policy.load import load_policy

    (tmp_path / "allowed_signers").write_bytes(team["signers"].content)
    (tmp_path / ".mlgov.yaml").write_text("version: 1\napproval:\n  allowed_signers: allowed_signers\n")
    loaded = approvals.load_signers(load_policy(str(tmp_path / ".mlgov.yaml")))
    assert loaded is not None and [s.principals for s in loaded.signers] == [("ann",), ("bob",), ("ci-bot",)]
    (tmp_path / "allowed_signers").write_text("*@corp.example ssh-ed25519 AAAA\n")
    from mlgov_checks.errors import PolicyError
    with pytest.raises(PolicyError, match="is a pattern"):
        approvals.load_signers(load_policy(str(tmp_path / ".mlgov.yaml")))
