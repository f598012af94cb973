"""Governance workflows against the real tracking server: approvals, promotion, record, audit, helpers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
import yaml
from click.testing import CliRunner

from mlgov_checks.cli.app import main

pytestmark = pytest.mark.integration

AUTHOR = "alice"  # mlflow.user of every run made here
CARD = {
    "purpose": "Predict which subscription customers are likely to cancel within 30 days.",
    "input_schema": [{"name": "tenure_months", "type": "integer"}],
    "output_schema": [{"name": "churn_probability", "type": "float"}],
    "training_data": {"source": "warehouse.analytics.customer_snapshots", "rows": 184000},
    "performance_metrics": {"accuracy": 0.87, "drift_score": 0.04},
    "limitations": ["Not validated for business accounts."],
}
METRICS = {"accuracy": 0.87, "drift_score": 0.04}

POLICY = """\
version: 1
evidence:
  approval: approvals
approval:
  min_approvals: 2
  allowed_approvers: [alice, carol, dave, erin]
roles:
  members:
    approver: [alice, carol, dave, erin]
    release_manager: [rita]
  permissions:
    approver: [approve]
    release_manager: [promote, record]
"""
# The default approval rules (description or recorded approvals), one approval for production.
OPEN_POLICY = """\
version: 1
approval:
  min_approvals: 1
"""


def run_tags(commit: str, **extra: str) -> dict:
    return {"mlflow.user": AUTHOR, "mlflow.source.git.commit": commit, "mlflow.source.git.branch": "main",
            "mlflow.source.git.repoURL": "https://github.com/example/churn.git", "mlgov.git.dirty": "false",
            "code_reviewer": "bob", "review_status": "approved", "review_date": "2024-05-01", **extra}


@pytest.fixture(scope="module")
def client(mlflow_server):
    from mlflow import MlflowClient

    return MlflowClient(tracking_uri=mlflow_server.url, registry_uri=mlflow_server.url)


@pytest.fixture(scope="module")
def make(client, store):
    """make(name, **changes) -> version number: a compliant version (unless changed) of model `name`."""
    from mlflow.entities import Metric, Param

    exp = client.get_experiment_by_name("governance-workflows")
    exp_id = exp.experiment_id if exp else client.create_experiment("governance-workflows")

    def create(name, *, metrics=None, description="Candidate churn model", params=None, tags=None):
        run = client.create_run(exp_id, tags=tags or run_tags(store.commit))
        rid = run.info.run_id
        now = int(time.time() * 1000)
        client.log_batch(rid, metrics=[Metric(k, float(v), now, 0) for k, v in (metrics or METRICS).items()],
                         params=[Param(k, str(v)) for k, v in (params or {"C": 1.0}).items()])
        client.log_text(rid, yaml.safe_dump(CARD, sort_keys=False), "documentation/model_card.yaml")
        client.log_text(rid, "holdout accuracy 0.87\n", "validation/report.txt")
        client.log_text(rid, "scikit-learn==1.5.0\n", "requirements.txt")
        client.log_text(rid, f"weights of {name}\n", "model/model.pkl")  # the files an approval names
        client.set_terminated(rid)
        try:
            client.get_registered_model(name)
        except Exception:
            client.create_registered_model(name)
        mv = client.create_model_version(name, f"runs:/{rid}/model", run_id=rid, description=description)
        return str(mv.version)

    return create


@pytest.fixture
def policy_file(tmp_path):
    def write(text=POLICY):
        p = tmp_path / "policy.yaml"
        p.write_text(text)
        return str(p)

    return write


@pytest.fixture
def mlgov(mlflow_server):
    def invoke(*args):
        result = CliRunner().invoke(main, [*args, "--tracking-uri", mlflow_server.url])
        assert "Traceback" not in result.output, result.output
        return result

    return invoke


def approval_tags(client, name, version):
    """Each approval tag's statement, flattened: subject, predicate and the record's unsigned fields."""
    tags = client.get_model_version(name, version).tags
    out = {}
    for k, v in tags.items():
        if k.startswith("mlgov.approval."):
            rec = json.loads(v)
            stmt = json.loads(rec["payload"])
            model, _, number = stmt["subject"][0]["name"].removeprefix("models:/").rpartition("/")
            out[k] = {**stmt["predicate"], "model": model, "version": number, "revoked": rec.get("revoked", False),
                      "revoke_comment": rec.get("revoke_comment"),
                      "model_sha256": stmt["subject"][0]["digest"]["sha256"]}
    return out


def findings(result):
    return {(f["check"], f["status"]) for f in json.loads(result.stdout)["findings"]}


def test_two_concurrent_approvals_both_survive(make, client, policy_file, mlflow_server):
    version = make("gov-wf-concurrent")
    policy = policy_file()
    cmd = [sys.executable, "-m", "mlgov_checks", "approve", f"models:/gov-wf-concurrent/{version}",
           "--tracking-uri", mlflow_server.url, "--policy", policy]
    procs = [subprocess.Popen([*cmd, "--as", who, "--comment", f"reviewed by {who}"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for who in ("carol", "dave")]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    recorded = approval_tags(client, "gov-wf-concurrent", version)
    assert {r["approver"] for r in recorded.values()} == {"carol", "dave"}
    for r in recorded.values():
        assert r["revoked"] is False and r["model"] == "gov-wf-concurrent" and r["version"] == version
        assert r["time"].endswith("Z") and len(r["policy_sha256"]) == 64
    check = CliRunner().invoke(main, ["check", f"models:/gov-wf-concurrent/{version}", "--policy", policy,
                                      "--tracking-uri", mlflow_server.url, "-f", "json"])
    assert ("approval-quorum", "pass") in findings(check), check.output
    assert check.exit_code == 0, check.output


def test_three_spellings_of_one_person_are_one_approval(make, client, policy_file, mlgov):
    version = make("gov-wf-one-person")
    target = f"models:/gov-wf-one-person/{version}"
    policy = policy_file()
    for who in ("carol", "CAROL", "carol@corp.example"):
        assert mlgov("approve", target, "--as", who, "--comment", "ok", "--policy", policy).exit_code == 0
    assert len(approval_tags(client, "gov-wf-one-person", version)) == 2  # carol's key, and the address's
    check = mlgov("check", target, "--policy", policy, "-f", "json")
    assert check.exit_code == 1, check.output
    messages = {f["check"]: f["message"] for f in json.loads(check.stdout)["findings"]}
    assert messages["approval-quorum"].startswith("1 valid approval(s) of 2 required")
    assert "one person, one approval" in messages["approval-ignored"]
    assert mlgov("approve", target, "--as", "dave", "--comment", "ok", "--policy", policy).exit_code == 0
    check = mlgov("check", target, "--policy", policy, "-f", "json")
    assert check.exit_code == 0, check.output


def test_waiver_naming_an_alias_covers_the_version_behind_it(make, client, policy_file, mlgov):
    import datetime as dt

    version = make("gov-wf-alias-waiver", metrics={"accuracy": 0.5, "drift_score": 0.04})
    client.set_registered_model_alias("gov-wf-alias-waiver", "candidate", version)
    expires = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    policy = policy_file(OPEN_POLICY + "waivers:\n  - {check: metrics-threshold, target: "
                         f"'models:/gov-wf-alias-waiver@candidate', reason: known dip, approved_by: ann, "
                         f"expires: {expires}}}\n")
    by_alias = mlgov("check", "models:/gov-wf-alias-waiver@candidate", "--policy", policy, "-f", "json")
    found = json.loads(by_alias.stdout)["findings"]
    assert [f["status"] for f in found if f["check"] == "metrics-threshold"] == ["waived"], by_alias.output
    assert found[0]["target"] == f"models:/gov-wf-alias-waiver/{version}"
    assert not [f for f in found if f["check"] == "waiver-unused"]
    by_number = mlgov("check", f"models:/gov-wf-alias-waiver/{version}", "--policy", policy, "-f", "json")
    assert ("metrics-threshold", "fail") in findings(by_number)


@pytest.mark.parametrize(("actor", "check_id", "reason"), (
    (AUTHOR, "approval-eligible", "run's author"),
    ("mallory", "role-permission", "not a member of any role"),
))
def test_refused_approvals_change_nothing(make, client, policy_file, mlgov, actor, check_id, reason):
    version = make("gov-wf-refused")
    before = client.get_model_version("gov-wf-refused", version).tags
    result = mlgov("approve", f"models:/gov-wf-refused/{version}", "--as", actor, "--comment", "ok",
                   "--policy", policy_file())
    assert result.exit_code == 1, result.output
    assert check_id in result.output and reason in result.output
    assert client.get_model_version("gov-wf-refused", version).tags == before


def test_revoke_withdraws_only_the_own_approval(make, client, policy_file, mlgov):
    version = make("gov-wf-revoke")
    target = f"models:/gov-wf-revoke/{version}"
    policy = policy_file()
    assert mlgov("approve", target, "--as", "carol", "--comment", "fine", "--policy", policy).exit_code == 0
    assert mlgov("approve", target, "--as", "dave", "--comment", "fine", "--policy", policy).exit_code == 0
    result = mlgov("approve", target, "--as", "carol", "--revoke", "--comment", "found a leak",
                   "--policy", policy)
    assert result.exit_code == 0, result.output
    recorded = {r["approver"]: r for r in approval_tags(client, "gov-wf-revoke", version).values()}
    assert recorded["carol"]["revoked"] is True and recorded["carol"]["revoke_comment"] == "found a leak"
    assert recorded["dave"]["revoked"] is False
    check = mlgov("check", target, "--policy", policy, "-f", "json")
    assert check.exit_code == 1 and ("approval-quorum", "fail") in findings(check)
    again = mlgov("approve", target, "--as", "carol", "--revoke", "--comment", "x", "--policy", policy)
    assert again.exit_code == 1 and "no approval of this version to revoke" in again.output


def _state(client, name):
    model = client.get_registered_model(name)
    stages = {str(v.version): v.current_stage for v in client.search_model_versions(f"name = '{name}'")}
    return dict(model.aliases), stages


def test_promote_refuses_a_failing_version_and_changes_nothing(make, client, policy_file, mlgov):
    name = "gov-wf-failing"
    good = make(name)
    bad = make(name, metrics={"accuracy": 0.5, "drift_score": 0.04})
    policy = policy_file(OPEN_POLICY)
    client.set_registered_model_alias(name, "champion", good)
    before = _state(client, name)
    for dest in (["--alias", "champion"], ["--stage", "Production"], ["--stage", "Staging"]):
        result = mlgov("promote", f"models:/{name}/{bad}", *dest, "--as", "rita", "--policy", policy)
        assert result.exit_code == 1, result.output
        assert "metrics-threshold" in result.output and "refused" in result.output
    assert _state(client, name) == before
    assert json.loads(mlgov("decisions", name, "-f", "json").stdout)["decisions"] == []


def test_production_needs_recorded_approvals(make, client, policy_file, mlgov):
    name = "gov-wf-unapproved"
    version = make(name, description="Approved by the committee")  # passes the gate's `either`
    policy = policy_file(OPEN_POLICY)
    refused = mlgov("promote", f"models:/{name}/{version}", "--alias", "champion", "--policy", policy)
    assert refused.exit_code == 1 and "approval-quorum" in refused.output
    assert "champion" not in client.get_registered_model(name).aliases
    staged = mlgov("promote", f"models:/{name}/{version}", "--alias", "candidate", "--policy", policy)
    assert staged.exit_code == 0, staged.output
    assert client.get_registered_model(name).aliases == {"candidate": version}


def test_promote_to_production_archives_the_previous_one(make, client, policy_file, mlgov):
    name = "gov-wf-production"
    policy = policy_file()
    v1, v2 = make(name), make(name)
    for v in (v1, v2):
        for who in ("carol", "erin"):
            assert mlgov("approve", f"models:/{name}/{v}", "--as", who, "--comment", "ok",
                         "--policy", policy).exit_code == 0
    dry = mlgov("promote", f"models:/{name}/{v1}", "--stage", "Production", "--as", "rita", "--dry-run",
                "--policy", policy)
    assert dry.exit_code == 0 and "would move" in dry.output
    assert _state(client, name)[1] == {v1: "None", v2: "None"}
    prod = ("--stage", "Production", "--as", "rita", "--policy", policy)
    first = mlgov("promote", f"models:/{name}/{v1}", *prod)
    assert first.exit_code == 0, first.output
    second = mlgov("promote", f"models:/{name}/{v2}", *prod)
    assert second.exit_code == 0, second.output
    assert "archived version(s) 1" in second.output
    assert _state(client, name)[1] == {v1: "Archived", v2: "Production"}
    log = json.loads(mlgov("decisions", name, "-f", "json").stdout)["decisions"]
    assert [(d["action"], d["version"], d["to"], d["from"], d["actor"]) for d in log] == [
        ("promote", v1, "stage:Production", "None", "rita"),
        ("promote", v2, "stage:Production", "None", "rita")]
    assert all(d["gate"].startswith("pass:") for d in log)
    tag = json.loads(client.get_model_version(name, v2).tags["mlgov.decision.stage.Production"])
    assert tag["actor"] == "rita" and tag["archived"] == [v1] and tag["decision_run"] == log[1]["run_id"]
    not_allowed = mlgov("promote", f"models:/{name}/{v1}", "--alias", "champion", "--as", "carol",
                        "--policy", policy)
    assert not_allowed.exit_code == 1 and "role-permission" in not_allowed.output
    no_archive = mlgov("promote", f"models:/{name}/{v2}", "--stage", "Archived", "--as", "rita",
                       "--policy", policy)
    assert no_archive.exit_code == 1
    assert "'rita' (release_manager) has no 'archive' permission" in no_archive.output
    assert _state(client, name)[1] == {v1: "Archived", v2: "Production"}


def test_record_writes_exactly_the_documented_tags(make, client, policy_file, mlgov, tmp_path):
    name = "gov-wf-record"
    version = make(name)
    policy = policy_file(OPEN_POLICY)
    before = client.get_model_version(name, version).tags
    plain = mlgov("check", f"models:/{name}/{version}", "--policy", policy)
    assert plain.exit_code == 1  # not approved: fails, and without --record writes nothing
    assert client.get_model_version(name, version).tags == before
    recorded = mlgov("check", f"models:/{name}/{version}", "--policy", policy, "--record")
    assert recorded.exit_code == 1, recorded.output
    after = client.get_model_version(name, version).tags
    added = {k: v for k, v in after.items() if k not in before}
    assert set(added) == {"mlgov.status", "mlgov.checked_at", "mlgov.policy_sha256", "mlgov.report"}
    assert added["mlgov.status"] == "fail" and added["mlgov.checked_at"].endswith("Z")
    assert len(added["mlgov.policy_sha256"]) == 64
    run_id, _, path = added["mlgov.report"].removeprefix("runs:/").partition("/")
    with open(client.download_artifacts(run_id, path, str(tmp_path)), encoding="utf-8") as fh:
        report = json.load(fh)
    assert report["status"] == "fail"
    assert {f["target"] for f in report["findings"]} == {f"models:/{name}/{version}"}


def test_audit_rows_match_what_was_logged(make, client, policy_file, mlgov, store, tmp_path):
    name = "gov-wf-audit"
    versions = []
    for c in (0.1, 1.0, 10.0):
        versions.append(make(name, params={"C": c}))
        time.sleep(0.05)
    policy = policy_file()
    approved = mlgov("approve", f"models:/{name}/2", "--as", "dave", "--comment", "ok", "--policy", policy)
    assert approved.exit_code == 0
    out = tmp_path / "audit.json"
    result = mlgov("audit", name, "--format", "json", "--output", str(out), "--policy", policy)
    assert result.exit_code == 0, result.output
    rows = json.loads(out.read_text())["versions"]
    assert [r["version"] for r in rows] == versions
    for row, c in zip(rows, (0.1, 1.0, 10.0)):
        mv = client.get_model_version(name, row["version"])
        run = client.get_run(mv.run_id)
        assert row["run_id"] == mv.run_id and row["params"] == {"C": str(c)}
        assert row["metrics"] == METRICS and row["git_commit"] == store.commit and row["reviewer"] == "bob"
        assert row["artifact_uri"] == run.info.artifact_uri and row["creator"] == AUTHOR
    assert [r["approvals"] for r in rows] == [[], ["dave"], []]
    created = [client.get_model_version(name, v).creation_timestamp for v in versions]

    def at(ms):
        return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + f".{ms % 1000:03d}+00:00"

    since = json.loads(mlgov("audit", name, "-f", "json", "--since", at(created[1])).stdout)["versions"]
    assert [r["version"] for r in since] == versions[1:]
    until = json.loads(mlgov("audit", name, "-f", "json", "--until", at(created[1])).stdout)["versions"]
    assert [r["version"] for r in until] == versions[:2]
    csv_out = mlgov("audit", name, "--evaluate", "--policy", policy)
    header, *lines = csv_out.stdout.splitlines()
    assert header.split(",")[-2:] == ["status_now", "bypassed"] and len(lines) == 3
    assert all(",fail," in ln for ln in lines)  # two approvals are required: none has them


def test_audit_flags_moves_that_bypassed_the_gate(make, client, policy_file, mlgov):
    name = "gov-wf-bypass"
    version = make(name, description="Approved by the committee")
    policy = policy_file(OPEN_POLICY)
    promoted = mlgov("promote", f"models:/{name}/{version}", "--alias", "candidate", "--policy", policy)
    assert promoted.exit_code == 0
    assert mlgov("audit", name, "--policy", policy).exit_code == 0
    client.set_registered_model_alias(name, "champion", version)  # edit rights, no gate
    with pytest.warns(FutureWarning):
        client.transition_model_version_stage(name, version, "Staging")
    result = mlgov("audit", name, "-f", "markdown", "--policy", policy)
    assert result.exit_code == 1
    assert f"@champion points at version {version} with no recorded `mlgov promote` decision" in result.output
    assert f"stage:Staging points at version {version}" in result.output
    assert "@candidate" not in result.stderr


def test_next_version_bumps_the_highest_tag(make, client, mlgov):
    name = "gov-wf-semver"
    assert mlgov("next-version", name).stdout.strip() == "1.0.0"
    for tag in ("1.2.0", "1.10.0-rc.1", "not-a-version"):
        client.set_model_version_tag(name, make(name), "semantic_version", tag)
    assert mlgov("next-version", name).stdout.strip() == "1.11.0"
    assert mlgov("next-version", name, "--bump", "major").stdout.strip() == "2.0.0"
    assert mlgov("next-version", name, "--bump", "patch").stdout.strip() == "1.10.1"


def test_semver_order_is_enforced_by_promote(make, client, policy_file, mlgov):
    name = "gov-wf-semver-order"
    v1, v2 = make(name, description="Approved"), make(name, description="Approved")
    client.set_model_version_tag(name, v1, "semantic_version", "1.2.0")
    client.set_model_version_tag(name, v2, "semantic_version", "1.2.0-rc.1")
    policy = policy_file(OPEN_POLICY + "evidence:\n  require_semantic_version: true\n")
    result = mlgov("promote", f"models:/{name}/{v2}", "--alias", "candidate", "--policy", policy)
    assert result.exit_code == 1 and "semver-order" in result.output
    assert "semantic_version 1.2.0-rc.1 is not greater than 1.2.0 of version 1" in result.output
    gate = mlgov("check", f"models:/{name}/{v2}", "--policy", policy, "--format", "json")
    assert gate.exit_code == 1
    semver_findings = [(f["status"], f["message"]) for f in json.loads(gate.stdout)["findings"]
                       if f["check"] == "evidence-semantic-version"]
    assert semver_findings == [("fail", "semantic_version=1.2.0-rc.1 is not greater than 1.2.0 of version 1")]
    ok = mlgov("check", f"models:/{name}/{v1}", "--policy", policy, "--format", "json")
    assert ("pass", "semantic_version=1.2.0") in [(f["status"], f["message"]) for f in
                                                    json.loads(ok.stdout)["findings"]
                                                    if f["check"] == "evidence-semantic-version"]


def test_helpers_produce_a_run_that_check_passes(store, mlflow_server, tmp_path, mlgov):
    import mlflow

    import mlgov_checks

    card = tmp_path / "model_card.yaml"
    card.write_text(yaml.safe_dump(CARD, sort_keys=False))
    bad_card = tmp_path / "bad_card.yaml"
    bad_card.write_text(yaml.safe_dump({**CARD, "purpose": "TODO"}, sort_keys=False))
    previous = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri(mlflow_server.url)
    try:
        with mlflow.start_run(tags={"mlflow.user": AUTHOR}) as run:
            facts = mlgov_checks.log_provenance(str(store.repo))
            mlgov_checks.log_review("bob", "approved", "2024-05-01")
            mlflow.log_metrics(METRICS)
            with pytest.raises(mlgov_checks.integrations.training.CardRejectedError, match="card-placeholder"):
                mlgov_checks.log_model_card(str(bad_card))
            assert mlflow.MlflowClient().list_artifacts(run.info.run_id) == []
            assert mlgov_checks.log_model_card(str(card)) == "documentation/model_card.yaml"
    finally:
        mlflow.set_tracking_uri(previous)
    assert facts == {"commit": store.commit, "branch": "main", "dirty": False,
                     "repo_url": "https://github.com/example/churn.git"}
    tags = mlflow.MlflowClient(mlflow_server.url).get_run(run.info.run_id).data.tags
    assert tags["mlflow.source.git.commit"] == store.commit and tags["mlgov.git.dirty"] == "false"
    review = (tags["code_reviewer"], tags["review_status"], tags["review_date"])
    assert review == ("bob", "approved", "2024-05-01")
    result = mlgov("check", f"runs:/{run.info.run_id}", "--repo", str(store.repo))
    assert result.exit_code == 0, result.output


def test_log_commands_from_a_shell(store, mlflow_server, tmp_path, client):
    run = client.create_run("0")
    card = tmp_path / "card.yaml"
    card.write_text(yaml.safe_dump(CARD, sort_keys=False))
    env = {**os.environ, "MLFLOW_RUN_ID": run.info.run_id, "MLFLOW_TRACKING_URI": mlflow_server.url}
    runner = CliRunner(env=env)
    assert runner.invoke(main, ["log", "provenance", "--repo", str(store.repo)]).exit_code == 0
    assert runner.invoke(main, ["log", "review", "bob", "--date", "2024-05-01"]).exit_code == 0
    assert runner.invoke(main, ["log", "card", str(card)]).exit_code == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("purpose: TODO\n")
    refused = runner.invoke(main, ["log", "card", str(bad)])
    assert refused.exit_code == 1 and "not logged" in refused.output
    tags = client.get_run(run.info.run_id).data.tags
    assert tags["mlflow.source.git.branch"] == "main" and tags["code_reviewer"] == "bob"
    # the run's own artifact repository: MlflowClient.list_artifacts of MLflow 3 also searches logged
    # models, an API MLflow 2.x servers do not have
    from mlgov_checks.backend.stores import artifact_repository

    repo = artifact_repository(client.get_run(run.info.run_id).info.artifact_uri, mlflow_server.url)
    assert [a.path for a in repo.list_artifacts("documentation")] == ["documentation/model_card.yaml"]


@pytest.mark.parametrize("dest", [("--alias", "Champion"), ("--alias", "CHAMPION"), ("--alias", "Prod"),
                                  ("--stage", "production"), ("--stage", " PRODUCTION ")])
def test_a_respelled_production_destination_still_needs_the_approvals(make, client, policy_file, mlgov, dest):
    name = f"gov-wf-respelled-{dest[0].strip('-')}-{'-'.join(f'{ord(c):x}' for c in dest[1])}"  # one per spelling
    version = make(name, description="Approved by the committee")  # passes the gate's `either`
    policy = policy_file(OPEN_POLICY)
    before = _state(client, name)
    refused = mlgov("promote", f"models:/{name}/{version}", *dest, "--policy", policy)
    assert refused.exit_code == 1, refused.output
    assert "approval-quorum" in refused.output and "refused" in refused.output
    assert _state(client, name) == before
    assert mlgov("approve", f"models:/{name}/{version}", "--as", "carol", "--comment", "ok",
                 "--policy", policy).exit_code == 0
    moved = mlgov("promote", f"models:/{name}/{version}", *dest, "--policy", policy)
    assert moved.exit_code == 0, moved.output
    aliases, stages = _state(client, name)
    if dest[0] == "--alias":
        assert aliases == {dest[1]: version}  # MLflow keeps the spelling; production all the same
    else:
        assert stages[version] == "Production"
    assert mlgov("audit", name, "-f", "json", "--policy", policy).exit_code == 0  # recorded, no bypass


@pytest.mark.parametrize("alias", ["champion ", " champion", "cham pion", "\u0441hampion"])
def test_an_alias_mlflow_refuses_changes_nothing_and_asks_for_no_manual_fix(make, client, policy_file, mlgov,
                                                                            alias):
    from mlflow.exceptions import MlflowException

    name = "gov-wf-refused-alias"
    version = make(name, description="Approved by the committee")
    policy = policy_file(OPEN_POLICY)
    if alias != "\u0441hampion":  # MLflow itself refuses these spellings (the Cyrillic one it takes)
        with pytest.raises(MlflowException):
            client.set_registered_model_alias(name, alias, version)
    before = _state(client, name)
    logged = json.loads(mlgov("decisions", name, "-f", "json").stdout)["decisions"]
    result = mlgov("promote", f"models:/{name}/{version}", "--alias", alias, "--policy", policy)
    assert result.exit_code == 2, result.output
    assert "is not an alias name" in result.output
    for word in ("by hand", "back", "delete", "NOT"):
        assert word not in result.output, result.output
    assert _state(client, name) == before
    assert json.loads(mlgov("decisions", name, "-f", "json").stdout)["decisions"] == logged  # nothing logged
