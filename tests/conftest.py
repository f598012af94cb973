"""Shared fixtures: an isolated cache, card files, real git repositories."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import NoReturn

import pytest

DATA = Path(__file__).parent / "data"
CARDS = DATA / "cards"
REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """No test reads or writes the user's cache directory (mlgov keeps nothing there: a test says so)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    for name in ("GITHUB_WORKSPACE", "GITHUB_WORKFLOW_REF", "CI_PROJECT_DIR", "GITLAB_CI", "MLGOV_JUNIT_FLAVOR"):
        monkeypatch.delenv(name, raising=False)  # they decide where reports point


@pytest.fixture
def card_file(tmp_path):
    """Write a card (text or bytes) to tmp_path/model_card.yaml and return its path."""

    def write(content: str | bytes, name: str = "model_card.yaml") -> Path:
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8")
        return p

    return write


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Ada", "GIT_AUTHOR_EMAIL": "ada@example.com",
           "GIT_COMMITTER_NAME": "Ada", "GIT_COMMITTER_EMAIL": "ada@example.com"}
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env=env).stdout


@pytest.fixture
def git_repo(tmp_path):
    """A real, empty git repository on branch main."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    return repo


def tool_missing(message: str) -> NoReturn:
    """A tool a test needs is missing: a skip on a laptop, a failure under CI (CI must run every area)."""
    if os.environ.get("CI"):
        pytest.fail(f"{message} (under CI: scripts/install-test-deps.sh installs it)")
    pytest.skip(message)
