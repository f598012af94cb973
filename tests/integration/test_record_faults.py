"""`mlgov check --record` is all or nothing: a fault-injecting proxy in front of the real server fails
each write of a recording in turn, over two versions, and no version keeps a tag of the failed
recording (the tags of the earlier recording are back), every decision it logged ends FAILED with
the reason, and the next recording works.
"""

from __future__ import annotations

import json
import re
import time

import pytest
import yaml
from click.testing import CliRunner

from mlgov_checks.cli.app import main
from tests.integration.faultproxy import Fault, FaultProxy, Rule

pytestmark = pytest.mark.integration

MODEL = "gov-record-atomic"
CARD = {
    "purpose": "Predict which subscription customers are likely to cancel within 30 days.",
    "input_schema": [{"name": "tenure_months", "type": "integer"}],
    "output_schema": [{"name": "churn_probability", "type": "float"}],
    "training_data": {"source": "warehouse.analytics.customer_snapshots", "rows": 184000},
    "performance_metrics": {"accuracy": 0.87, "drift_score": 0.04},
    "limitations": ["Not validated for business accounts."],
}
RECORD_TAGS = ("mlgov.status", "mlgov.checked_at", "mlgov.policy_sha256", "mlgov.report")

# Every write of a recording, in the order it makes them for each version: (HTTP method, path).
WRITES = {
    "open-decision": ("POST", r"/api/2\.0/mlflow/runs/create"),
    "report": ("PUT", r"/api/2\.0/mlflow-artifacts/artifacts/"),
    "version-tag": ("POST", r"/api/2\.0/mlflow/model-versions/set-tag"),
    "decision-outcome": ("POST", r"/api/2\.0/mlflow/runs/log-batch"),
    "end-decision-run": ("POST", r"/api/2\.0/mlflow/runs/update"),
}
# (write, which occurrence fails, fault): the first and the second version's, four tags each.
CASES = [("open-decision", 1, Fault.HTTP_500), ("open-decision", 2, Fault.HTTP_500),
         ("report", 1, Fault.HTTP_500), ("report", 2, Fault.HTTP_500),
         ("version-tag", 1, Fault.HTTP_500), ("version-tag", 3, Fault.RESET), ("version-tag", 5, Fault.HTTP_500),
         ("version-tag", 8, Fault.HTTP_500),
         ("decision-outcome", 1, Fault.HTTP_500), ("decision-outcome", 2, Fault.HTTP_500),
         ("end-decision-run", 1, Fault.HTTP_500), ("end-decision-run", 2, Fault.HTTP_500)]


@pytest.fixture(scope="module")
def client(mlflow_server):
    from mlflow import MlflowClient

    return MlflowClient(tracking_uri=mlflow_server.url, registry_uri=mlflow_server.url)


@pytest.fixture(scope="module")
def make(client, store):
    """make(name) -> version number: a version of `name` whose gate result can be recorded."""
    from mlflow.entities import Metric

    exp = client.get_experiment_by_name("record-atomic")
    exp_id = exp.experiment_id if exp else client.create_experiment("record-atomic")
    tags = {"mlflow.user": "alice", "mlflow.source.git.commit": store.commit, "mlflow.source.git.branch": "main",
            "mlflow.source.git.repoURL": "https://github.com/example/churn.git", "mlgov.git.dirty": "false",
            "code_reviewer": "bob", "review_status": "approved", "review_date": "2024-05-01"}

    def create(name):
        rid = client.create_run(exp_id, tags=tags).info.run_id
        now = int(time.time() * 1000)
        client.log_batch(rid, metrics=[Metric(k, float(v), now, 0) for k, v in CARD["performance_metrics"].items()])
        client.log_text(rid, yaml.safe_dump(CARD, sort_keys=False), "documentation/model_card.yaml")
        client.log_text(rid, "scikit-learn==1.5.0\n", "requirements.txt")
        client.set_terminated(rid)
        if not client.search_registered_models(f"name = '{name}'"):
            client.create_registered_model(name)
        return str(client.create_model_version(name, f"runs:/{rid}/model", run_id=rid,
                                               description="Approved by the model risk committee").version)

    return create


@pytest.fixture
def mlgov(tmp_path):
    policy = tmp_path / "policy.yaml"
    policy.write_text("version: 1\n", encoding="utf-8")

    def invoke(uri, *args):
        result = CliRunner().invoke(main, [*args, "--tracking-uri", uri, "--policy", str(policy)])
        assert "Traceback" not in result.output, result.output
        return result

    return invoke


def recorded(client, name):
    """Each version's record tags: what a recording may change."""
    return {str(v.version): {k: v.tags.get(k) for k in RECORD_TAGS}
            for v in client.search_model_versions(f"name = '{name}'")}


def record_decisions(client, name):
    exp = client.get_experiment_by_name("mlgov-decisions")
    runs = client.search_runs([exp.experiment_id], f"tags.`mlgov.decision.model` = '{name}' and "
                              "tags.`mlgov.decision.action` = 'record'")
    return {r.info.run_id: (r.info.status, r.data.tags.get("mlgov.decision.outcome"),
                            r.data.tags.get("mlgov.decision.error", "")) for r in runs}


def decisions_opened(write, occurrence):
    """How many of the two decisions were logged before the failing write."""
    if write == "open-decision":
        return occurrence - 1
    if write == "report":
        return occurrence
    if write == "version-tag":
        return 1 if occurrence <= len(RECORD_TAGS) else 2
    return 2  # the outcomes are written once every version is tagged


@pytest.mark.parametrize(("write", "occurrence", "fault"), CASES)
def test_a_failed_write_leaves_no_half_recording(write, occurrence, fault, make, client, mlflow_server, mlgov,
                                                 monkeypatch):
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")  # one request per write: one fault, one write
    name = f"{MODEL}-{write}-{occurrence}"
    v1, v2 = make(name), make(name)
    targets = [f"models:/{name}/{v1}", f"models:/{name}/{v2}"]
    first = mlgov(mlflow_server.url, "check", *targets, "--record")
    assert first.exit_code == 1, first.output  # the fixture's versions do not comply: a recorded fail
    before = recorded(client, name)
    assert all(tags["mlgov.report"] for tags in before.values()), before
    logged = record_decisions(client, name)
    time.sleep(1.1)  # the failed recording's checked_at would differ from the first one's

    method, path = WRITES[write]
    with FaultProxy(mlflow_server.url, [Rule(path, fault, method=method, occurrences={occurrence})]) as proxy:
        result = mlgov(proxy.url, "check", *targets, "--record")
        broken = proxy.faulted
    assert [(m, re.search(path, p) is not None) for m, p, _ in broken] == [(method, True)], broken
    assert result.exit_code == 3, result.output
    assert "recording the gate's outcome on 2 versions failed" in result.stderr, result.output
    assert "nothing was left changed" in result.stderr or "nothing was changed" in result.stderr, result.stderr
    assert "by hand" not in result.stderr
    assert recorded(client, name) == before  # no version keeps a tag of the failed recording

    new = {rid: state for rid, state in record_decisions(client, name).items() if rid not in logged}
    opened = decisions_opened(write, occurrence)
    assert len(new) == opened, new
    assert all((status, outcome) == ("FAILED", "failed") for status, outcome, _ in new.values()), new
    assert all(error for _, _, error in new.values()), new  # each says why

    log = json.loads(mlgov(mlflow_server.url, "decisions", name, "-f", "json").stdout)["decisions"]
    assert sorted(d["outcome"] for d in log if d["run_id"] in new) == ["failed"] * opened
    again = mlgov(mlflow_server.url, "check", *targets, "--record")  # and the next recording works
    assert again.exit_code == 1, again.output
    assert all(tags["mlgov.report"] != before[n]["mlgov.report"] for n, tags in recorded(client, name).items())
