"""--policy-ref: REF's policy judges whatever the work tree did to its policy files (real git repos)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from mlgov_checks.cli.app import main
from mlgov_checks.gate import judge_policy
from mlgov_checks.policy.ref import judge
from tests.conftest import CARDS, git

STRICT = "card:\n  required_fields: [sign_off]\nmetrics:\n  thresholds:\n    accuracy: {min: 0.9}\n"


@pytest.fixture
def repo(git_repo, monkeypatch):
    """main: a strict .mlgov.yaml at the root and a card in models/churn; the test is on a branch."""
    (git_repo / ".mlgov.yaml").write_text(STRICT)
    card_dir = git_repo / "models" / "churn"
    card_dir.mkdir(parents=True)
    (card_dir / "model_card.yaml").write_text((CARDS / "ok_template.yaml").read_text())
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-qm", "strict policy")
    git(git_repo, "checkout", "-qb", "feature")
    monkeypatch.chdir(git_repo)
    return git_repo


def card(*args):
    r = CliRunner().invoke(main, ["card", "--policy-ref", "main", "--format", "json", *args,
                                  "models/churn/model_card.yaml"])
    return r.exit_code, json.loads(r.output) if r.output.startswith("{") else r.output


def loosened(report):
    return [(f["status"], f["message"], f["file"]) for f in report["findings"] if f["check"] == "policy-loosened"]


def failures(report, check):
    return [f["message"] for f in report["findings"] if f["check"] == check and f["status"] == "fail"]


def test_renamed_policy_is_still_judged_by_the_ref(repo):
    git(repo, "mv", ".mlgov.yaml", ".mlgov.yml")
    (repo / ".mlgov.yml").write_text("version: 1\n")
    judgement = judge("main")
    assert judgement.policy.source == "main:.mlgov.yaml"
    assert judgement.policy.worktree_path == ".mlgov.yaml"  # where reports point
    assert judgement.policy.section("card")["required_fields"] == ["sign_off"]
    code, report = card()
    assert code == 1
    assert report["policy"] == "main:.mlgov.yaml"
    assert failures(report, "card-required-field")  # the card lacks `sign_off`: REF's rule applied
    messages = [m for s, m, _ in loosened(report) if s == "fail"]
    assert ("the working tree's .mlgov.yml loosens main:.mlgov.yaml: card.required_fields: removed 'sign_off'"
            in messages)
    assert any("metrics.thresholds.accuracy.min lowered from 0.9 to 0.8" in m for m in messages)


def test_deleted_policy_is_a_loosening(repo):
    git(repo, "rm", "-q", ".mlgov.yaml")
    code, report = card()
    assert code == 1
    assert report["policy"] == "main:.mlgov.yaml"
    found = loosened(report)
    assert ("fail", "the working tree has no policy file where main has .mlgov.yaml (it was deleted, renamed "
                    "or moved away): the defaults would apply", ".mlgov.yaml") in found
    assert ("fail", "the working tree's policy loosens the one at main: card.required_fields: removed 'sign_off'",
            ".mlgov.yaml") in found


def test_deleting_a_policy_equal_to_the_defaults_is_still_reported(git_repo, monkeypatch):
    (git_repo / ".mlgov.yaml").write_text("version: 1\n")
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-qm", "policy")
    git(git_repo, "rm", "-q", ".mlgov.yaml")
    monkeypatch.chdir(git_repo)
    messages = [f.message for f in judge_policy(judge("main")) if f.status.value == "fail"]
    assert messages == ["the working tree has no policy file where main has .mlgov.yaml (it was deleted, "
                        "renamed or moved away): the defaults would apply"]


def test_policy_moved_into_pyproject_is_compared(repo):
    git(repo, "rm", "-q", ".mlgov.yaml")
    (repo / "pyproject.toml").write_text("[project]\nname = 'x'\n\n[tool.mlgov]\nversion = 1\n")
    code, report = card()
    assert code == 1
    assert report["policy"] == "main:.mlgov.yaml"
    assert failures(report, "card-required-field")
    messages = [m for s, m, _ in loosened(report) if s == "fail"]
    assert ("the working tree's pyproject.toml loosens main:.mlgov.yaml: card.required_fields: removed 'sign_off'"
            in messages)


def test_pyproject_policy_at_the_ref_is_found(git_repo, monkeypatch):
    (git_repo / "pyproject.toml").write_text("[tool.mlgov.card]\nrequired_fields = ['owners']\n")
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-qm", "policy in pyproject")
    (git_repo / "pyproject.toml").write_text("[project]\nname = 'x'\n")  # the table removed
    monkeypatch.chdir(git_repo)
    judgement = judge("main")
    assert judgement.policy.source == "main:pyproject.toml"
    assert judgement.policy.section("card")["required_fields"] == ["owners"]
    assert [f.message for f in judge_policy(judgement) if f.status.value == "fail"][0].startswith(
        "the working tree has no policy file where main has pyproject.toml")


def test_looser_policy_in_a_subdirectory_nearer_the_card(repo, monkeypatch):
    (repo / "models" / "churn" / ".mlgov.yaml").write_text("version: 1\n")
    code, report = card()
    assert code == 1
    found = loosened(report)
    assert ("fail", "the working tree's models/churn/.mlgov.yaml loosens main:.mlgov.yaml: "
                    "card.required_fields: removed 'sign_off'", "models/churn/.mlgov.yaml") in found
    # run from the subdirectory, as a per-model CI job would: REF's root policy still judges
    monkeypatch.chdir(repo / "models" / "churn")
    judgement = judge("main")
    assert judgement.policy.source == "main:.mlgov.yaml"
    assert judgement.policy.worktree_path == "../../.mlgov.yaml"
    r = CliRunner().invoke(main, ["card", "--policy-ref", "main", "model_card.yaml"])
    assert r.exit_code == 1
    assert "card-required-field" in r.output


def test_subdirectory_policy_at_the_ref_judges_from_there(repo, monkeypatch):
    sub = repo / "models" / "churn" / ".mlgov.yaml"
    sub.write_text("card:\n  required_fields: [sign_off, contact]\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "stricter for churn")
    git(repo, "update-ref", "refs/heads/base", "HEAD")
    sub.unlink()
    monkeypatch.chdir(repo / "models" / "churn")
    judgement = judge("base")
    assert judgement.policy.source == "base:models/churn/.mlgov.yaml"
    messages = [f.message for f in judge_policy(judgement) if f.status.value == "fail"]
    assert any("removed 'contact'" in m for m in messages)


def test_policy_option_is_read_at_the_ref(repo):
    (repo / "team.yaml").write_text("card:\n  required_fields: [sign_off, license]\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "team policy")
    git(repo, "update-ref", "refs/heads/base", "HEAD")
    (repo / "team.yaml").write_text("card:\n  required_fields: []\n")
    judgement = judge("base", "team.yaml")
    assert judgement.policy.source == "base:team.yaml"
    assert judgement.policy.section("card")["required_fields"] == ["sign_off", "license"]
    messages = [f.message for f in judge_policy(judgement) if f.status.value == "fail"]
    assert messages == ["the working tree's policy loosens the one at base: card.required_fields: "
                        "removed 'sign_off', 'license'"]


def test_policy_option_naming_a_file_the_ref_lacks_is_judged_by_the_ref_policy_there(repo):
    (repo / "mine.yaml").write_text("version: 1\n")
    judgement = judge("main", "mine.yaml")
    assert judgement.policy.source == "main:.mlgov.yaml"
    messages = [f.message for f in judge_policy(judgement) if f.status.value == "fail"]
    assert "the working tree's mine.yaml loosens main:.mlgov.yaml: card.required_fields: removed 'sign_off'" in messages


def test_unchanged_policy_passes(repo):
    code, report = card()
    assert loosened(report) == [("pass", "no loosening of the policy at main", ".mlgov.yaml")]


def test_invalid_policy_at_the_ref_is_a_policy_error(repo):
    (repo / ".mlgov.yaml").write_text("card:\n  nonsense: 1\n")
    git(repo, "commit", "-qam", "broken")
    git(repo, "update-ref", "refs/heads/base", "HEAD")
    r = CliRunner().invoke(main, ["card", "--policy-ref", "base", "models/churn/model_card.yaml"])
    assert r.exit_code == 2
    assert "base:.mlgov.yaml:2:3" in r.output and "unknown key 'card.nonsense'" in r.output


def test_option_like_ref_is_refused(repo):
    r = CliRunner().invoke(main, ["card", "--policy-ref", "--output=x", "models/churn/model_card.yaml"])
    assert r.exit_code == 2
    assert "unknown git ref" in r.output


def test_card_with_policy_ref_loads_no_gitpython_mlflow_or_jsonschema(repo, tmp_path):
    """REF is read with plain git; both policies are validated on every run, without jsonschema."""
    code = ("import sys; from mlgov_checks.cli.app import main\n"
            "try:\n    main(['card', '--policy-ref', 'main', 'models/churn/model_card.yaml'])\n"
            "except SystemExit:\n    pass\n"
            "print(sorted(m for m in ('git', 'mlflow', 'jsonschema') if m in sys.modules))")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    runs = [subprocess.run([sys.executable, "-c", code], cwd=repo, capture_output=True, text=True, env=env)
            for _ in range(2)]
    for run in runs:
        assert run.stdout.strip().splitlines()[-1] == "[]", run.stdout + run.stderr
    assert not (tmp_path / "cache").exists()
