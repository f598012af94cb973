"""Cards in other formats logged with a run, judged by `mlgov check` against a real tracking server.

A Hugging Face README and a Model Card Toolkit JSON card are logged as the run's card artifact:
their metrics are compared with the run's logged metrics (card-metrics-match) and, since neither
format holds typed input/output, the registered model's MLflow signature is required instead
(card-signature-match).
"""

from __future__ import annotations

import json
import time

import pytest
from click.testing import CliRunner

from mlgov_checks.cli.app import main
from tests.integration.conftest import METRICS, compliant_tags

pytestmark = pytest.mark.integration

README = """\
---
license: mit
datasets: [internal/churn-snapshots]
model-index:
- name: churn
  results:
  - task: {{type: tabular-classification}}
    dataset: {{name: churn-snapshots, type: internal/churn-snapshots, split: test}}
    metrics:
    - {{type: accuracy, value: "{accuracy}"}}
    - {{type: drift_score, value: 0.04}}
---
# churn

## Uses

Ranks subscription customers by the chance that they cancel within 30 days.

## Limitations

Not validated for business accounts.
"""
MCT = {
    "schema_version": "0.0.2",
    "model_details": {"name": "churn", "overview": "Ranks customers by the chance that they cancel."},
    "model_parameters": {"data": [{"name": "churn-snapshots-train"}]},
    "quantitative_analysis": {"performance_metrics": [{"type": "accuracy", "value": "87.0%"},
                                                      {"type": "drift_score", "value": "0.04"}]},
    "considerations": {"limitations": [{"description": "Not validated for business accounts."}]},
}


def _mlmodel(signed: bool) -> str:
    from mlflow.models import Model, ModelSignature
    from mlflow.types import ColSpec, Schema

    model = Model(artifact_path="model", flavors={"python_function": {"loader_module": "mlflow.pyfunc.model"}})
    if signed:
        model.signature = ModelSignature(inputs=Schema([ColSpec("long", "tenure_months")]),
                                         outputs=Schema([ColSpec("double", "churn_probability")]))
    return model.to_yaml()


@pytest.fixture(scope="module")
def foreign(store):
    """name -> target: versions whose card artifact is a README or a Model Card Toolkit JSON file."""
    from mlflow import MlflowClient
    from mlflow.entities import Metric

    client = MlflowClient(tracking_uri=store.url, registry_uri=store.url)
    exp = client.get_experiment_by_name("governance").experiment_id
    specs = {
        "fmt-readme": ("README.md", README.format(accuracy="87%"), True),
        "fmt-readme-oversell": ("README.md", README.format(accuracy="93.4%"), True),
        "fmt-readme-unsigned": ("README.md", README.format(accuracy="87%"), False),
        "fmt-mct": ("model_card.json", json.dumps(MCT, indent=2), True),
    }
    out = {}
    for name, (file, text, signed) in specs.items():
        run = client.create_run(exp, tags=compliant_tags(store.commit), run_name=name)
        rid = run.info.run_id
        now = int(time.time() * 1000)
        client.log_batch(rid, metrics=[Metric(k, float(v), now, 0) for k, v in METRICS.items()])
        client.log_text(rid, text, f"documentation/{file}")
        client.log_text(rid, "holdout accuracy 0.87\n", "validation/report.txt")
        client.log_text(rid, "scikit-learn==1.5.0\n", "requirements.txt")
        client.log_text(rid, _mlmodel(signed), "model/MLmodel")
        client.set_terminated(rid)
        client.create_registered_model(name)
        client.create_model_version(name, f"runs:/{rid}/model", run_id=rid,
                                    description="Approved by the model risk committee on 2024-05-02")
        out[name] = f"models:/{name}/1"
    return out


def check(store, tmp_path, target: str, artifact: str):
    policy = tmp_path / "mlgov.yaml"
    policy.write_text(f"version: 1\nevidence:\n  card_artifact: documentation/{artifact}\n"
                      f"  artifacts: [documentation/{artifact}, validation/report.txt]\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", target, "--tracking-uri", store.url, "--policy", str(policy),
                                       "--format", "json"], catch_exceptions=False)
    assert "Traceback" not in result.output
    findings = json.loads(result.stdout)["findings"]
    return {f["check"]: f for f in findings if f["check"].startswith("card-") and f["status"] != "pass"}, \
        [f for f in findings if f["check"].startswith("card-") and f["status"] == "pass"]


def test_a_logged_readme_passes_every_card_check(store, foreign, tmp_path):
    bad, passed = check(store, tmp_path, foreign["fmt-readme"], "README.md")
    assert bad == {}
    shown = {f["check"]: f["message"] for f in passed}
    assert "read as Hugging Face README" in shown["card-metrics-match"]
    assert "signature describes it" in shown["card-signature-match"]
    assert "card-artifact-valid" in shown


def test_a_readme_claiming_more_than_the_run_logged_fails_metrics_match(store, foreign, tmp_path):
    bad, _ = check(store, tmp_path, foreign["fmt-readme-oversell"], "README.md")
    assert set(bad) == {"card-metrics-match"}
    f = bad["card-metrics-match"]
    assert "93.4% read as 0.934" in f["message"] and "the run logged accuracy=0.87" in f["message"]
    assert f["line"] == 10 and f["file"].endswith("documentation/README.md")


def test_a_readme_with_an_unsigned_model_fails_signature_match(store, foreign, tmp_path):
    bad, _ = check(store, tmp_path, foreign["fmt-readme-unsigned"], "README.md")
    assert set(bad) == {"card-signature-match"}
    assert bad["card-signature-match"]["status"] == "fail"
    assert "no MLflow signature" in bad["card-signature-match"]["message"]


def test_a_logged_model_card_toolkit_card_matches_the_run(store, foreign, tmp_path):
    bad, passed = check(store, tmp_path, foreign["fmt-mct"], "model_card.json")
    assert bad == {}
    assert any("read as Model Card Toolkit JSON" in f["message"] for f in passed if f["check"] == "card-metrics-match")
