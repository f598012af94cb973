"""One signing machinery, two domains: a signature made for an approval never verifies as a decision record's."""

from __future__ import annotations

import datetime as dt

import pytest

from mlgov_checks.evidence import keysign, signers
from mlgov_checks.evidence.keysign import APPROVAL, DECISION, SigningKey
from tests.keys import allowed_signers, key_file, ssh_key

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc)
PAYLOAD = b'{"action":"promote","actor":"ann","model":"churn","prev":"genesis","to":"@champion","version":"3"}'


@pytest.fixture
def keys(tmp_path):
    ann = ssh_key(tmp_path, "ann")
    ci, ci_line = key_file(tmp_path, "ci")
    path = allowed_signers(tmp_path / "allowed_signers", ("ann", ann.public_line), ("ci-bot", ci_line))
    return {"ssh": SigningKey(ssh=str(ann.private)), "dsse": SigningKey(key_file=str(ci)),
            "signers": signers.parse(path.read_bytes(), shown="allowed_signers"), "path": path, "ann": ann}


@pytest.mark.parametrize(("how", "who"), [("ssh", "ann"), ("dsse", "ci-bot")])
def test_a_signature_verifies_in_its_own_domain_only(keys, how, who):
    for domain, other in ((APPROVAL, DECISION), (DECISION, APPROVAL)):
        sig = keysign.sign(PAYLOAD, keys[how], domain)
        found, why = keysign.verify(PAYLOAD, sig, keys["signers"], NOW, domain)
        assert found is not None and found.names == (who,), why
        assert found.proof is (keysign.Proof.SSH if how == "ssh" else keysign.Proof.DSSE)
        refused, why = keysign.verify(PAYLOAD, sig, keys["signers"], NOW, other)
        assert refused is None and why, f"a {domain.namespace} signature verified as {other.namespace}"


@pytest.mark.parametrize("how", ["ssh", "dsse"])
def test_other_bytes_or_an_unlisted_key_do_not_verify(keys, how, tmp_path):
    sig = keysign.sign(PAYLOAD, keys[how], DECISION)
    found, why = keysign.verify(PAYLOAD + b" ", sig, keys["signers"], NOW, DECISION)
    assert found is None and why
    alone = allowed_signers(tmp_path / "only_bob", ("bob", ssh_key(tmp_path, "bob").public_line))
    found, why = keysign.verify(PAYLOAD, sig, signers.parse(alone.read_bytes(), shown="only_bob"), NOW, DECISION)
    assert found is None and ("not in the allowed signers" in why or "no key in the allowed signers" in why), why


def test_a_dsse_envelope_relabelled_as_another_domain_does_not_verify(keys):
    sig = keysign.sign(PAYLOAD, keys["dsse"], APPROVAL)
    relabelled = keysign.Signature(dsse={**dict(sig.dsse or {}), "payloadType": DECISION.payload_type})
    found, why = keysign.verify(PAYLOAD, relabelled, keys["signers"], NOW, DECISION)
    assert found is None and "does not verify" in why  # PAE covers the type: relabelling breaks it


def test_a_key_limited_to_approvals_cannot_sign_decisions(keys):
    allowed_signers(keys["path"], ("ann", keys["ann"].public_line, 'namespaces="mlgov-approval"'))
    limited = signers.parse(keys["path"].read_bytes(), shown="allowed_signers")
    assert keysign.verify(PAYLOAD, keysign.sign(PAYLOAD, keys["ssh"], APPROVAL), limited, NOW, APPROVAL)[0]
    found, why = keysign.verify(PAYLOAD, keysign.sign(PAYLOAD, keys["ssh"], DECISION), limited, NOW, DECISION)
    assert found is None and why


def test_a_stored_signature_reads_back_and_junk_is_none():
    assert keysign.parse({"sshsig": "x"}) == keysign.Signature(sshsig="x")
    assert keysign.parse({"dsse": {"signatures": []}}) == keysign.Signature(dsse={"signatures": []})
    for junk in (None, "text", [], {"sshsig": 3}, {}):
        assert keysign.parse(junk) is None
