"""A decision log that shows tampering: the hash chain and what the audit accepts, against the real server.

The attacker's moves are made with the plain MLflow client: aliases moved by hand, decision runs
forged, edited, deleted and replayed, a status tag set by hand.
"""

from __future__ import annotations

import itertools
import json
import time

import pytest
import yaml
from click.testing import CliRunner

from mlgov_checks.cli.app import main
from mlgov_checks.governance import chain
from tests.integration.test_governance import CARD, METRICS, OPEN_POLICY, run_tags

pytestmark = pytest.mark.integration
_names = itertools.count()
LOG = "mlgov-decisions"


@pytest.fixture(scope="module")
def client(mlflow_server):
    from mlflow import MlflowClient

    return MlflowClient(tracking_uri=mlflow_server.url, registry_uri=mlflow_server.url)


@pytest.fixture(scope="module")
def make(client, store):
    """make(name) -> version number: a compliant version of model `name`."""
    exp = client.get_experiment_by_name("decision-log") or client.create_experiment("decision-log")
    exp_id = exp if isinstance(exp, str) else exp.experiment_id

    def create(name):
        rid = client.create_run(exp_id, tags=run_tags(store.commit)).info.run_id
        for k, v in METRICS.items():
            client.log_metric(rid, k, v)
        client.log_text(rid, yaml.safe_dump(CARD, sort_keys=False), "documentation/model_card.yaml")
        client.log_text(rid, "holdout accuracy 0.87\n", "validation/report.txt")
        client.log_text(rid, "scikit-learn==1.5.0\n", "requirements.txt")
        client.set_terminated(rid)
        if not client.search_registered_models(f"name = '{name}'"):
            client.create_registered_model(name)
        return str(client.create_model_version(name, f"runs:/{rid}/model", run_id=rid,
                                               description="Approved by the committee").version)

    return create


@pytest.fixture
def mlgov(mlflow_server, tmp_path):
    policy = tmp_path / "team.yaml"
    policy.write_text(OPEN_POLICY)

    def invoke(*args, policy_path=str(policy)):
        result = CliRunner().invoke(main, [*args, "--tracking-uri", mlflow_server.url, "--policy", policy_path])
        assert "Traceback" not in result.output, result.output
        return result

    return invoke


def audit(mlgov, name):
    result = mlgov("audit", name, "-f", "json")
    return result.exit_code, json.loads(result.stdout)


def promoted_model(make, mlgov, versions=2):
    """A model whose versions 1..n were each promoted to @candidate in turn, through mlgov."""
    name = f"gov-log-{next(_names)}"
    for _ in range(versions):
        number = make(name)
        assert mlgov("promote", f"models:/{name}/{number}", "--alias", "candidate").exit_code == 0
    return name


def log_runs(client, name):
    exp = client.get_experiment_by_name(LOG).experiment_id
    return client.search_runs([exp], f"tags.`mlgov.decision.model` = '{name}'", order_by=["attributes.start_time ASC"])


def test_promotions_are_chained_and_the_audit_accepts_them(client, make, mlgov):
    name = promoted_model(make, mlgov)
    first, second = [r.data.tags for r in log_runs(client, name)]
    assert first["mlgov.decision.prev"] == chain.GENESIS
    assert second["mlgov.decision.prev"] == first["mlgov.decision.digest"]
    assert client.get_registered_model(name).tags[chain.HEAD_TAG] == second["mlgov.decision.digest"]
    code, doc = audit(mlgov, name)
    assert (code, doc["bypassed"]) == (0, [])


def test_a_hand_rollback_to_an_earlier_promoted_version_is_a_bypass(client, make, mlgov):
    name = promoted_model(make, mlgov)
    client.set_registered_model_alias(name, "candidate", "1")  # back to a version mlgov once promoted there
    code, doc = audit(mlgov, name)
    assert code == 1
    [flag] = doc["bypassed"]
    assert flag.startswith(f"{name}: @candidate points at version 1 but its latest decision (runs:/")
    assert flag.endswith(") moved version 2 to @candidate: it was moved by hand")
    assert [r["bypassed"] for r in doc["versions"]] == [["@candidate"], []]


def forge(client, name, version, *, digest, finished, document):
    """A promote decision made by hand in the decision log, @champion moved by hand to match."""
    from mlgov_checks.governance import decisions

    decision = {"action": "promote", "model": name, "version": version, "to": "@champion", "from": "none",
                "actor": "mallory", "time": "2030-01-01T00:00:00Z", "gate": "pass",
                "policy_sha256": "0" * 64}
    if digest:
        newest = log_runs(client, name)[-1].data.tags["mlgov.decision.digest"]
        decision = chain.link(decision, newest)
        client.set_registered_model_tag(name, chain.HEAD_TAG, decision["digest"])  # the attacker knows the head
    tags = decisions.tags({**decision, **({"outcome": "done"} if finished else {})})
    exp = client.get_experiment_by_name(LOG).experiment_id
    run = client.create_run(exp, tags=tags)
    if document is not None:
        client.log_text(run.info.run_id, document, decisions.DOCUMENT)
    if finished:
        client.set_terminated(run.info.run_id)
    client.set_registered_model_alias(name, "champion", version)
    return run.info.run_id


@pytest.mark.parametrize(("digest", "finished", "document", "reason"), [
    (False, False, None, "its record is not intact in the decision chain"),
    (True, False, None, "its run is RUNNING, not FINISHED"),
    (True, True, None, "it has no readable decision.json"),
    (True, True, '{"action": "promote", "version": "7"}', "its decision.json does not match its tags"),
])
def test_a_forged_decision_does_not_count(client, make, mlgov, digest, finished, document, reason):
    name = promoted_model(make, mlgov, versions=1)
    run_id = forge(client, name, "1", digest=digest, finished=finished, document=document)
    code, doc = audit(mlgov, name)
    assert code == 1
    [bypass] = [f for f in doc["bypassed"] if f.startswith(f"{name}: @champion points")]
    if digest:
        assert bypass.startswith(f"{name}: @champion points at version 1 with no recorded `mlgov promote` decision "
                                 f"that counts: runs:/{run_id} ({reason}")
    else:  # logged around the chain: not a candidate at all, and the chain says so
        assert bypass == f"{name}: @champion points at version 1 with no recorded `mlgov promote` decision"
        assert any("carries no digest" in f and run_id in f for f in doc["bypassed"])


def test_a_promotion_under_another_policy_is_reported(client, make, mlgov, tmp_path):
    name = f"gov-log-{next(_names)}"
    number = make(name)
    loose = tmp_path / "mine.yaml"
    loose.write_text("metrics:\n  thresholds:\n    accuracy: {min: 0.5}\n")
    assert mlgov("promote", f"models:/{name}/{number}", "--alias", "candidate", policy_path=str(loose)).exit_code == 0
    code, doc = audit(mlgov, name)
    assert code == 1
    [flag] = doc["bypassed"]
    assert flag.startswith(f"{name}: @candidate points at version {number}, promoted by runs:/")
    assert "under another policy" in flag and "not the one in force" in flag


def test_a_hand_set_status_is_not_shown_as_recorded(client, make, mlgov):
    name = f"gov-log-{next(_names)}"
    forged, recorded = make(name), make(name)
    client.set_model_version_tag(name, forged, "mlgov.status", "pass")
    client.set_model_version_tag(name, forged, "mlgov.checked_at", "2030-01-01T00:00:00Z")
    assert mlgov("check", f"models:/{name}/{recorded}", "--record").exit_code == 0
    _, doc = audit(mlgov, name)
    shown = {r["version"]: (r["recorded_status"], r["recorded_at"]) for r in doc["versions"]}
    assert shown[forged] == ("", "")
    assert shown[recorded][0] == "pass" and shown[recorded][1]


def test_a_deleted_record_breaks_the_chain_and_the_audit_says_where(client, make, mlgov):
    name = promoted_model(make, mlgov, versions=3)
    first, second, third = log_runs(client, name)
    client.delete_run(second.info.run_id)
    code, doc = audit(mlgov, name)
    assert code == 1
    assert any(f.startswith(f"{name}: record runs:/{third.info.run_id} (promote v3 -> @candidate) chains from a "
                            "record that is no longer in the log (deleted)") for f in doc["bypassed"]), doc["bypassed"]


def test_the_newest_record_deleted_shows_at_the_head(client, make, mlgov):
    name = promoted_model(make, mlgov)
    newest = log_runs(client, name)[-1]
    client.delete_run(newest.info.run_id)
    client.set_registered_model_alias(name, "candidate", "1")  # and the alias back, as if v2 never happened
    code, doc = audit(mlgov, name)
    assert code == 1
    assert any("the model's decision head names a record that is no longer in the log" in f for f in doc["bypassed"])


def test_an_edited_record_breaks_the_chain(client, make, mlgov):
    name = promoted_model(make, mlgov)
    first = log_runs(client, name)[0]
    client.set_tag(first.info.run_id, "mlgov.decision.actor", "someone-else")
    code, doc = audit(mlgov, name)
    assert code == 1
    assert f"{name}: record runs:/{first.info.run_id} (promote v1 -> @candidate) was edited: its content no " \
           "longer matches its digest" in doc["bypassed"]


def test_a_replayed_record_is_out_of_order(client, make, mlgov):
    """A copy of an old record (tags and decision file), logged again later: it chains from the wrong record."""
    from mlgov_checks.governance import decisions

    name = promoted_model(make, mlgov, versions=3)
    first = log_runs(client, name)[1]  # v2 -> @candidate, replayed after v3's promotion
    document = client.download_artifacts(first.info.run_id, decisions.DOCUMENT)
    exp = client.get_experiment_by_name(LOG).experiment_id
    time.sleep(0.01)
    replay = client.create_run(exp, tags={k: v for k, v in first.data.tags.items() if k.startswith("mlgov.")})
    with open(document, encoding="utf-8") as fh:
        client.log_text(replay.info.run_id, fh.read(), decisions.DOCUMENT)
    client.set_terminated(replay.info.run_id)
    client.set_registered_model_alias(name, "candidate", "2")
    code, doc = audit(mlgov, name)
    assert code == 1
    assert any(f.startswith(f"{name}: record runs:/{replay.info.run_id} (promote v2 -> @candidate) is out of order: "
                            f"it chains from runs:/{log_runs(client, name)[0].info.run_id}") for f in doc["bypassed"])
    assert any(f.startswith(f"{name}: @candidate points at version 2 but its latest decision") for f in doc["bypassed"])


def test_a_record_moved_to_the_end_of_the_log_is_out_of_order_and_named(client, make, mlgov):
    """Re-ordering: the first record deleted and logged again after the others (tags and file as they were)."""
    from mlgov_checks.governance import decisions

    name = promoted_model(make, mlgov, versions=3)
    first, second, third = log_runs(client, name)
    document = client.download_artifacts(first.info.run_id, decisions.DOCUMENT)
    client.delete_run(first.info.run_id)
    exp = client.get_experiment_by_name(LOG).experiment_id
    time.sleep(0.01)
    moved = client.create_run(exp, tags={k: v for k, v in first.data.tags.items() if k.startswith("mlgov.")})
    with open(document, encoding="utf-8") as fh:
        client.log_text(moved.info.run_id, fh.read(), decisions.DOCUMENT)
    client.set_terminated(moved.info.run_id)
    code, doc = audit(mlgov, name)
    assert code == 1
    flags = doc["bypassed"]
    assert f"{name}: record runs:/{second.info.run_id} (promote v2 -> @candidate) is out of order: it chains from " \
           f"runs:/{moved.info.run_id}, not from the record logged before it" in flags
    assert any(f.startswith(f"{name}: record runs:/{moved.info.run_id} (promote v1 -> @candidate) starts a second "
                            "chain") for f in flags), flags
