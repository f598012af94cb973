"""Signed, content-bound approvals against the real server: the legitimate flow, and every way around it refused.

Keys are made in the test (ssh-keygen ed25519 and ECDSA, securesystemslib for the CI key file) and
listed in a real allowed-signers file beside the policy; the attacker's moves are made with the
plain MLflow client, as anyone with EDIT on the registry could.
"""

from __future__ import annotations

import json

import pytest

from tests.integration import test_governance as governance
from tests.keys import allowed_signers, signing_team

pytestmark = pytest.mark.integration
client, make, mlgov = governance.client, governance.make, governance.mlgov  # the workflow tests' fixtures

SIGNED_POLICY = """\
version: 1
evidence:
  approval: approvals
approval:
  min_approvals: 2
  require_signature: {require}
  allowed_signers: allowed_signers
"""


@pytest.fixture
def team(tmp_path):
    return signing_team(tmp_path, SIGNED_POLICY.format(require="true"))


def approve(mlgov, target, team, who, *extra):
    return mlgov("approve", target, "--sign-with", str(team[who].private), "--comment", f"{who} read it",
                 "--policy", team["policy"], *extra)


def check(mlgov, target, team):
    result = mlgov("check", target, "--policy", team["policy"], "-f", "json")
    found = json.loads(result.stdout)["findings"]
    return result.exit_code, found


def ignored(found):
    return [f["message"] for f in found if f["check"] == "approval-ignored"]


def quorum(found):
    return next(f for f in found if f["check"] == "approval-quorum")


@pytest.fixture
def approved(make, mlgov, team):
    """A version approved and signed by ann (ed25519) and bob (ECDSA)."""
    def build(name):
        version = make(name)
        target = f"models:/{name}/{version}"
        for who in ("ann", "bob"):
            result = approve(mlgov, target, team, who)
            assert result.exit_code == 0, result.output
        return name, version, target
    return build


def test_two_signed_approvals_open_the_gate_and_promote_works(approved, mlgov, client, team):
    name, version, target = approved("sig-flow")
    code, found = check(mlgov, target, team)
    assert code == 0, found
    assert quorum(found)["message"] == "2 valid approval(s), 2 required (ann, bob)"
    promoted = mlgov("promote", target, "--alias", "champion", "--policy", team["policy"])
    assert promoted.exit_code == 0, promoted.output
    assert client.get_registered_model(name).aliases == {"champion": version}
    tags = client.get_model_version(name, version).tags
    record = json.loads(tags["mlgov.approval.ann"])
    statement = json.loads(record["payload"])
    assert statement["_type"] == "https://in-toto.io/Statement/v1"
    assert statement["subject"][0]["name"] == target and len(statement["subject"][0]["digest"]["sha256"]) == 64
    assert record["sshsig"].startswith("-----BEGIN SSH SIGNATURE-----")


def test_a_ci_key_file_approval_counts(make, mlgov, team):
    target = f"models:/sig-ci/{make('sig-ci')}"
    assert approve(mlgov, target, team, "ann").exit_code == 0
    ci = mlgov("approve", target, "--key-file", str(team["ci"]), "--comment", "pipeline", "--policy", team["policy"])
    assert ci.exit_code == 0, ci.output
    code, found = check(mlgov, target, team)
    assert code == 0 and quorum(found)["message"] == "2 valid approval(s), 2 required (ann, ci-bot)"


@pytest.mark.parametrize(("path", "said"), [("documentation/model_card.yaml", "the model card changed"),
                                            ("model/model.pkl", "the model files changed"),
                                            ("model/extra.bin", "the model files changed")])
def test_replacing_the_card_or_the_weights_after_approval_unbinds_it(approved, mlgov, client, team, path, said):
    name, version, target = approved(f"sig-replace-{path.replace('/', '-').replace('.', '-')}")
    run_id = client.get_model_version(name, version).run_id
    client.log_text(run_id, "swapped after approval\n", path)
    code, found = check(mlgov, target, team)
    assert code == 1
    assert len(ignored(found)) == 2 and all("it no longer counts" in m and said in m for m in ignored(found))
    refused = mlgov("promote", target, "--alias", "champion", "--policy", team["policy"])
    assert refused.exit_code == 1 and "champion" not in client.get_registered_model(name).aliases


def test_as_claims_and_hand_written_tags_do_not_count(make, mlgov, client, team, monkeypatch):
    name = "sig-claims"
    version = make(name)
    target = f"models:/{name}/{version}"
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", "bob")
    claimed = mlgov("approve", target, "--as", "carol", "--comment", "ok", "--policy", team["policy"])
    assert claimed.exit_code == 0 and "unsigned: a claim" in claimed.output
    # bob's key cannot approve as alice: refused, nothing written
    as_alice = approve(mlgov, target, team, "bob", "--as", "alice")
    assert as_alice.exit_code == 1 and "--as alice names someone else: the signing key is bob's" in as_alice.output
    assert "mlgov.approval.alice" not in client.get_model_version(name, version).tags
    # a tag written by hand, with the right content, by someone with EDIT
    value = json.loads(client.get_model_version(name, version).tags["mlgov.approval.carol"])
    statement = json.loads(value["payload"])
    statement["predicate"]["approver"] = "dave"
    forged = {"payload": json.dumps(statement, sort_keys=True, separators=(",", ":"))}
    client.set_model_version_tag(name, version, "mlgov.approval.dave", json.dumps(forged))
    code, found = check(mlgov, target, team)
    assert code == 1
    assert ignored(found) == [
        "ignored approval by carol: unsigned: 'carol' is a claim (named with --as (the MLflow credentials said "
        "'bob')); approval.require_signature counts signed approvals only",
        "ignored approval by dave: unsigned: 'dave' is a claim (a hand-written or unsigned tag); "
        "approval.require_signature counts signed approvals only"]


def test_without_require_signature_claims_count_and_are_shown_as_claims(make, mlgov, team):
    (team["dir"] / ".mlgov.yaml").write_text(SIGNED_POLICY.format(require="false"))
    target = f"models:/sig-open/{make('sig-open')}"
    assert approve(mlgov, target, team, "ann").exit_code == 0
    assert mlgov("approve", target, "--as", "carol", "--comment", "ok", "--policy", team["policy"]).exit_code == 0
    code, found = check(mlgov, target, team)
    assert code == 0 and quorum(found)["message"] == "2 valid approval(s), 2 required (ann, carol (claim))"


@pytest.mark.parametrize("spelling", ["\u0430nn", "an\u200bn", "\uff41\uff4e\uff4e"])
def test_a_disguised_second_person_is_refused_and_never_counts(make, mlgov, client, team, spelling):
    (team["dir"] / ".mlgov.yaml").write_text(SIGNED_POLICY.format(require="false"))
    name = f"sig-disguised-{ord(spelling[0]) + ord(spelling[2])}"
    version = make(name)
    target = f"models:/{name}/{version}"
    assert mlgov("approve", target, "--as", "ann", "--comment", "ok", "--policy", team["policy"]).exit_code == 0
    again = mlgov("approve", target, "--as", spelling, "--comment", "ok", "--policy", team["policy"])
    assert again.exit_code == 1 and "disguised" in again.output
    value = json.loads(client.get_model_version(name, version).tags["mlgov.approval.ann"])
    statement = json.loads(value["payload"])
    statement["predicate"]["approver"] = spelling
    from mlgov_checks.evidence.approval_record import approval_key
    client.set_model_version_tag(name, version, approval_key(spelling), json.dumps(
        {"payload": json.dumps(statement, sort_keys=True, separators=(",", ":"), ensure_ascii=False)}))
    code, found = check(mlgov, target, team)
    assert code == 1 and quorum(found)["message"] == "1 valid approval(s) of 2 required (ann (claim))"
    assert any("disguised" in m for m in ignored(found))


def test_an_approval_replayed_onto_another_version_does_not_count(approved, make, mlgov, client, team):
    name, version, _ = approved("sig-replay")
    other = make(name)
    for key in ("mlgov.approval.ann", "mlgov.approval.bob"):
        client.set_model_version_tag(name, other, key, client.get_model_version(name, version).tags[key])
    code, found = check(mlgov, f"models:/{name}/{other}", team)
    assert code == 1
    assert f"ignored approval by ann: it approves models:/{name}/{version}, not models:/{name}/{other}" \
        in ignored(found)


def test_a_signature_over_another_model_does_not_count(approved, make, mlgov, client, team):
    name, version, _ = approved("sig-other-model")
    victim = make("sig-victim")
    record = json.loads(client.get_model_version(name, version).tags["mlgov.approval.ann"])
    statement = json.loads(record["payload"])
    statement["subject"][0]["name"] = f"models:/sig-victim/{victim}"  # ann's signature, another subject
    record["payload"] = json.dumps(statement, sort_keys=True, separators=(",", ":"))
    client.set_model_version_tag("sig-victim", victim, "mlgov.approval.ann", json.dumps(record))
    code, found = check(mlgov, f"models:/sig-victim/{victim}", team)
    assert code == 1
    (note,) = ignored(found)
    assert "Signature verification failed" in note or "no longer counts" in note


@pytest.mark.parametrize("options", ['valid-before="20200101"', 'namespaces="git"'])
def test_a_revoked_or_expired_key_no_longer_counts(approved, mlgov, team, options):
    _, _, target = approved(f"sig-expired-{len(options)}")
    allowed_signers(team["signers"], ("ann", team["ann"].public_line, options), ("bob", team["bob"].public_line))
    code, found = check(mlgov, target, team)
    assert code == 1
    (note,) = ignored(found)
    assert note.startswith("ignored approval by ann: the SSH signature by ann's key") and "does not verify" in note


def test_a_key_not_on_the_list_cannot_approve(make, mlgov, client, team):
    name = "sig-unlisted"
    version = make(name)
    target = f"models:/{name}/{version}"
    refused = approve(mlgov, target, team, "eve")
    assert refused.exit_code == 1 and "not in the allowed signers" in refused.output
    assert not [k for k in client.get_model_version(name, version).tags if k.startswith("mlgov.approval.")]
    # signed without the list, then placed by hand: the gate refuses it as well
    from mlgov_checks.evidence import sshsig
    assert approve(mlgov, target, team, "ann").exit_code == 0
    record = json.loads(client.get_model_version(name, version).tags["mlgov.approval.ann"])
    statement = json.loads(record["payload"])
    statement["predicate"]["approver"] = "eve"
    payload = json.dumps(statement, sort_keys=True, separators=(",", ":"))
    forged = {"payload": payload, "sshsig": sshsig.sign(payload.encode(), str(team["eve"].private))}
    client.set_model_version_tag(name, version, "mlgov.approval.eve", json.dumps(forged))
    code, found = check(mlgov, target, team)
    assert code == 1 and any("is not in the allowed signers" in m for m in ignored(found))


def test_a_signer_the_pull_request_adds_does_not_count_under_policy_ref(make, mlgov, team, monkeypatch):
    import subprocess

    repo = team["dir"]
    def git(*args):
        subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)
    git("init", "-q", "-b", "main")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "add", ".mlgov.yaml", "allowed_signers")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "policy")
    # the pull request lists eve's key: she can sign, and her approval would count from the work tree
    allowed_signers(team["signers"], ("ann", team["ann"].public_line), ("bob", team["bob"].public_line),
                    ("eve", team["eve"].public_line))
    target = f"models:/sig-ref/{make('sig-ref')}"
    assert approve(mlgov, target, team, "ann").exit_code == 0
    assert approve(mlgov, target, team, "eve").exit_code == 0
    monkeypatch.chdir(repo)
    result = mlgov("check", target, "--policy-ref", "main", "-f", "json")
    found = json.loads(result.stdout)["findings"]
    assert result.exit_code == 1
    assert any(m.startswith("ignored approval by eve: its signing key") and "main:allowed_signers" in m
               for m in ignored(found)), found
    assert quorum(found)["message"] == "1 valid approval(s) of 2 required (ann)"
    # and the changed list itself is reported: a file the base policy relies on
    assert any(f["check"].startswith("policy") and "allowed_signers" in f["message"] for f in found), found


def test_each_model_file_is_read_once_by_the_gate(make, mlgov, client, team, store):
    (team["dir"] / ".mlgov.yaml").write_text(SIGNED_POLICY.format(require="false"))
    name = "sig-read-once"
    version = make(name)
    run_id = client.get_model_version(name, version).run_id
    client.log_text(run_id, "flavors:\n  python_function: {}\n", "model/MLmodel")
    client.log_text(run_id, "name: env\n", "model/conda.yaml")
    target = f"models:/{name}/{version}"
    for who in ("ann", "bob"):
        assert approve(mlgov, target, team, who).exit_code == 0
    offset = store.server.log_size()
    code, found = check(mlgov, target, team)
    assert code == 0, found
    gets = [ln.split()[1].split("?")[0] for ln in store.server.requests_since(offset) if ln.startswith("GET")]
    for path in ("model/MLmodel", "model/model.pkl", "model/conda.yaml", "documentation/model_card.yaml"):
        reads = [g for g in gets if g.endswith(f"/{run_id}/artifacts/{path}")]
        assert len(reads) == 1, (path, gets)


def test_audit_and_inventory_judge_approvals_as_promote_does(make, mlgov, client, team):
    """Proof, claim and stale side by side: the listings do not take an approval at face value."""
    (team["dir"] / ".mlgov.yaml").write_text(SIGNED_POLICY.format(require="false").replace("min_approvals: 2",
                                                                                           "min_approvals: 1"))
    name = "sig-listed"
    kept, changed = make(name), make(name)
    for number in (kept, changed):
        target = f"models:/{name}/{number}"
        assert approve(mlgov, target, team, "ann").exit_code == 0
        assert mlgov("approve", target, "--as", "carol", "--comment", "ok", "--policy", team["policy"]).exit_code == 0
    assert mlgov("promote", f"models:/{name}/{kept}", "--alias", "champion", "--policy", team["policy"]).exit_code == 0
    run_id = client.get_model_version(name, changed).run_id
    client.log_text(run_id, "swapped after approval\n", "model/model.pkl")  # weights replaced after approval
    result = mlgov("audit", name, "-f", "json", "--policy", team["policy"])
    rows = {r["version"]: r for r in json.loads(result.stdout)["versions"]}
    assert rows[kept]["approvals"] == ["ann", "carol"]
    [ann, carol] = rows[kept]["approval_evidence"]
    assert ann.startswith("ann: proof (ssh signature, SHA256:") and carol == "carol: claim (unsigned)"
    assert rows[changed]["approvals"] == []  # what promote would count now: nothing
    assert len(rows[changed]["approval_evidence"]) == 2
    assert all(e.split(": ", 1)[1].startswith("stale (the model files changed (root sha256 ")
               for e in rows[changed]["approval_evidence"]), rows[changed]["approval_evidence"]
    # the same judgement in the inventory, for the production version, and once its weights change too
    client.log_text(client.get_model_version(name, kept).run_id, "swapped too\n", "model/model.pkl")
    inventory = mlgov("inventory", "-f", "json", "--evaluate", "--filter", f"name = '{name}'",
                      "--policy", team["policy"])
    (row,) = json.loads(inventory.stdout)["models"]
    assert row["approvals"] == []
    assert [e.split(" (")[0] for e in row["approval_evidence"]] == [f"v{kept} ann: stale", f"v{kept} carol: stale"]
    # without --evaluate the inventory reads no model files: nothing is counted, and it says why
    inventory = mlgov("inventory", "-f", "json", "--filter", f"name = '{name}'", "--policy", team["policy"])
    (row,) = json.loads(inventory.stdout)["models"]
    assert row["approvals"] == []
    assert row["approval_evidence"] == [
        f"v{kept} {who}: unverified (not verified: the listing read no model files; --evaluate verifies them)"
        for who in ("ann", "carol")], row["approval_evidence"]
    # and a signature required: carol's claim is refused, ann's proof stays proof (on the untouched version)
    (team["dir"] / ".mlgov.yaml").write_text(SIGNED_POLICY.format(require="true"))
    fresh = make(name)
    assert approve(mlgov, f"models:/{name}/{fresh}", team, "ann").exit_code == 0
    client.set_model_version_tag(name, fresh, "mlgov.approval.carol",
                                 client.get_model_version(name, kept).tags["mlgov.approval.carol"])
    result = mlgov("audit", name, "-f", "json", "--policy", team["policy"])
    row = next(r for r in json.loads(result.stdout)["versions"] if r["version"] == fresh)
    assert row["approvals"] == ["ann"]
    assert any(e.startswith(f"carol: refused (it approves models:/{name}/{kept}, not models:/{name}/{fresh})")
               for e in row["approval_evidence"]), row["approval_evidence"]


def test_an_approval_tag_copied_from_another_model_does_not_count(approved, make, mlgov, client, team):
    name, version, _ = approved("sig-copy-from")
    victim = make("sig-copy-to")
    for key in ("mlgov.approval.ann", "mlgov.approval.bob"):  # copied verbatim, signatures and all
        client.set_model_version_tag("sig-copy-to", victim, key, client.get_model_version(name, version).tags[key])
    code, found = check(mlgov, f"models:/sig-copy-to/{victim}", team)
    assert code == 1
    assert sorted(ignored(found)) == [
        f"ignored approval by {who}: it approves models:/{name}/{version}, not models:/sig-copy-to/{victim}"
        for who in ("ann", "bob")]
    assert quorum(found)["message"] == "0 valid approval(s) of 2 required (none)"


def test_a_key_removed_from_the_allowed_signers_at_the_base_ref_no_longer_counts(approved, make, mlgov, team,
                                                                                  monkeypatch):
    """Revoking bob's key is a reviewed change on the base branch; the working tree still listing it does not help."""
    import subprocess

    repo = team["dir"]

    def git(*args):
        subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                       check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git("add", ".mlgov.yaml", "allowed_signers")
    git("commit", "-q", "-m", "policy and signers")
    _, _, target = approved("sig-revoked-at-ref")
    monkeypatch.chdir(repo)
    before = mlgov("check", target, "--policy-ref", "main", "-f", "json")
    assert before.exit_code == 0, before.output
    listed = team["signers"].read_text()
    allowed_signers(team["signers"], ("ann", team["ann"].public_line))  # bob's key revoked on main
    git("commit", "-q", "-am", "revoke bob's key")
    team["signers"].write_text(listed)  # the working tree (a pull request) puts it back
    result = mlgov("check", target, "--policy-ref", "main", "-f", "json")
    found = json.loads(result.stdout)["findings"]
    assert result.exit_code == 1
    assert any(m.startswith("ignored approval by bob: its signing key SHA256:") and "main:allowed_signers" in m
               for m in ignored(found)), found
    assert quorum(found)["message"] == "1 valid approval(s) of 2 required (ann)"
