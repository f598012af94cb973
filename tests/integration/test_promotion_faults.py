"""Promotion is all or nothing: a fault-injecting proxy in front of the real server fails each write
of a promotion in turn, and the registry is left as it was, the decision log says the promotion
failed, and `mlgov audit` reports no bypass (while still flagging a real one).
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

AUTHOR = "alice"
CARD = {
    "purpose": "Predict which subscription customers are likely to cancel within 30 days.",
    "input_schema": [{"name": "tenure_months", "type": "integer"}],
    "output_schema": [{"name": "churn_probability", "type": "float"}],
    "training_data": {"source": "warehouse.analytics.customer_snapshots", "rows": 184000},
    "performance_metrics": {"accuracy": 0.87, "drift_score": 0.04},
    "limitations": ["Not validated for business accounts."],
}
POLICY = "version: 1\napproval:\n  min_approvals: 1\n"

# Every write of a promotion, in the order it makes them: (HTTP method, path).
WRITES = {
    "open-decision": ("POST", r"/api/2\.0/mlflow/runs/create"),
    "decision-document": ("PUT", r"/api/2\.0/mlflow-artifacts/artifacts/"),
    "set-alias": ("POST", r"/api/2\.0/mlflow/registered-models/alias"),
    "transition-stage": ("POST", r"/api/2\.0/mlflow/model-versions/transition-stage"),
    "version-tag": ("POST", r"/api/2\.0/mlflow/model-versions/set-tag"),
    "decision-head": ("POST", r"/api/2\.0/mlflow/registered-models/set-tag"),
    "decision-outcome": ("POST", r"/api/2\.0/mlflow/runs/log-batch"),
    "end-decision-run": ("POST", r"/api/2\.0/mlflow/runs/update"),
}
CASES = ([("alias", w) for w in WRITES if w != "transition-stage"]
         + [("stage", w) for w in WRITES if w != "set-alias"])


@pytest.fixture(scope="module")
def client(mlflow_server):
    from mlflow import MlflowClient

    return MlflowClient(tracking_uri=mlflow_server.url, registry_uri=mlflow_server.url)


@pytest.fixture(scope="module")
def make(client, store):
    """make(name) -> version number: a version of `name` that passes the gate."""
    from mlflow.entities import Metric

    exp = client.get_experiment_by_name("governance-atomic")
    exp_id = exp.experiment_id if exp else client.create_experiment("governance-atomic")
    tags = {"mlflow.user": AUTHOR, "mlflow.source.git.commit": store.commit,
            "mlflow.source.git.branch": "main", "mlflow.source.git.repoURL": "https://github.com/example/churn.git",
            "mlgov.git.dirty": "false", "code_reviewer": "bob", "review_status": "approved",
            "review_date": "2024-05-01", "team": "ds", "project": "churn", "framework": "sklearn"}

    def create(name):
        rid = client.create_run(exp_id, tags=tags).info.run_id
        now = int(time.time() * 1000)
        client.log_batch(rid, metrics=[Metric(k, float(v), now, 0) for k, v in CARD["performance_metrics"].items()])
        client.log_text(rid, yaml.safe_dump(CARD, sort_keys=False), "documentation/model_card.yaml")
        client.log_text(rid, "holdout accuracy 0.87\n", "validation/report.txt")
        client.log_text(rid, "scikit-learn==1.5.0\n", "requirements.txt")
        client.set_terminated(rid)
        if not client.search_registered_models(f"name = '{name}'"):
            client.create_registered_model(name)
        mv = client.create_model_version(name, f"runs:/{rid}/model", run_id=rid,
                                         description="Approved by the model risk committee")
        return str(mv.version)

    return create


@pytest.fixture
def mlgov(tmp_path):
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY, encoding="utf-8")

    def invoke(uri, *args):
        result = CliRunner().invoke(main, [*args, "--tracking-uri", uri, "--policy", str(policy)])
        assert "Traceback" not in result.output, result.output
        return result

    return invoke


def registry_state(client, name):
    """Aliases, and each version's stage and decision tags: what a promotion may change."""
    aliases = dict(client.get_registered_model(name).aliases)
    versions = {str(v.version): (v.current_stage, {k: t for k, t in v.tags.items() if k.startswith("mlgov.decision.")})
                for v in client.search_model_versions(f"name = '{name}'")}
    return aliases, versions


def decision_runs(client, name, version):
    exp = client.get_experiment_by_name("mlgov-decisions")
    runs = client.search_runs([exp.experiment_id], f"tags.`mlgov.decision.model` = '{name}' and "
                              f"tags.`mlgov.decision.version` = '{version}'")
    return [(r.info.status, r.data.tags.get("mlgov.decision.outcome"), r.data.tags.get("mlgov.decision.error", ""))
            for r in runs]


@pytest.mark.parametrize(("kind", "write"), CASES)
def test_a_failed_write_leaves_no_half_promotion(kind, write, make, client, mlflow_server, mlgov, monkeypatch):
    # One request per write (no retries), so that the fault breaks exactly the write it names once,
    # and the undo that follows reaches the server.
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    name = f"gov-atomic-{kind}-{write}"
    v1, v2 = make(name), make(name)
    dest = ("--alias", "candidate") if kind == "alias" else ("--stage", "Staging")
    first = mlgov(mlflow_server.url, "promote", f"models:/{name}/{v1}", *dest, "--as", "rita")
    assert first.exit_code == 0, first.output
    before = registry_state(client, name)
    assert (before[0] == {"candidate": v1}) if kind == "alias" else (before[1][v1][0] == "Staging")

    method, path = WRITES[write]
    with FaultProxy(mlflow_server.url, [Rule(path, Fault.HTTP_500, method=method, occurrences={1})]) as proxy:
        result = mlgov(proxy.url, "promote", f"models:/{name}/{v2}", *dest, "--as", "rita")
        broken = proxy.faulted
    assert [(m, re.search(path, p) is not None) for m, p, _ in broken] == [(method, True)], broken
    assert result.exit_code == 3, result.output
    label = "@candidate" if kind == "alias" else "stage:Staging"
    assert f"promotion of models:/{name}/{v2} to {label} failed" in result.stderr, result.output
    assert "nothing was changed" in result.stderr or "nothing was left changed" in result.stderr
    assert registry_state(client, name) == before  # no half-move: aliases, stages, tags as they were

    runs = decision_runs(client, name, v2)
    if write == "open-decision":
        assert runs == []
    else:
        assert [(status, outcome) for status, outcome, _ in runs] == [("FAILED", "failed")], runs
        assert "HTTP 500" in runs[0][2], runs  # why it failed
        assert "the decision log records the failure (runs:/" in result.stderr

    audit = mlgov(mlflow_server.url, "audit", name, "-f", "json")
    assert audit.exit_code == 0, audit.output  # the failed promotion is not a bypass...
    assert json.loads(audit.stdout)["bypassed"] == []
    log = json.loads(mlgov(mlflow_server.url, "decisions", name, "-f", "json").stdout)["decisions"]
    assert [d.get("outcome") for d in log if d["version"] == v1] == ["done"]

    if kind == "alias":  # ...and a real one still is, even with the failed decision in the log
        client.set_registered_model_alias(name, "candidate", v2)
    else:
        with pytest.warns(FutureWarning):
            client.transition_model_version_stage(name, v2, "Staging")
    bypassed = mlgov(mlflow_server.url, "audit", name, "-f", "json")
    assert bypassed.exit_code == 1
    [flag] = json.loads(bypassed.stdout)["bypassed"]
    if kind == "alias":  # judged by its latest decision, which put version 1 there
        assert flag.startswith(f"{name}: {label} points at version {v2} but its latest decision (runs:/"), flag
        assert flag.endswith(f") moved version {v1} to {label}: it was moved by hand"), flag
    else:
        assert flag.startswith(f"{name}: {label} points at version {v2} with no recorded `mlgov promote` "
                               "decision"), flag


def test_a_promotion_that_cannot_be_moved_back_says_what_to_fix(make, client, mlflow_server, mlgov, monkeypatch):
    """The version tag fails, and so does every alias write after the move: the undo is impossible,
    and the message says exactly what to set back by hand."""
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    name = "gov-atomic-stuck"
    v1, v2 = make(name), make(name)
    assert mlgov(mlflow_server.url, "promote", f"models:/{name}/{v1}", "--alias", "candidate").exit_code == 0
    rules = [Rule(WRITES["version-tag"][1], Fault.HTTP_500, method="POST"),
             Rule(WRITES["set-alias"][1], Fault.HTTP_500, method="POST", occurrences={2})]
    with FaultProxy(mlflow_server.url, rules) as proxy:
        result = mlgov(proxy.url, "promote", f"models:/{name}/{v2}", "--alias", "candidate")
    assert result.exit_code == 3, result.output
    assert f"it could NOT be moved back: point @candidate back at version {v1} by hand" in result.stderr
    assert dict(client.get_registered_model(name).aliases) == {"candidate": v2}  # what the message says
    assert [o for _, o, _ in decision_runs(client, name, v2)] == ["failed"]
    audit = mlgov(mlflow_server.url, "audit", name, "-f", "json")
    assert audit.exit_code == 1  # the move was not carried out as a promotion: flagged until fixed
