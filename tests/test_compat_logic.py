"""Pure logic behind the compatibility fixes: where a model's files and its run's experiment are."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import pytest

from mlgov_checks.backend.artifacts import model_dirs
from mlgov_checks.backend.resolve import experiment_hints
from mlgov_checks.checks import evidence
from mlgov_checks.checks._base import Context
from mlgov_checks.findings import Status
from mlgov_checks.policy.load import policy_from_mapping
from mlgov_checks.records import CardArtifact, ModelVersionRecord
from tests.checks.test_evidence import make_version

RUN = "0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize(("source", "dirs"), [
    (f"runs:/{RUN}/model", ["model"]),
    (f"runs:/{RUN}/deep/path/clf/", ["deep/path/clf"]),
    (f"mlflow-artifacts:/4/{RUN}/artifacts/deep/clf", ["deep/clf"]),  # MLflow 2.x stores the location
    ("models:/m-0123456789abcdef0123456789abcdef", []),  # a logged model: listed under its name
    (f"runs:/{RUN}", []),
    ("s3://elsewhere/model", []),
])
def test_model_dirs(source, dirs):
    version = ModelVersionRecord(name="m", version="1", run_id=RUN, source=source)
    assert model_dirs(version, f"mlflow-artifacts:/4/{RUN}/artifacts") == dirs


@pytest.mark.parametrize(("source", "hint"), [
    (f"mlflow-artifacts:/4/{RUN}/artifacts/model", "4"),
    (f"file:///srv/mlruns/12/{RUN}/artifacts/model", "12"),
    (f"s3://bucket/mlflow/7/{RUN}/artifacts", "7"),
    (f"runs:/{RUN}/model", None),
    ("models:/m-0123456789abcdef0123456789abcdef", None),
    (f"mlflow-artifacts:/4/{RUN[::-1]}/artifacts/model", None),  # another run's location
])
def test_experiment_hints(source, hint):
    mv = SimpleNamespace(run_id=RUN, source=source)
    assert experiment_hints([mv]) == ({RUN: hint} if hint else {})


@pytest.mark.parametrize(("artifacts", "passes"), [
    (("deep/path/clf/MLmodel", "deep/path/clf/requirements.txt"), True),
    (("clf/MLmodel", "clf/requirements.txt"), True),
    (("deep/path/clf/requirements.txt",), False),  # no MLmodel beside it: not a model's own
    (("notes/MLmodel", "other/requirements.txt"), False),
])
def test_the_models_own_requirements_count_at_any_path(artifacts, passes):
    version = make_version(artifacts=("documentation/model_card.yaml", "validation/report.txt", *artifacts))
    found = list(evidence.check_requirements(version, policy_from_mapping({"version": 1})))
    assert [f.status is Status.PASS for f in found] == [passes]


def test_a_listed_size_over_the_limit_is_card_size_without_content():
    version = make_version()
    big = replace(version, card=CardArtifact("documentation/model_card.yaml",
                                             "models:/churn/3/documentation/model_card.yaml", b"", size=5000))
    policy = policy_from_mapping({"version": 1, "card": {"max_bytes": 4096}})
    failed = [f for f in evidence.evaluate(big, Context(policy)) if f.status is Status.FAIL]
    assert [f.check for f in failed] == ["card-size"]
    assert "4096-byte limit (5000 bytes)" in failed[0].message
