"""--policy-ref: the policy at a git ref judges; the working tree's loosening is a finding."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from mlgov_checks.cli.app import main
from mlgov_checks.errors import PolicyError
from mlgov_checks.policy import strictness
from mlgov_checks.policy.load import policy_from_mapping
from mlgov_checks.policy.ref import judge
from tests.conftest import CARDS, git

BASE = """\
card:
  required_fields: [owners]
metrics:
  thresholds:
    accuracy: {min: 0.85}
    drift_score: {max: 0.1}
"""


@pytest.fixture
def repo(git_repo, monkeypatch):
    (git_repo / ".mlgov.yaml").write_text(BASE)
    (git_repo / "model_card.yaml").write_text((CARDS / "ok_template.yaml").read_text())
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-qm", "policy")
    git(git_repo, "checkout", "-qb", "feature")
    monkeypatch.chdir(git_repo)
    return git_repo


def test_policy_at_ref_is_read_from_git(repo):
    (repo / ".mlgov.yaml").write_text("card:\n  required_fields: []\n")
    policy = judge("main").policy
    assert policy.source == "main:.mlgov.yaml"
    assert policy.section("card")["required_fields"] == ["owners"]


def test_loosening_in_the_working_tree_fails_the_gate(repo):
    (repo / ".mlgov.yaml").write_text(BASE.replace("[owners]", "[]").replace("0.85", "0.5")
                                      + "waivers:\n  - {check: card-placeholder, target: '*', reason: x,"
                                        " approved_by: me, expires: 2099-01-01}\n")
    r = CliRunner().invoke(main, ["card", "--policy-ref", "main", "--format", "json", "model_card.yaml"])
    assert r.exit_code == 1, r.output
    messages = [f["message"] for f in json.loads(r.output)["findings"] if f["check"] == "policy-loosened"]
    assert any("metrics.thresholds.accuracy.min lowered from 0.85 to 0.5" in m for m in messages)
    assert any("card.required_fields: removed 'owners'" in m for m in messages)
    assert any("waivers: added {\"approved_by\": \"me\", \"check\": \"card-placeholder\"" in m for m in messages)


def test_tightening_passes_and_base_policy_judges(repo):
    (repo / ".mlgov.yaml").write_text(BASE.replace("0.85", "0.9"))
    r = CliRunner().invoke(main, ["card", "--policy-ref", "main", "model_card.yaml"])
    assert r.exit_code == 0, r.output


def test_unknown_ref_is_a_policy_error(repo):
    with pytest.raises(PolicyError, match="unknown git ref 'origin/nope'"):
        judge("origin/nope").policy
    r = CliRunner().invoke(main, ["card", "--policy-ref", "origin/nope", "model_card.yaml"])
    assert r.exit_code == 2


def test_missing_policy_at_ref_means_defaults(git_repo, monkeypatch):
    (git_repo / "README").write_text("x")
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-qm", "init")
    monkeypatch.chdir(git_repo)
    assert judge("main").policy.source == "main:(defaults)"


@pytest.mark.parametrize(("head", "expected"), (
    ({"metrics": {"thresholds": {"accuracy": {"min": 0.8}}}}, ["metrics.thresholds.drift_score was removed"]),
    ({"metrics": {"thresholds": {"accuracy": {"min": 0.8}, "drift_score": {"max": 0.2}}}},
     ["metrics.thresholds.drift_score.max raised from 0.1 to 0.2"]),
    ({"evidence": {"approval": "none"}}, ["evidence.approval weakened from 'either' to 'none'"]),
    ({"provenance": {"require_clean_tree": False}},
     ["provenance.require_clean_tree turned off"]),
    ({"evidence": {"artifacts": ["documentation/model_card.yaml"]}},
     ["evidence.artifacts: removed 'validation/report.txt'"]),
    ({"provenance": {"review": {"accepted_status": ["approved", "pending"]}}},
     ["provenance.review.accepted_status: added 'pending'"]),
    ({"metrics": {"thresholds": {"accuracy": {"min": 0.9}, "drift_score": {"max": 0.05}}}}, []),
))
def test_loosenings(head, expected):
    base = policy_from_mapping({})
    assert list(strictness.loosenings(base.data, policy_from_mapping(head).data)) == expected
