"""Packaging: the hooks as users run them, through the real `pre-commit`."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
import yaml

from tests.conftest import CARDS, REPO_ROOT, git, tool_missing


@pytest.fixture(autouse=True)
def _pre_commit_installed():
    """Without pre-commit these tests cannot run: a skip on a laptop, a failure in CI."""
    if shutil.which("pre-commit") is None:
        tool_missing("pre-commit is not installed")

HOOKS = yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text())


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory):
    return tmp_path_factory.mktemp("pre-commit-home")


def try_repo(work, home, hook, *files):
    return subprocess.run(
        ["pre-commit", "try-repo", str(REPO_ROOT), hook, "--verbose", "--color", "never", "--files", *files],
        cwd=work, capture_output=True, text=True, timeout=600,
        env={**__import__("os").environ, "PRE_COMMIT_HOME": str(home)},
    )


@pytest.fixture
def work(git_repo):
    (git_repo / "good").mkdir()
    (git_repo / "bad").mkdir()
    shutil.copy(CARDS / "ok_template.yaml", git_repo / "good" / "model_card.yaml")
    shutil.copy(CARDS / "bad_placeholder.yaml", git_repo / "bad" / "model_card.yaml")
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-qm", "cards")
    return git_repo


def test_hook_passes_a_good_card(work, pre_commit_home):
    proc = try_repo(work, pre_commit_home, "mlgov-card", "good/model_card.yaml")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Passed" in proc.stdout


def test_hook_fails_a_bad_card_at_its_line(work, pre_commit_home):
    proc = try_repo(work, pre_commit_home, "mlgov-card", "good/model_card.yaml", "bad/model_card.yaml")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Failed" in proc.stdout
    assert "bad/model_card.yaml:7:14: card-placeholder" in proc.stdout


def test_policy_hook(work, pre_commit_home):
    (work / ".mlgov.yaml").write_text("metrics:\n  thresholds:\n    accuracy: {min: 0.8}\n")
    ok = try_repo(work, pre_commit_home, "mlgov-policy", ".mlgov.yaml")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    (work / ".mlgov.yaml").write_text("metrics:\n  treshold: 1\n")
    bad = try_repo(work, pre_commit_home, "mlgov-policy", ".mlgov.yaml")
    assert bad.returncode != 0
    assert ".mlgov.yaml:2:3: unknown key 'metrics.treshold'" in bad.stdout


@pytest.mark.parametrize(("hook_id", "matches", "misses"), (
    ("mlgov-card", ["model_card.yaml", "a/b/model_card.yml", "model_card.json", "modelcard.yaml", "model-card.yml",
                    "models/churn_model_card.json", "fraud-model-card.yaml", "README.md", "hub/bert/README.md",
                    "Model_Card.YAML"],
     ["model_card.yaml.bak", "model_card_template.yaml", "notes.md", "README.md.orig", "cards.yaml"]),
    ("mlgov-policy", [".mlgov.yaml", "sub/.mlgov.yml"], ["x.mlgov.yaml", ".mlgov.yaml.orig"]),
))
def test_hook_file_patterns(hook_id, matches, misses):
    hook = next(h for h in HOOKS if h["id"] == hook_id)
    pattern = re.compile(hook["files"])
    assert all(pattern.search(p) for p in matches)
    assert not any(pattern.search(p) for p in misses)


def test_card_hook_matches_what_discovery_looks_for():
    from mlgov_checks.cards import discovery

    hook = next(h for h in HOOKS if h["id"] == "mlgov-card")
    assert hook["files"] == discovery.HOOK_FILES == discovery.NAME.pattern


def test_readme_documents_every_hook():
    readme = (REPO_ROOT / "README.md").read_text()
    for hook in HOOKS:
        assert f"id: {hook['id']}" in readme
