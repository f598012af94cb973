"""Evidence checks on records built in the test: no server."""

from __future__ import annotations

import pytest
import yaml

from mlgov_checks.checks import evidence
from mlgov_checks.checks._base import Context
from mlgov_checks.findings import Status
from mlgov_checks.policy.load import policy_from_mapping
from mlgov_checks.records import CardArtifact, ModelVersionRecord, RunRecord

CARD = {
    "purpose": "Predict churn within 30 days.",
    "input_schema": {"tenure_months": "integer"},
    "output_schema": {"churn_probability": "float"},
    "training_data": "warehouse.analytics.customer_snapshots",
    "performance_metrics": {"accuracy": 0.87, "drift_score": 0.04},
    "limitations": "Not validated for business accounts.",
}
ARTIFACTS = ("documentation/model_card.yaml", "validation/report.txt", "requirements.txt")


def make_version(*, card=CARD, metrics=None, artifacts=ARTIFACTS, description="Approved by the committee",
                 run_tags=None, version_tags=None, run=True):
    content = card.encode() if isinstance(card, str) else yaml.safe_dump(card, sort_keys=False).encode()
    logged = {"accuracy": 0.87, "drift_score": 0.04} if metrics is None else metrics
    r = RunRecord(run_id="r1", metrics=logged, tags=run_tags or {}, artifact_uri="mlflow-artifacts:/1/r1")
    return ModelVersionRecord(
        name="churn", version="3", run_id="r1", description=description, tags=version_tags or {},
        run=r if run else None, artifacts=artifacts,
        card=None if card is None else CardArtifact("documentation/model_card.yaml",
                                                    "models:/churn/3/documentation/model_card.yaml", content))


def policy(**evidence_conf):
    return policy_from_mapping({"version": 1, "evidence": evidence_conf} if evidence_conf else {"version": 1})


def fails(findings):
    return [(f.check, f.message) for f in findings if f.status in (Status.FAIL, Status.ERROR)]


def test_compliant_version_passes_everything():
    found = list(evidence.evaluate(make_version(), Context(policy())))
    assert fails(found) == []
    passed = {f.check for f in found if f.status is Status.PASS}
    assert {"evidence-source-run", "evidence-artifacts", "evidence-requirements", "evidence-description",
            "evidence-approval", "card-artifact-valid", "card-metrics-match"} <= passed


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({"artifacts": ("documentation/model_card.yaml", "requirements.txt")},
     [("evidence-artifacts", "required artifact 'validation/report.txt' is missing")]),
    ({"artifacts": ("documentation/model_card.yaml", "validation/report.txt")},
     [("evidence-requirements", "no requirements file: expected one of 'requirements.txt', "
       "'model/requirements.txt', 'dependencies/requirements.txt'")]),
    ({"description": None}, [("evidence-description", "model version has no description"),
                             ("evidence-approval", None)]),
    ({"card": None, "artifacts": ARTIFACTS[1:]},
     [("evidence-artifacts", "required artifact 'documentation/model_card.yaml' is missing"),
      ("card-artifact-valid", "model card artifact 'documentation/model_card.yaml' is missing")]),
    ({"metrics": {"accuracy": 0.80, "drift_score": 0.04}},
     [("card-metrics-match", "card claims accuracy=0.87 but the run logged accuracy=0.8 (tolerance 0.005)")]),
    ({"metrics": {"accuracy": 0.87}},
     [("card-metrics-match", "card claims drift_score=0.04 but the run did not log 'drift_score'")]),
    ({"run": False}, [("evidence-source-run", "source run r1 was not found")]),
])
def test_each_rule_fails(kwargs, expected):
    got = fails(evidence.evaluate(make_version(**kwargs), Context(policy())))
    assert [c for c, _ in got] == [c for c, _ in expected]
    for (_, msg), (_, want) in zip(got, expected, strict=True):
        if want is not None:
            assert msg == want


@pytest.mark.parametrize(("claimed", "logged", "ok"), [
    (0.87, 0.87, True), (0.87, 0.8749, True), (0.87, 0.8651, True), (0.87, 0.876, False),
    (0.87, 0.864, False), (0.87, float("nan"), False),
])
def test_card_tolerance(claimed, logged, ok):
    card = {**CARD, "performance_metrics": {"accuracy": claimed}}
    found = list(evidence.check_card_metrics(make_version(card=card, metrics={"accuracy": logged}), policy()))
    assert [f.status for f in found] == [Status.PASS if ok else Status.FAIL]


def test_card_tolerance_from_policy():
    card = {**CARD, "performance_metrics": {"accuracy": 0.9}}
    v = make_version(card=card, metrics={"accuracy": 0.87})
    p = policy_from_mapping({"version": 1, "metrics": {"card_tolerance": 0.05}})
    assert fails(evidence.check_card_metrics(v, p)) == []


def test_card_metric_failure_points_at_the_claim():
    text = yaml.safe_dump(CARD, sort_keys=False)
    [f] = evidence.check_card_metrics(make_version(card=text, metrics={"accuracy": 0.5, "drift_score": 0.04}),
                                      policy())
    line = 1 + text.splitlines().index("  accuracy: 0.87")
    assert (f.file, f.line, f.column) == ("models:/churn/3/documentation/model_card.yaml", line, 13)


def test_invalid_card_is_judged_by_the_card_checks():
    found = list(evidence.check_card_artifact(make_version(card={**CARD, "purpose": "TODO"}), policy()))
    bad = [f for f in found if f.status is Status.FAIL]
    assert [f.check for f in bad] == ["card-placeholder"]
    assert bad[0].file == "models:/churn/3/documentation/model_card.yaml" and bad[0].line == 1
    assert "card-artifact-valid" not in {f.check for f in found}


@pytest.mark.parametrize(("mode", "description", "ok"), [
    ("description", "Approved by the committee", True), ("description", "  Approved", True),
    ("description", "approved", False), ("description", "Not Approved", False),
    ("either", "Approved by the committee", True), ("either", "Candidate", False),
    ("none", None, True), ("approvals", "Approved by the committee", False),
])
def test_approval_modes(mode, description, ok):
    found = list(evidence.check_approval(make_version(description=description), policy(approval=mode)))
    assert (fails(found) == []) is ok
    if mode == "none":
        assert found == []
    elif not ok:
        assert "evidence-approval" in {c for c, _ in fails(found)}


@pytest.mark.parametrize(("tags", "required", "expected"), [
    ({"team": "ds", "project": "churn"}, ["team", "project"], []),
    ({"team": "ds"}, ["team", "project"], ["run tag 'project' is missing or empty"]),
    ({"team": " "}, ["team"], ["run tag 'team' is missing or empty"]),
])
def test_run_tags(tags, required, expected):
    found = evidence.check_run_tags(make_version(run_tags=tags), policy(run_tags=required))
    assert [m for _, m in fails(found)] == expected


def test_version_tags_and_semantic_version():
    p = policy(version_tags=["owner"], require_semantic_version=True)
    good = make_version(version_tags={"owner": "ds", "semantic_version": "1.2.3"})
    assert fails(evidence.evaluate(good, Context(p))) == []
    bad = make_version(version_tags={"semantic_version": "1.2"})
    assert fails(evidence.evaluate(bad, Context(p))) == [
        ("evidence-version-tags", "model version tag 'owner' is missing or empty"),
        ("evidence-semantic-version", "semantic_version='1.2' is not a semantic version")]


@pytest.mark.parametrize(("tag", "earlier", "expected"), [
    ("1.3.0", (("1", "1.0.0"), ("2", "1.2.0")), []),
    ("1.3.0-rc.1", (("1", "1.2.0"),), []),
    ("1.2.0", (("1", "1.0.0"), ("2", "1.2.0")),
     ["semantic_version=1.2.0 is not greater than 1.2.0 of version 2"]),
    ("1.1.0", (("1", "2.0.0"), ("2", None), ("3", "garbage")),
     ["semantic_version=1.1.0 is not greater than 2.0.0 of version 1"]),
    ("1.0.0-rc.1", (("1", "1.0.0"),), ["semantic_version=1.0.0-rc.1 is not greater than 1.0.0 of version 1"]),
    ("1.0.0", (), []),
])
def test_semantic_version_increases(tag, earlier, expected):
    from dataclasses import replace

    v = replace(make_version(version_tags={"semantic_version": tag}), earlier_semantic_versions=earlier)
    found = evidence.check_semantic_version(v, policy(require_semantic_version=True))
    assert [m for _, m in fails(found)] == expected


def test_description_not_required():
    v = make_version(description=None)
    assert list(evidence.check_description(v, policy(require_description=False))) == []


def test_every_check_has_an_explanation():
    for check in evidence.CHECKS:
        assert check.id.startswith(("evidence-", "card-", "target-")) and check.explanation.strip()


@pytest.mark.parametrize("mode", ["description", "either", "approvals"])
def test_with_signatures_required_a_description_is_a_claim(mode, tmp_path):
    """Anyone with EDIT can write "Approved" into a description: with signed approvals required it
    never counts, in any mode."""
    signers = tmp_path / "allowed_signers"
    signers.write_text("")
    strict = policy_from_mapping({"version": 1, "evidence": {"approval": mode},
                                  "approval": {"require_signature": True, "allowed_signers": str(signers)}})
    found = list(evidence.check_approval(make_version(description="Approved by the committee"), strict))
    failed = dict(fails(found))
    assert "evidence-approval" in failed, found
    assert "signed approvals do not meet the policy" in failed["evidence-approval"]
    if mode != "approvals":
        assert "is a claim" in failed["evidence-approval"]
