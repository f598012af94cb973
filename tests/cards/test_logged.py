"""A logged card in any format: valid in its format, its metrics equal the run's, typed I/O from the signature."""

from __future__ import annotations

import json

from mlgov_checks.checks import evidence
from mlgov_checks.checks._base import Context
from mlgov_checks.findings import Status
from mlgov_checks.policy.load import policy_from_mapping
from mlgov_checks.records import CardArtifact, ModelVersionRecord, RunRecord

README = """\
---
license: mit
datasets: [internal/churn-snapshots]
model-index:
- name: churn
  results:
  - task: {type: tabular-classification}
    dataset: {name: churn-snapshots, type: internal/churn-snapshots, split: test}
    metrics:
    - {type: accuracy, value: 87%}
    - {type: drift_score, value: 0.04}
---
# churn

## Uses

Ranks subscription customers by the chance that they cancel within 30 days.

## Limitations

Not validated for business accounts.
"""
SIGNATURE = {"inputs": json.dumps([{"type": "long", "name": "tenure_months"}]),
             "outputs": json.dumps([{"type": "double", "name": "churn_probability"}])}


def version(card: str, *, metrics=None, signature=SIGNATURE, model=True):
    run = RunRecord(run_id="r1", metrics=metrics or {"accuracy": 0.87, "drift_score": 0.04}, tags={},
                    artifact_uri="mlflow-artifacts:/1/r1")
    mlmodel = "flavors: {}\n" + (f"signature:\n  inputs: '{signature['inputs']}'\n  outputs: '{signature['outputs']}'\n"
                                 if signature else "")
    return ModelVersionRecord(
        name="churn", version="3", run_id="r1", description="Approved by the committee", tags={}, run=run,
        artifacts=("documentation/README.md", "validation/report.txt", "requirements.txt"),
        card=CardArtifact("documentation/README.md", "models:/churn/3/documentation/README.md", card.encode()),
        model_file=CardArtifact("model/MLmodel", "models:/churn/3/model/MLmodel", mlmodel.encode()) if model else None)


POLICY = policy_from_mapping({"evidence": {"card_artifact": "documentation/README.md",
                                            "artifacts": ["documentation/README.md", "validation/report.txt"]}})


def by_check(found, check):
    return [f for f in found if f.check == check]


def test_a_logged_readme_is_valid_its_metrics_match_and_the_signature_types_it():
    found = list(evidence.evaluate(version(README), Context(POLICY)))
    assert [f for f in found if f.status in (Status.FAIL, Status.ERROR)] == []
    (metrics,) = by_check(found, "card-metrics-match")
    assert "2 card metric(s) match the run (read as Hugging Face README)" in metrics.message
    (sig,) = by_check(found, "card-signature-match")
    assert sig.status is Status.PASS and "signature describes it" in sig.message


def test_a_readme_overselling_the_run_fails_card_metrics_match_at_its_line():
    found = list(evidence.evaluate(version(README, metrics={"accuracy": 0.81, "drift_score": 0.04}),
                                   Context(POLICY)))
    (bad,) = [f for f in by_check(found, "card-metrics-match") if f.status is Status.FAIL]
    assert "card claims churn-snapshots/test/accuracy=0.87 (87% read as 0.87)" in bad.message
    assert "the run logged accuracy=0.81" in bad.message
    assert (bad.line, bad.file) == (10, "models:/churn/3/documentation/README.md")


def test_a_readme_metric_the_run_never_logged_fails():
    text = README.replace("    - {type: drift_score, value: 0.04}\n", "    - {type: f1, value: 0.8}\n")
    found = list(evidence.evaluate(version(text), Context(POLICY)))
    (bad,) = [f for f in by_check(found, "card-metrics-match") if f.status is Status.FAIL]
    assert "did not log 'f1'" in bad.message


def test_a_readme_needs_the_models_signature_for_its_types():
    for v in (version(README, signature=None), version(README, model=False)):
        (sig,) = by_check(list(evidence.evaluate(v, Context(POLICY))), "card-signature-match")
        assert sig.status is Status.FAIL and "holds no typed input/output" in sig.message
