"""Decision records signed by their actor, against the real server: the signed flow, and each forgery the audit names.

Keys are made in the test (ssh-keygen ed25519 and ECDSA, securesystemslib for the CI key file) and
listed in a real allowed-signers file beside the policy. The attacker's moves are made with the
plain MLflow client, as anyone with EDIT on the tracking server could: a complete forged record
(digest, link, head tag, finished run, outcome done, matching decision file) is exactly what the
chain alone cannot catch, and what the signature does.
"""

from __future__ import annotations

import json

import pytest

from mlgov_checks.evidence import keysign
from mlgov_checks.governance import chain, decisions
from tests.integration import test_governance as governance
from tests.keys import allowed_signers, signing_team

pytestmark = pytest.mark.integration
client, make, mlgov = governance.client, governance.make, governance.mlgov  # the workflow tests' fixtures
LOG = "mlgov-decisions"
APPROVED = "Approved by the model risk committee"  # the evidence a non-production move needs

POLICY = """\
version: 1
approval:
  min_approvals: 1
  require_signed_decisions: {require}
  allowed_signers: allowed_signers
"""


@pytest.fixture
def team(tmp_path):
    return signing_team(tmp_path, POLICY.format(require="true"))


def promote(mlgov, team, target, alias, *extra):
    return mlgov("promote", target, "--alias", alias, "--policy", team["policy"], *extra)


def ok(result):
    assert result.exit_code == 0, result.output
    return True


def signed_by(team, who):
    return ("--sign-with", str(team[who].private))


def audit(mlgov, team, name):
    result = mlgov("audit", name, "-f", "json", "--policy", team["policy"])
    return result.exit_code, json.loads(result.stdout)


def log_runs(client, name):
    exp = client.get_experiment_by_name(LOG).experiment_id
    return client.search_runs([exp], f"tags.`mlgov.decision.model` = '{name}'",
                              order_by=["attributes.start_time ASC"])


def test_signed_promotions_and_records_pass_the_audit_and_name_the_keys_principal(make, mlgov, client, team):
    name = "sigdec-flow"
    one, two = make(name, description=APPROVED), make(name, description=APPROVED)
    # ann promotes with her SSH key; the CI identity records the gate's outcome with its key file,
    # and the actor each record names is the key's principal, whatever the environment says
    assert ok(promote(mlgov, team, f"models:/{name}/{one}", "candidate", *signed_by(team, "ann")))
    assert ok(promote(mlgov, team, f"models:/{name}/{two}", "candidate", *signed_by(team, "bob")))
    recorded = mlgov("check", f"models:/{name}/{two}", "--record", "--key-file", str(team["ci"]),
                     "--policy", team["policy"])
    assert recorded.exit_code == 0, recorded.output
    runs = [r.data.tags for r in log_runs(client, name)]
    assert [t["mlgov.decision.actor"] for t in runs] == ["ann", "bob", "ci-bot"]
    kinds = [sorted(json.loads(t["mlgov.decision.signature"])) for t in runs]
    assert kinds == [["sshsig"], ["sshsig"], ["dsse"]]
    code, doc = audit(mlgov, team, name)
    assert (code, doc["bypassed"]) == (0, []), doc
    shown = {r["version"]: r["recorded_status"] for r in doc["versions"]}
    assert shown[two] == "pass"


def test_with_signatures_required_an_unsigned_promotion_is_refused_and_writes_nothing(make, mlgov, client, team):
    name = "sigdec-unsigned-refused"
    number = make(name, description=APPROVED)
    refused = promote(mlgov, team, f"models:/{name}/{number}", "candidate")
    assert refused.exit_code == 2 and "must be signed by its actor" in refused.output, refused.output
    assert client.get_registered_model(name).aliases == {}
    exp = client.get_experiment_by_name(LOG)
    assert exp is None or not log_runs(client, name)
    recorded = mlgov("check", f"models:/{name}/{number}", "--record", "--policy", team["policy"])
    assert recorded.exit_code == 2 and "must be signed" in recorded.output
    assert "mlgov.status" not in client.get_model_version(name, number).tags


def test_an_unsigned_record_is_a_finding_naming_it_when_signatures_are_required(make, mlgov, client, team):
    name = "sigdec-unsigned-audit"
    number = make(name, description=APPROVED)
    (team["dir"] / ".mlgov.yaml").write_text(POLICY.format(require="false"))
    assert ok(promote(mlgov, team, f"models:/{name}/{number}", "candidate"))  # unsigned: allowed
    code, doc = audit(mlgov, team, name)
    assert (code, doc["bypassed"]) == (0, [])  # not required: an unsigned record still counts
    (team["dir"] / ".mlgov.yaml").write_text(POLICY.format(require="true"))
    code, doc = audit(mlgov, team, name)
    (run,) = log_runs(client, name)
    assert code == 1
    assert f"{name}: record runs:/{run.info.run_id} (promote v{number} -> @candidate) is unsigned: " \
           "approval.require_signed_decisions counts records signed by their actor only" in doc["bypassed"]
    assert any(f.startswith(f"{name}: @candidate points at version {number} with no recorded `mlgov promote` "
                            f"decision that counts: runs:/{run.info.run_id} (its record is unsigned")
               for f in doc["bypassed"]), doc["bypassed"]


def forge(client, name, version, *, actor, sign=None, alias="champion"):
    """A complete record made by hand: chained to the newest record, head moved, finished, done, its
    decision file matching its tags, the alias moved to match; `sign(payload)` signs it."""
    newest = log_runs(client, name)[-1].data.tags["mlgov.decision.digest"]
    decision = chain.link({"action": "promote", "model": name, "version": version, "to": f"@{alias}",
                           "from": "none", "actor": actor, "time": "2030-01-01T00:00:00Z", "gate": "pass",
                           "policy_sha256": log_runs(client, name)[-1].data.tags["mlgov.decision.policy_sha256"]},
                          newest)
    tags = decisions.tags({**decision, "outcome": "done"})
    if sign is not None:
        tags["mlgov.decision.signature"] = json.dumps(sign(chain.payload(chain.stored(decision))))
    run = client.create_run(client.get_experiment_by_name(LOG).experiment_id, tags=tags)
    client.log_text(run.info.run_id, decisions.document(decision, []), decisions.DOCUMENT)
    client.set_terminated(run.info.run_id)
    client.set_registered_model_tag(name, chain.HEAD_TAG, decision["digest"])
    client.set_registered_model_alias(name, alias, version)
    return run.info.run_id


def ssh_signer(team, who, namespace=keysign.DECISION.namespace):
    from mlgov_checks.evidence import sshsig

    return lambda payload: {"sshsig": sshsig.sign(payload, str(team[who].private), namespace=namespace)}


@pytest.mark.parametrize(("how", "reason"), [
    ("unsigned", "is unsigned: approval.require_signed_decisions"),
    ("eve", "is not signed by an allowed signer: its signing key SHA256:"),
    ("bob as ann", "names the actor 'ann', but it is signed by the key of bob"),
    ("approval namespace", "is not signed by an allowed signer: the SSH signature by ann's key"),
    ("other bytes", "is not signed by an allowed signer: the SSH signature by ann's key"),
])
def test_a_complete_forged_record_is_named_by_its_signature(make, mlgov, client, team, how, reason):
    name = f"sigdec-forged-{how.replace(' ', '-')}"
    number = make(name, description=APPROVED)
    assert ok(promote(mlgov, team, f"models:/{name}/{number}", "candidate", *signed_by(team, "ann")))
    sign = {"unsigned": None, "eve": ssh_signer(team, "eve"), "bob as ann": ssh_signer(team, "bob"),
            "approval namespace": ssh_signer(team, "ann", namespace="mlgov-approval"),
            "other bytes": lambda payload: ssh_signer(team, "ann")(payload + b" ")}[how]
    run_id = forge(client, name, number, actor="ann", sign=sign)
    code, doc = audit(mlgov, team, name)
    assert code == 1
    assert any(f.startswith(f"{name}: record runs:/{run_id} (promote v{number} -> @champion) {reason}")
               for f in doc["bypassed"]), doc["bypassed"]
    assert any(f.startswith(f"{name}: @champion points at version {number} with no recorded `mlgov promote` "
                            f"decision that counts: runs:/{run_id} (its record ") for f in doc["bypassed"])
    # the genuine record before it still counts: only the forgery is named
    assert not any("@candidate" in f for f in doc["bypassed"]), doc["bypassed"]


def test_a_forged_record_signed_by_a_listed_key_in_its_own_name_is_accepted_so_keys_matter(make, mlgov, client, team):
    """The legitimate counterpart of the forgeries: a record bob signs as bob counts (it is bob's act)."""
    name = "sigdec-bob-own"
    number = make(name, description=APPROVED)
    assert ok(promote(mlgov, team, f"models:/{name}/{number}", "candidate", *signed_by(team, "ann")))
    forge(client, name, number, actor="bob", sign=ssh_signer(team, "bob"))
    code, doc = audit(mlgov, team, name)
    assert (code, doc["bypassed"]) == (0, []), doc


def test_a_key_removed_from_the_allowed_signers_no_longer_vouches(make, mlgov, client, team):
    name = "sigdec-revoked"
    number = make(name, description=APPROVED)
    assert ok(promote(mlgov, team, f"models:/{name}/{number}", "candidate", *signed_by(team, "bob")))
    assert audit(mlgov, team, name)[0] == 0
    allowed_signers(team["signers"], ("ann", team["ann"].public_line), ("ci-bot", team["ci_line"]))  # bob revoked
    code, doc = audit(mlgov, team, name)
    (run,) = log_runs(client, name)
    assert code == 1
    assert any(f.startswith(f"{name}: record runs:/{run.info.run_id} (promote v{number} -> @candidate) is not "
                            "signed by an allowed signer: its signing key") for f in doc["bypassed"]), doc


def test_a_key_cannot_sign_for_someone_else_or_off_the_list(make, mlgov, client, team):
    name = "sigdec-as"
    number = make(name, description=APPROVED)
    target = f"models:/{name}/{number}"
    as_ann = promote(mlgov, team, target, "candidate", "--as", "ann", *signed_by(team, "bob"))
    assert as_ann.exit_code == 2 and "--as ann names someone else: the signing key is bob's" in as_ann.output
    unlisted = promote(mlgov, team, target, "candidate", *signed_by(team, "eve"))
    assert unlisted.exit_code == 2 and "not in the allowed signers" in unlisted.output
    assert client.get_registered_model(name).aliases == {}


def test_a_dry_run_needs_no_key_and_a_key_without_record_is_a_usage_error(make, mlgov, client, team):
    name = "sigdec-dry"
    number = make(name, description=APPROVED)
    dry = promote(mlgov, team, f"models:/{name}/{number}", "candidate", "--dry-run")
    assert dry.exit_code == 0 and "would move" in dry.output, dry.output
    assert client.get_registered_model(name).aliases == {}
    stray = mlgov("check", f"models:/{name}/{number}", *signed_by(team, "ann"), "--policy", team["policy"])
    assert stray.exit_code == 2 and "give --record too" in stray.output, stray.output
