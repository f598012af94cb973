"""`mlgov check` reports against a real tracking server, as their real consumers read them.

Every report has passed the SARIF Multitool ("Sarif;Gh"), the Jenkins xunit XSD, junitparser, the
runner's annotation parsing, and the check that each location is a file under the repository root
(tests/report_runs.py) before these tests look at it.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from report_runs import run_reports

pytestmark = pytest.mark.integration

PLACEHOLDER = "models:/gov-card-placeholder/1"
NO_REVIEWER = "models:/gov-no-reviewer/1"
CARD = "models/gov-card-placeholder/model_card.yaml"
WORKFLOW = ".github/workflows/mlgov.yml"


def git(cwd, *args):
    env = {**os.environ, "GIT_AUTHOR_NAME": "Ada", "GIT_AUTHOR_EMAIL": "ada@example.com",
           "GIT_COMMITTER_NAME": "Ada", "GIT_COMMITTER_EMAIL": "ada@example.com"}
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=env)


@pytest.fixture
def repo(store, tmp_path):
    """A repository holding the card that gov-card-placeholder v1 logged (same bytes), a README and a workflow."""
    from mlflow import MlflowClient

    root = tmp_path / "repo"
    (root / "models" / "gov-card-placeholder").mkdir(parents=True)
    (root / ".github" / "workflows").mkdir(parents=True)
    client = MlflowClient(tracking_uri=store.url, registry_uri=store.url)
    run_id = client.get_model_version("gov-card-placeholder", "1").run_id
    logged = client.download_artifacts(run_id, "documentation/model_card.yaml", str(tmp_path))
    shutil.copyfile(logged, root / CARD)
    (root / "README.md").write_text("# churn\n", encoding="utf-8")
    (root / WORKFLOW).write_text("name: mlgov\n", encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "Cards")
    return root


def _by_rule(r):
    return {res["ruleId"]: res for res in r.sarif["runs"][0]["results"]}


def _uri(result):
    return result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]


def test_gate_without_a_policy_every_result_is_on_a_real_file(store, repo, tmp_path):
    env = {"MLFLOW_TRACKING_URI": store.url, "GITHUB_WORKFLOW_REF": f"example/churn/{WORKFLOW}@refs/heads/main"}
    r = run_reports(repo, repo, "check", NO_REVIEWER, PLACEHOLDER, out=tmp_path / "out", env=env)
    assert r.code == 1
    rules = _by_rule(r)
    # the logged card's finding is on the repository card with the same content, at the same line
    placeholder = rules["card-placeholder"]
    assert _uri(placeholder) == CARD
    region = placeholder["locations"][0]["physicalLocation"]["region"]
    line = (repo / CARD).read_text("utf-8").splitlines()[region["startLine"] - 1]
    assert line.startswith("purpose:") and "TODO" in line
    assert [x["fullyQualifiedName"] for x in placeholder["locations"][0]["logicalLocations"]] == [
        PLACEHOLDER, f"{PLACEHOLDER}/documentation/model_card.yaml"]
    # no policy file and no card for this model: the workflow that runs the gate
    reviewer = rules["provenance-reviewer"]
    assert _uri(reviewer) == WORKFLOW
    assert reviewer["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == NO_REVIEWER
    assert {a.get("file") for a in r.annotations} == {CARD, WORKFLOW}
    assert "models%3A" not in str(r.sarif) and "models:/" not in " ".join(a.get("file", "") for a in r.annotations)


def test_gate_with_a_policy_from_a_subdirectory_with_policy_ref(store, repo, tmp_path):
    (repo / ".mlgov.yaml").write_text("version: 1\nevidence:\n  run_tags: [team]\n", encoding="utf-8")
    git(repo, "add", ".mlgov.yaml")
    git(repo, "commit", "-q", "-m", "Policy")
    (repo / ".mlgov.yaml").write_text("version: 1\n", encoding="utf-8")  # drops run_tags: a loosening
    env = {"MLFLOW_TRACKING_URI": store.url, "GITHUB_WORKSPACE": str(repo)}
    r = run_reports(repo / "models", repo, "check", NO_REVIEWER, PLACEHOLDER, "--policy-ref", "HEAD",
                    out=tmp_path / "out", env=env)
    rules = _by_rule(r)
    assert _uri(rules["provenance-reviewer"]) == ".mlgov.yaml"  # the working-tree path of the policy that judged
    assert _uri(rules["policy-loosened"]) == ".mlgov.yaml"
    assert _uri(rules["card-placeholder"]) == CARD
    assert not any("HEAD" in _uri(res) for res in r.sarif["runs"][0]["results"])
    gitlab_files = {line.split('file="')[1].split('"')[0] for line in r.gitlab_text.splitlines() if 'file="' in line}
    assert gitlab_files <= {".mlgov.yaml", CARD}
