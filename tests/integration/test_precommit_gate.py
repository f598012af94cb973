"""The gate as a pre-commit hook: `pre-commit try-repo . mlgov-check --hook-stage manual`, for real."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.conftest import REPO_ROOT, git, tool_missing

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory):
    if shutil.which("pre-commit") is None:
        tool_missing("pre-commit is not installed")
    return tmp_path_factory.mktemp("pre-commit-home")


def gate_hook(repo, home, url):
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "MLFLOW_TRACKING_URI": url, "NO_COLOR": "1"}
    return subprocess.run(
        ["pre-commit", "try-repo", str(REPO_ROOT), "mlgov-check", "--hook-stage", "manual", "--verbose",
         "--color", "never", "--all-files"],
        cwd=repo, capture_output=True, text=True, timeout=900, env=env)


@pytest.fixture
def project(git_repo):
    def with_targets(*targets: str):
        lines = "".join(f"  - {t}\n" for t in targets)
        (git_repo / ".mlgov.yaml").write_text(f"version: 1\ntargets:\n{lines}", encoding="utf-8")
        git(git_repo, "add", ".")
        git(git_repo, "commit", "-qm", "policy", "--allow-empty")
        return git_repo

    return with_targets


def test_the_gate_hook_passes_the_policy_targets(project, pre_commit_home, store):
    proc = gate_hook(project("models:/gov-compliant/1"), pre_commit_home, store.url)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "mlgov model gate" in proc.stdout and "Passed" in proc.stdout
    assert "mlgov check: compliant — 1 target" in proc.stdout


def test_the_gate_hook_fails_a_non_compliant_target(project, pre_commit_home, store):
    proc = gate_hook(project("models:/gov-compliant/1", "models:/gov-low-accuracy/1"), pre_commit_home, store.url)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Failed" in proc.stdout
    assert "models:/gov-low-accuracy/1" in proc.stdout and "metrics-threshold" in proc.stdout


def test_the_gate_hook_runs_only_when_asked(project, pre_commit_home, store):
    """Not a commit hook: at the pre-commit stage there is no such hook, and no gate runs."""
    repo = project("models:/gov-low-accuracy/1")
    env = {**os.environ, "PRE_COMMIT_HOME": str(pre_commit_home), "MLFLOW_TRACKING_URI": store.url}
    proc = subprocess.run(["pre-commit", "try-repo", str(REPO_ROOT), "mlgov-check", "--all-files", "--color", "never"],
                          cwd=repo, capture_output=True, text=True, timeout=900, env=env)
    assert "No hook with id `mlgov-check` in stage `pre-commit`" in proc.stdout, proc.stdout + proc.stderr
    assert "mlgov check:" not in proc.stdout
