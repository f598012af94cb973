"""The README's governance walk-through, on the embedded store: train, two approvals, promote, audit."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlgov_checks.cli.app import main

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
POLICY = str(ROOT / "examples" / "train_policy.yaml")


def git(cwd, *args):
    subprocess.run(["git", "-c", "user.name=Ada", "-c", "user.email=ada@example.com", *args], cwd=cwd,
                   check=True, capture_output=True)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """Run examples/train_example.py from a clean checkout on main; its local store's URI."""
    repo = tmp_path_factory.mktemp("src") / "churn"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "train.py").write_text("# the training code\n")
    git(repo, "add", "train.py")
    git(repo, "commit", "-q", "-m", "Training code")
    git(repo, "remote", "add", "origin", "https://github.com/example/churn.git")
    store = tmp_path_factory.mktemp("store")
    proc = subprocess.run([sys.executable, str(ROOT / "examples" / "train_example.py"), "--store", str(store),
                           "--repo", str(repo)], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "registered models:/churn-example/1 (semantic_version 1.0.0)" in proc.stdout
    return f"sqlite:///{store / 'mlflow.db'}", repo


def mlgov(uri, *args, env=None):
    result = CliRunner(env=env).invoke(main, [*args, "--tracking-uri", uri])
    assert "Traceback" not in result.output, result.output
    return result


def test_the_walkthrough(trained):
    uri, repo = trained
    target = "models:/churn-example/1"
    first = mlgov(uri, "check", target, "--policy", POLICY, "--repo", str(repo), "-f", "json")
    failing = {f["check"] for f in json.loads(first.stdout)["findings"] if f["status"] == "fail"}
    assert first.exit_code == 1 and failing == {"approval-quorum", "evidence-approval"}

    assert mlgov(uri, "approve", target, "--as", "bob", "--comment", "x", "--policy", POLICY).exit_code == 1
    early = mlgov(uri, "promote", target, "--alias", "champion", "--as", "rita", "--policy", POLICY)
    assert early.exit_code == 1 and "approval-quorum" in early.output
    for who in ("carol", "dave"):
        approved = mlgov(uri, "approve", target, "--as", who, "--comment", "card and metrics reviewed",
                         "--policy", POLICY)
        assert approved.exit_code == 0, approved.output

    checked = mlgov(uri, "check", target, "--policy", POLICY, "--repo", str(repo), "--record",
                    env={"GITHUB_ACTOR": "rita"})
    assert checked.exit_code == 0, checked.output
    promoted = mlgov(uri, "promote", target, "--alias", "champion", "--as", "rita", "--policy", POLICY)
    assert promoted.exit_code == 0, promoted.output

    decisions = json.loads(mlgov(uri, "decisions", "churn-example", "-f", "json").stdout)["decisions"]
    assert [(d["action"], d["to"], d["actor"]) for d in decisions] == [
        ("record", "status:pass", "rita"), ("promote", "@champion", "rita")]
    audit = mlgov(uri, "audit", "churn-example", "-f", "json", "--evaluate", "--policy", POLICY)
    assert audit.exit_code == 0, audit.output
    (row,) = json.loads(audit.stdout)["versions"]
    assert row["aliases"] == ["champion"] and row["approvals"] == ["carol", "dave"]
    assert row["recorded_status"] == "pass" and row["status_now"] == "pass" and row["bypassed"] == []
    assert row["semantic_version"] == "1.0.0" and row["reviewer"] == "bob"
    assert mlgov(uri, "next-version", "churn-example").stdout.strip() == "1.1.0"
