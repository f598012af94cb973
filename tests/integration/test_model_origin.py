"""No borrowed evidence: a version whose model comes from another run fails, naming both runs.

The attacker registers straight through MLflow's REST API: a version whose `run_id` is the
compliant run while its model (`source`, or MLflow 3's `model_id`) is another run's.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from tests.integration.test_gate import failing, gate

pytestmark = pytest.mark.integration


def rest(url: str, endpoint: str, body: dict, method: str = "POST") -> dict:
    req = urllib.request.Request(f"{url}/api/2.0/mlflow/{endpoint}", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"}, method=method)
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read() or b"{}")


def register(url: str, name: str, **version) -> str | None:
    """The new version's target; None when the server refuses to register it (HTTP 400)."""
    rest(url, "registered-models/create", {"name": name})
    try:
        mv = rest(url, "model-versions/create", {"name": name, **version})["model_version"]
    except urllib.error.HTTPError as e:
        assert e.code == 400 and b"must identify the resource that contains the source" in e.read()
        return None
    rest(url, "model-versions/update", {"name": name, "version": mv["version"],
                                        "description": "Approved by the model risk committee"}, "PATCH")
    return f"models:/{name}/{mv['version']}"


@pytest.fixture(scope="module")
def borrowed(store):
    """label -> (target or None when the server refuses that shape, the run whose model it is).

    Each version names the compliant run while its model is another run's. MLflow 2.22 accepts a
    `runs:/OTHER/...` source and a resolved location inside another run; MLflow 3 refuses both and
    accepts a logged model whose source run is another run.
    """
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri=store.url, registry_uri=store.url)
    exp = client.get_experiment_by_name("governance").experiment_id
    bad = client.create_run(exp, tags={"mlflow.user": "mallory"}, run_name="failing-model")
    rid = bad.info.run_id
    client.log_metric(rid, "accuracy", 0.5)
    client.log_text(rid, "flavors: {}\n", "model/MLmodel")
    client.set_terminated(rid)
    good = store.compliant_run
    out = {"runs-source": (register(store.url, "gov-borrowed-runs", source=f"runs:/{rid}/model", run_id=good), rid),
           "resolved-source": (register(store.url, "gov-borrowed-resolved",
                                        source=f"{bad.info.artifact_uri}/model", run_id=good), rid)}
    if store.server.kind == "3.x":
        from mlflow.entities import LoggedModelStatus

        model = client.create_logged_model(exp, name="clf", source_run_id=rid)
        client.finalize_logged_model(model.model_id, LoggedModelStatus.READY)
        out["logged-model"] = (register(store.url, "gov-borrowed-logged", source=f"models:/{model.model_id}",
                                        run_id=good, model_id=model.model_id), rid)
    return out


@pytest.fixture
def policy_file(tmp_path):
    def write(text: str = "version: 1\n") -> str:
        p = tmp_path / "mlgov.yaml"
        p.write_text(text, encoding="utf-8")
        return str(p)

    return write


def origin(doc):
    return [f for f in doc["findings"] if f["check"] == "evidence-model-origin"]


ACCEPTED = {"2.22": {"runs-source", "resolved-source"}, "3.x": {"logged-model"}}


def test_which_shapes_each_server_accepts(store, borrowed):
    assert {label for label, (target, _) in borrowed.items() if target} == ACCEPTED[store.server.kind]


@pytest.mark.parametrize("label", ["runs-source", "resolved-source", "logged-model"])
def test_borrowed_evidence_fails_naming_both_runs(store, policy_file, borrowed, label):
    target, model_run = borrowed.get(label, (None, None))
    if target is None:  # the server refused it (see the test above), or has no logged models (2.x)
        assert label not in ACCEPTED[store.server.kind]
        return
    target, model_run = borrowed[label]
    code, doc = gate(store, policy_file(), target)
    assert code == 1
    bad = [f for f in failing(doc) if f["check"] == "evidence-model-origin"]
    assert len(bad) == 1, failing(doc)
    message = bad[0]["message"]
    assert f"the version names run {store.compliant_run}, but its model comes from run {model_run}, by mallory" \
        in message
    assert "borrowed evidence" in message
    # the rest of the evidence (the compliant run's) would have passed: only the origin fails
    assert {f["check"] for f in failing(doc)} == {"evidence-model-origin"}


def test_the_version_own_run_passes(store, policy_file, logged_versions):
    for target in [*logged_versions.values(), "models:/gov-compliant/1"]:
        code, doc = gate(store, policy_file(), target)
        found = origin(doc)
        assert [f["status"] for f in found] == ["pass"], (target, found)


def test_the_models_author_cannot_approve_the_borrowing_version(store, policy_file, borrowed):
    """approval.forbid_author counts the author of the run the model comes from, not only the named run's."""
    from mlgov_checks.backend import FetchSpec, connect
    from mlgov_checks.checks import approvals
    from mlgov_checks.policy.load import policy_from_mapping
    from mlgov_checks.targets import parse_targets

    target = next(t for t, _ in borrowed.values() if t)
    reader = connect(store.url).reader
    record = reader.resolve(parse_targets([target]), FetchSpec(evidence=True))[0].record
    policy = policy_from_mapping({})
    assert approvals.refusal("mallory", record, policy) == "'mallory' is the run's author (mallory): no self-approval"
    assert approvals.refusal("carol", record, policy) is None
