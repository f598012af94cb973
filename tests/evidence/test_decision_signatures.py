"""What the audit says of each decision record's signature, on records built in the test with real keys."""

from __future__ import annotations

import json

import pytest

from mlgov_checks.errors import PolicyError, UsageError
from mlgov_checks.evidence.keysign import SigningKey
from mlgov_checks.governance import chain, decisions, signed_decisions
from mlgov_checks.governance.decisions import Decision
from mlgov_checks.policy.load import load_policy
from tests.keys import allowed_signers, key_file, ssh_key


@pytest.fixture
def setup(tmp_path):
    ann, eve = ssh_key(tmp_path, "ann"), ssh_key(tmp_path, "eve")
    ci, ci_line = key_file(tmp_path, "ci")
    allowed_signers(tmp_path / "allowed_signers", ("ann", ann.public_line), ("ci-bot", ci_line))

    def policy(required: bool, signers: bool = True):
        path = tmp_path / ".mlgov.yaml"
        path.write_text(f"approval:\n  require_signed_decisions: {str(required).lower()}\n"
                        + ("  allowed_signers: allowed_signers\n" if signers else ""))
        return load_policy(str(path))

    return {"ann": SigningKey(ssh=str(ann.private)), "eve": SigningKey(ssh=str(eve.private)),
            "ci": SigningKey(key_file=str(ci)), "policy": policy}


def record(actor: str, sign=None, run_id: str = "r1", edited: dict | None = None) -> Decision:
    linked = chain.link({"action": "promote", "model": "churn", "version": "3", "to": "@champion",
                         "actor": actor, "time": "2026-01-05T10:00:00Z", "policy_sha256": "a" * 64}, None)
    fields = chain.stored(linked)
    if sign is not None:
        fields["signature"] = sign(chain.payload(fields))
    fields.update(edited or {})  # changed after signing
    return Decision(run_id=run_id, fields=fields, status="FINISHED")


def test_a_record_signed_by_its_actor_holds_and_the_actor_is_the_keys_principal(setup):
    pol = setup["policy"](True)
    for key, who in (("ann", "ann"), ("ci", "ci-bot")):
        actor = signed_decisions.actor(setup[key], "whoever", pol, asserted=False)
        assert actor.name == who and actor.sign is not None
        assert signed_decisions.judge(pol)(record(who, actor.sign)) is None


def test_each_way_a_signature_fails_is_named(setup):
    pol = setup["policy"](True)
    ann = signed_decisions.actor(setup["ann"], "ann", pol, asserted=False).sign
    judge = signed_decisions.judge(pol)  # one judgement per record (run id) for the whole audit
    assert judge(record("ann")).startswith("is unsigned: approval.require_signed_decisions")
    edited = judge(record("ann", ann, "r5", edited={"actor": "bob"}))
    assert edited.startswith("is not signed by an allowed signer: the SSH signature")
    assert judge(record("ann", lambda _p: "not json", run_id="r2")) == "carries a signature that is not one (malformed)"
    assert judge(record("bob", ann, run_id="r3")) == "names the actor 'bob', but it is signed by the key of ann"
    from mlgov_checks.evidence import sshsig
    eve = record("ann", lambda p: json.dumps({"sshsig": sshsig.sign(p, setup["eve"].ssh, namespace="mlgov-decision")}),
                 run_id="r4")
    assert "is not in the allowed signers" in judge(eve)


def test_unsigned_records_count_when_not_required_and_signed_ones_are_still_verified(setup):
    pol = setup["policy"](False)
    judge = signed_decisions.judge(pol)
    assert judge(record("ann")) is None
    ann = signed_decisions.actor(setup["ann"], "ann", pol, asserted=False).sign
    assert judge(record("ann", ann, "r2", edited={"to": "@prod"})) is not None  # an edited signed one is named


def test_keys_off_the_list_or_for_someone_else_are_refused_before_anything_is_written(setup):
    pol = setup["policy"](False)
    with pytest.raises(UsageError, match="not in the allowed signers"):
        signed_decisions.actor(setup["eve"], "eve", pol, asserted=False)
    with pytest.raises(UsageError, match="--as bob names someone else"):
        signed_decisions.actor(setup["ann"], "bob", pol, asserted=True)
    with pytest.raises(UsageError, match="must be signed by its actor"):
        signed_decisions.actor(None, "ann", setup["policy"](True), asserted=False)
    assert signed_decisions.actor(None, "ann", pol, asserted=False) == signed_decisions.Actor("ann")


def test_requiring_signed_decisions_needs_a_trust_root(setup):
    with pytest.raises(PolicyError, match="needs approval.allowed_signers"):
        signed_decisions.judge(setup["policy"](True, signers=False))


def test_the_signature_is_outside_the_digest_and_covers_the_same_bytes(setup):
    pol = setup["policy"](True)
    ann = signed_decisions.actor(setup["ann"], "ann", pol, asserted=False).sign
    signed, unsigned = record("ann", ann), record("ann")
    assert chain.digest(signed.fields) == signed.get("digest") == unsigned.get("digest")
    assert decisions.Field.SIGNATURE.value in chain.UNCHAINED
