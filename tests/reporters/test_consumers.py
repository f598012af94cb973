"""`mlgov card` reports, as their real consumers read them, from every place a user runs it.

Every report below has passed the SARIF Multitool ("Sarif;Gh"), the Jenkins xunit XSD, junitparser
and the runner's annotation parsing (tests/report_runs.py) before these tests look at it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess

import consumers
import pytest
import yaml
from report_runs import mlgov, run_reports, uris

GOOD_CARD = {
    "purpose": "Predict which subscription customers are likely to cancel within 30 days.",
    "input_schema": [{"name": "tenure_months", "type": "integer"}],
    "output_schema": [{"name": "churn_probability", "type": "float"}],
    "training_data": {"source": "warehouse.analytics.customer_snapshots", "rows": 184000},
    "performance_metrics": {"accuracy": 0.87, "drift_score": 0.04},
    "limitations": ["Not validated for business accounts."],
}
BAD = "models/dup/model_card.yaml"
SUMMARY = re.compile(r"(\d+) passed, (\d+) failed, (\d+) could not be evaluated, (\d+) warnings?, (\d+) waived")


def git(cwd, *args):
    env = {**os.environ, "GIT_AUTHOR_NAME": "Ada", "GIT_AUTHOR_EMAIL": "ada@example.com",
           "GIT_COMMITTER_NAME": "Ada", "GIT_COMMITTER_EMAIL": "ada@example.com"}
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=env)


@pytest.fixture
def repo(git_repo):
    (git_repo / "README.md").write_text("# cards\n", encoding="utf-8")
    (git_repo / "models" / "dup").mkdir(parents=True)
    (git_repo / "models" / "good").mkdir()
    (git_repo / BAD).write_text("purpose: TBD\nlimitations: [none]\n", encoding="utf-8")
    (git_repo / "models/good/model_card.yaml").write_text(yaml.safe_dump(GOOD_CARD), encoding="utf-8")
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-q", "-m", "Cards")
    return git_repo


def test_cards_from_the_root(repo, tmp_path):
    r = run_reports(repo, repo, "card", out=tmp_path / "out")
    assert r.code == 1
    assert set(uris(r)) == {BAD}
    assert {a["file"] for a in r.annotations} == {BAD}
    run = r.sarif["runs"][0]
    assert "automationDetails" not in run  # upload-sarif's `category` decides
    assert run["tool"]["driver"]["informationUri"]
    assert all(res["partialFingerprints"]["primaryLocationLineHash"] for res in run["results"])
    assert "<br>" not in r.markdown and "<sub>" not in r.markdown


def test_junit_counts_are_the_counts_mlgov_prints(repo, tmp_path):
    r = run_reports(repo, repo, "card", out=tmp_path / "out")
    passed, failed, errors, warnings, waived = map(int, SUMMARY.search(r.stdout).groups())
    assert r.junit.tests == passed + failed + errors + warnings + waived
    assert (r.junit.failures, r.junit.errors) == (failed, errors)
    assert sum(s.skipped for s in r.junit) == waived
    summary = r.json["summary"]
    assert (summary["pass"], summary["fail"]) == (passed, failed)


def test_fingerprints_are_stable_across_runs_and_ignore_the_message(repo, tmp_path):
    first = run_reports(repo, repo, "card", out=tmp_path / "a")
    (repo / BAD).write_text("purpose: TODO\nlimitations: [none]\n", encoding="utf-8")  # another placeholder
    second = run_reports(repo, repo, "card", out=tmp_path / "b")

    def prints(r):
        return {(res["ruleId"], res["partialFingerprints"]["primaryLocationLineHash"])
                for res in r.sarif["runs"][0]["results"]}
    assert prints(first) == prints(second)
    messages = {res["message"]["text"] for res in second.sarif["runs"][0]["results"]}
    assert any("TODO" in m for m in messages)


@pytest.mark.parametrize("workspace", [True, False])
def test_from_a_subdirectory_paths_are_relative_to_the_repository_root(repo, tmp_path, workspace):
    env = {"GITHUB_WORKSPACE": str(repo)} if workspace else {}
    r = run_reports(repo / "models", repo, "card", "dup/model_card.yaml", out=tmp_path / "out", env=env)
    assert set(uris(r)) == {BAD}
    assert {a["file"] for a in r.annotations} == {BAD}
    assert f'file="{BAD}"' in r.gitlab_text


@pytest.mark.parametrize("how", ["absolute", "relative"])
def test_a_card_outside_the_working_directory(repo, tmp_path, how):
    card = str(repo / BAD) if how == "absolute" else "../dup/model_card.yaml"
    r = run_reports(repo / "models" / "good", repo, "card", card, out=tmp_path / "out")
    assert set(uris(r)) == {BAD}
    assert {a["file"] for a in r.annotations} == {BAD}
    for text in (r.junit_text, r.gitlab_text, str(r.sarif), str(r.annotations)):
        assert str(repo) not in text  # no absolute path of this machine in a CI report


@pytest.mark.parametrize("workspace", [True, False])
def test_from_above_the_repository_paths_are_relative_to_the_repository_holding_the_card(repo, tmp_path, workspace):
    """`mlgov card /abs/path/model_card.yaml` from a directory that holds the checkout: GitHub's upload
    rejects `repo/models/...`; the URI is relative to the repository the file is in."""
    above = repo.parent
    env = {"GITHUB_WORKSPACE": str(repo)} if workspace else {}
    r = run_reports(above, repo, "card", str(repo / BAD), out=tmp_path / "out", env=env)
    assert set(uris(r)) == {BAD}
    assert {a["file"] for a in r.annotations} == {BAD}
    assert f'file="{BAD}"' in r.gitlab_text
    for text in (r.junit_text, r.gitlab_text, str(r.sarif), str(r.annotations)):
        assert str(repo) not in text


def test_a_card_outside_the_repository_is_anchored_to_the_readme(repo, tmp_path):
    outside = tmp_path / "elsewhere" / "model_card.yaml"
    outside.parent.mkdir()
    outside.write_text("purpose: TBD\n", encoding="utf-8")
    r = run_reports(repo, repo, "card", str(outside), out=tmp_path / "out")
    assert set(uris(r)) == {"README.md"}
    result = r.sarif["runs"][0]["results"][0]
    assert result["locations"][0]["logicalLocations"] == [{"fullyQualifiedName": str(outside), "kind": "resource"}]
    assert {a["file"] for a in r.annotations} == {"README.md"}


def _waiver_policy(days: int = 5) -> str:
    expires = (dt.date.today() + dt.timedelta(days=days)).isoformat()
    return (f"version: 1\nwaivers:\n  - check: card-placeholder\n    target: \"{BAD}\"\n"
            f"    reason: rewriting the purpose, ticket ML-7\n    approved_by: Ann Lee\n    expires: {expires}\n")


def test_waived_findings_are_suppressed_results_on_real_files(repo, tmp_path):
    (repo / ".mlgov.yaml").write_text(_waiver_policy(), encoding="utf-8")
    r = run_reports(repo, repo, "card", out=tmp_path / "out")
    results = r.sarif["runs"][0]["results"]
    waived = [res for res in results if res.get("suppressions")]
    assert waived and all(res["ruleId"] == "card-placeholder" for res in waived)
    expiring = [res for res in results if res["ruleId"] == "waiver-expiring"]
    assert expiring[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == ".mlgov.yaml"
    assert sum(s.skipped for s in r.junit) == len(waived)


def test_policy_ref_locations_are_the_working_tree_policy(repo, tmp_path):
    (repo / ".mlgov.yaml").write_text("version: 1\ncard:\n  required_fields: [owners]\n" + _waiver_policy()[11:],
                                      encoding="utf-8")
    git(repo, "add", ".mlgov.yaml")
    git(repo, "commit", "-q", "-m", "Policy")
    (repo / ".mlgov.yaml").write_text(_waiver_policy(), encoding="utf-8")  # drops `owners`: a loosening
    r = run_reports(repo, repo, "card", BAD, "--policy-ref", "HEAD", out=tmp_path / "out")
    found = set(uris(r))
    assert ".mlgov.yaml" in found and found <= {".mlgov.yaml", BAD}
    checks = {res["ruleId"] for res in r.sarif["runs"][0]["results"]}
    assert {"policy-loosened", "waiver-expiring"} <= checks
    assert not any("HEAD" in a.get("file", "") for a in r.annotations)


def test_policy_ref_without_a_policy_at_the_ref(repo, tmp_path):
    r = run_reports(repo, repo, "card", "--policy-ref", "HEAD", out=tmp_path / "out")
    assert set(uris(r)) == {BAD}
    assert not any("(defaults)" in u or "%3A" in u for u in uris(r))


def test_sarif_category_sets_the_automation_id(repo, tmp_path):
    proc = mlgov(repo, "card", "--format", "sarif", "--sarif-category", "mlgov-cards")
    doc = consumers.check_sarif(proc.stdout, repo)
    assert doc["runs"][0]["automationDetails"] == {"id": "mlgov-cards/"}


def test_jenkins_and_gitlab_flavors_differ_only_in_testcase_file(repo, tmp_path):
    jenkins = mlgov(repo, "card", "--format", "junit").stdout
    gitlab = mlgov(repo, "card", "--format", "junit", env={"GITLAB_CI": "true"}).stdout
    forced = mlgov(repo, "card", "--format", "junit", env={"GITLAB_CI": "true", "MLGOV_JUNIT_FLAVOR": "jenkins"})
    consumers.check_junit(jenkins, repo, flavor="jenkins")
    consumers.check_junit(gitlab, repo, flavor="gitlab")
    assert forced.stdout == jenkins
    assert "file=" not in jenkins and f'file="{BAD}"' in gitlab
    assert re.sub(r' file="[^"]*"', "", gitlab) == jenkins
    rejected = consumers.xmllint_xsd(gitlab)
    assert rejected.returncode != 0 and "'file' is not allowed" in rejected.stderr


def test_the_example_workflow_category_takes_effect(repo, tmp_path):
    """upload-sarif's `category` is ignored when the SARIF has its own automationDetails.id."""
    from report_runs import REPO_ROOT

    from mlgov_checks.integrations import github_action as action

    workflow = yaml.safe_load((REPO_ROOT / "examples/ci/github-workflow.yml").read_text("utf-8"))
    steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
    upload = next(s for s in steps if "upload-sarif" in s.get("uses", ""))
    assert upload["with"]["category"]
    inputs = action.Inputs.from_env({"MLGOV_INPUT_COMMAND": "card"})
    argv = action.build_argv(inputs, report=str(tmp_path / "r.json"), sarif=str(tmp_path / "r.sarif"))
    mlgov(repo, *argv)
    doc = consumers.check_sarif((tmp_path / "r.sarif").read_text("utf-8"), repo)
    assert "automationDetails" not in doc["runs"][0]
