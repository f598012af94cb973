"""The training helpers leave the process alone: os.environ is the same after each one, on success
and on failure (a dead server, a bad run id, a rejected card), in-process against the real server."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import yaml

import mlgov_checks
from mlgov_checks.errors import CardRejectedError, EvaluationError
from tests.conftest import REPO_ROOT
from tests.integration.conftest import CARD

pytestmark = pytest.mark.integration

BOUNDS = ("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "MLFLOW_HTTP_REQUEST_TIMEOUT",
          "MLFLOW_HTTP_RESPECT_RETRY_AFTER_HEADER", "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR",
          "MLFLOW_HTTP_REQUEST_BACKOFF_JITTER")


@pytest.fixture
def run_id(mlflow_server):
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri=mlflow_server.url)
    exp = client.get_experiment_by_name("helpers-env")
    exp_id = exp.experiment_id if exp else client.create_experiment("helpers-env")
    return client.create_run(exp_id).info.run_id


@pytest.fixture
def card(tmp_path):
    good = tmp_path / "model_card.yaml"
    good.write_text(yaml.safe_dump(CARD, sort_keys=False), encoding="utf-8")
    bad = tmp_path / "bad_card.yaml"
    bad.write_text("purpose: TODO\n", encoding="utf-8")
    return str(good), str(bad)


@pytest.fixture(autouse=True)
def clean_bounds(monkeypatch):
    for key in BOUNDS:
        monkeypatch.delenv(key, raising=False)


def calls(uri, run, card, repo):
    return {
        "log_provenance": lambda: mlgov_checks.log_provenance(str(repo), run_id=run, tracking_uri=uri),
        "log_review": lambda: mlgov_checks.log_review("bob", run_id=run, tracking_uri=uri),
        "log_model_card": lambda: mlgov_checks.log_model_card(card, run_id=run, tracking_uri=uri),
    }


CASES = [(h, c) for h in ("log_provenance", "log_review", "log_model_card")
         for c in ("success", "dead-server", "bad-run-id")] + [("log_model_card", "rejected-card")]


@pytest.mark.parametrize(("helper", "case"), CASES)
def test_environment_is_unchanged(helper, case, mlflow_server, run_id, card, store, dead_uri):
    uri = dead_uri if case == "dead-server" else mlflow_server.url
    run = "0" * 32 if case == "bad-run-id" else run_id
    path = card[1] if case == "rejected-card" else card[0]
    before = dict(os.environ)
    call = calls(uri, run, path, store.repo)[helper]
    if case == "success":
        call()
    else:
        expected = CardRejectedError if case == "rejected-card" else EvaluationError
        with pytest.raises(expected):
            call()
    assert dict(os.environ) == before
    assert not any(k in os.environ for k in BOUNDS)


def test_a_variable_the_user_set_is_kept(mlflow_server, run_id, monkeypatch):
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "300")
    mlgov_checks.log_review("bob", run_id=run_id, tracking_uri=mlflow_server.url)
    assert os.environ["MLFLOW_HTTP_REQUEST_TIMEOUT"] == "300"
    assert "MLFLOW_HTTP_REQUEST_MAX_RETRIES" not in os.environ


def test_a_helper_that_first_imports_mlflow_leaves_nothing_behind(mlflow_server, run_id, tmp_path):
    """In a fresh process the helper is the first to import MLflow (which exports variables of its own)."""
    script = (
        "import os, sys, mlgov_checks\n"
        "before = dict(os.environ)\n"
        f"mlgov_checks.log_review('bob', run_id={run_id!r}, tracking_uri={mlflow_server.url!r})\n"
        "assert 'mlflow' in sys.modules\n"
        "changed = {k for k in set(before) | set(os.environ) if before.get(k) != os.environ.get(k)}\n"
        "print(sorted(changed))\n")
    # As in a training job: no MLflow variables, and none of the CI markers that make MLflow skip
    # its telemetry (and so the variable it exports at import).
    ci_markers = {"PYTEST_CURRENT_TEST", "CI", "GITHUB_ACTIONS", "GITLAB_CI", "JENKINS_URL", "CIRCLECI", "TRAVIS",
                  "BUILDKITE", "TEAMCITY_VERSION", "DO_NOT_TRACK"}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "_MLFLOW_")) and k not in ci_markers}
    env["PYTHONPATH"] = str(REPO_ROOT)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]", proc.stdout
