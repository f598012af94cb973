"""Provenance `--repo` checks and git helpers against real repositories built with gitpython."""

import os
import subprocess
import sys
from dataclasses import dataclass

import git
import pytest

from mlgov_checks.checks import provenance
from mlgov_checks.checks._base import Context
from mlgov_checks.findings import Status
from mlgov_checks.integrations import gitrepo
from mlgov_checks.integrations.gitrepo import LazyRepository
from mlgov_checks.policy.load import default_policy, policy_from_mapping
from mlgov_checks.records import RunRecord

ALICE = git.Actor("Alice Author", "alice@example.com")
ROBOT = git.Actor("CI Robot", "12345+robot@users.noreply.github.com")
REPO_CHECKS = ("provenance-commit-exists", "provenance-commit-protected", "provenance-commit-author",
               "provenance-repo-remote")


def commit_file(repo, name, text, author=ALICE):
    path = os.path.join(repo.working_tree_dir, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as fh:
        fh.write(text)
    repo.index.add([name])
    return repo.index.commit(f"add {name}", author=author, committer=author).hexsha


@dataclass
class Repos:
    origin: git.Repo  # the working repository: local main and an unmerged feature branch, no remote
    bare: str  # a bare copy of it
    clone: git.Repo  # cloned from the bare one: refs/remotes/origin/*, local main deleted
    on_main: str
    on_feature: str
    by_robot: str


@pytest.fixture(scope="module")
def repos(tmp_path_factory):
    base = tmp_path_factory.mktemp("git")
    origin = git.Repo.init(base / "origin", initial_branch="main")
    commit_file(origin, "train.py", "print('v1')\n")
    by_robot = commit_file(origin, "README.md", "docs\n", author=ROBOT)
    on_main = commit_file(origin, "train.py", "print('v2')\n")
    origin.create_head("feature").checkout()
    on_feature = commit_file(origin, "train.py", "print('unreviewed')\n")
    origin.heads.main.checkout()
    bare = str(base / "bare.git")
    git.Repo.clone_from(str(base / "origin"), bare, bare=True)
    clone = git.Repo.clone_from(bare, base / "clone")
    clone.git.checkout("--detach")
    clone.delete_head("main", force=True)  # only refs/remotes/origin/main is left
    return Repos(origin, bare, clone, on_main, on_feature, by_robot)


def run_for(sha, *, reviewer="bob", url=None):
    tags = {"mlflow.source.git.commit": sha, "mlflow.user": "carol"}
    if url:
        tags["mlflow.source.git.repoURL"] = url
    return RunRecord(run_id="r1", tags=tags, params={"code_reviewer": reviewer} if reviewer else {})


def repo_findings(run, path, policy=None):
    found = provenance.evaluate(run, Context(policy or default_policy(), target="runs:/r1",
                                                 repository=LazyRepository(str(path))))
    return {f.check: (f.status, f.message) for f in found if f.check in REPO_CHECKS}


def test_commit_on_main_passes(repos):
    result = repo_findings(run_for(repos.on_main), repos.origin.working_tree_dir)
    path = repos.origin.working_tree_dir
    assert result["provenance-commit-exists"] == (Status.PASS, f"commit {repos.on_main} is in {path}")
    assert result["provenance-commit-protected"] == (
        Status.PASS, f"commit {repos.on_main} is on main (refs/heads/main)")
    assert result["provenance-commit-author"][0] is Status.PASS


def test_older_commit_on_main_is_reachable(repos):
    result = repo_findings(run_for(repos.by_robot, reviewer="alice"), repos.origin.working_tree_dir)
    assert result["provenance-commit-protected"][0] is Status.PASS


def test_unmerged_feature_commit_fails(repos):
    result = repo_findings(run_for(repos.on_feature), repos.origin.working_tree_dir)
    assert result["provenance-commit-exists"][0] is Status.PASS
    assert result["provenance-commit-protected"] == (
        Status.FAIL, f"commit {repos.on_feature} is not reachable from main (refs/heads/main)")


def test_remote_tracking_branch_counts(repos):
    path = repos.clone.working_tree_dir
    assert "main" not in [h.name for h in repos.clone.heads]
    result = repo_findings(run_for(repos.on_main), path)
    assert result["provenance-commit-protected"] == (
        Status.PASS, f"commit {repos.on_main} is on main (refs/remotes/origin/main)")
    result = repo_findings(run_for(repos.on_feature), path)
    assert result["provenance-commit-protected"][0] is Status.FAIL
    assert "refs/remotes/origin/main" in result["provenance-commit-protected"][1]


def test_protected_branch_from_policy(repos):
    policy = policy_from_mapping({"provenance": {"protected_branch": "feature"}})
    result = repo_findings(run_for(repos.on_feature), repos.clone.working_tree_dir, policy)
    assert result["provenance-commit-protected"] == (
        Status.PASS, f"commit {repos.on_feature} is on feature (refs/remotes/origin/feature)")


def test_missing_protected_branch_is_an_error(repos):
    policy = policy_from_mapping({"provenance": {"protected_branch": "release"}})
    result = repo_findings(run_for(repos.on_main), repos.origin.working_tree_dir, policy)
    status, message = result["provenance-commit-protected"]
    assert status is Status.ERROR
    assert "branch 'release' is not in" in message and "remote-tracking */release" in message


@pytest.mark.parametrize(("sha_attr", "reviewer", "ok"), (
    ("on_main", "alice", False),  # the email's local part
    ("on_main", "ALICE AUTHOR", False),  # the name, any case
    ("on_main", "alice@corp.example", False),
    ("on_main", "bob", True),
    ("by_robot", "robot", False),  # GitHub's numbered noreply address
    ("by_robot", "alice", True),
))
def test_reviewer_is_not_the_commit_author(repos, sha_attr, reviewer, ok):
    sha = getattr(repos, sha_attr)
    status, message = repo_findings(run_for(sha, reviewer=reviewer), repos.origin.working_tree_dir)[
        "provenance-commit-author"]
    assert status is (Status.PASS if ok else Status.FAIL), message
    if not ok:
        assert message.startswith(f"the reviewer {reviewer!r} is the author of commit {sha[:12]}")


def test_no_reviewer_author_not_checked(repos):
    result = repo_findings(run_for(repos.on_main, reviewer=None), repos.origin.working_tree_dir)
    assert result["provenance-commit-author"] == (Status.WARN, "not checked: no code reviewer recorded")


@pytest.mark.parametrize(("url", "status"), (
    ("BARE", Status.PASS),
    ("file://BARE", Status.PASS),
    ("BARE/", Status.PASS),
    ("git@github.com:acme/churn.git", Status.FAIL),
    (None, Status.WARN),
))
def test_repo_url_matches_a_remote(repos, url, status):
    url = url.replace("BARE", repos.bare) if url else None
    result = repo_findings(run_for(repos.on_main, url=url), repos.clone.working_tree_dir)
    assert result["provenance-repo-remote"][0] is status, result["provenance-repo-remote"]
    if status is Status.FAIL:
        assert "github.com/acme/churn is not a remote of" in result["provenance-repo-remote"][1]
        assert "origin: " in result["provenance-repo-remote"][1]


def test_repo_without_remote_is_unknown(repos):
    result = repo_findings(run_for(repos.on_main, url="https://github.com/acme/churn"),
                           repos.origin.working_tree_dir)
    assert result["provenance-repo-remote"][0] is Status.WARN
    assert "has no remote" in result["provenance-repo-remote"][1]


def test_unknown_commit(repos):
    result = repo_findings(run_for("f" * 40), repos.origin.working_tree_dir)
    assert result["provenance-commit-exists"][0] is Status.FAIL
    assert "is not in the repository" in result["provenance-commit-exists"][1]
    assert result["provenance-commit-protected"] == (
        Status.WARN, "not checked: the commit is not in the repository")
    assert result["provenance-commit-author"][0] is Status.WARN


def test_tree_sha_is_not_a_commit(repos):
    tree = repos.origin.commit(repos.on_main).tree.hexsha
    result = repo_findings(run_for(tree), repos.origin.working_tree_dir)
    assert result["provenance-commit-exists"] == (
        Status.FAIL, f"commit {tree} is not in the repository {repos.origin.working_tree_dir}")


def test_invalid_recorded_commit(repos):
    result = repo_findings(run_for("abc123"), repos.origin.working_tree_dir)
    assert result["provenance-commit-exists"][0] is Status.FAIL
    assert "no valid commit recorded" in result["provenance-commit-exists"][1]


def test_shallow_clone_is_named(repos, tmp_path):
    shallow = git.Repo.clone_from(f"file://{repos.bare}", tmp_path / "shallow", depth=1)
    result = repo_findings(run_for(repos.by_robot), shallow.working_tree_dir)
    assert result["provenance-commit-exists"][0] is Status.FAIL
    assert "shallow clone" in result["provenance-commit-exists"][1]


@pytest.mark.parametrize("kind", ("plain_dir", "missing", "file"))
def test_not_a_repository_is_one_error(repos, tmp_path, kind):
    path = tmp_path / "x"
    if kind == "plain_dir":
        path.mkdir()
    elif kind == "file":
        path.write_text("not a repo")
    run = run_for(repos.on_main)
    found = list(provenance.evaluate(run, Context(default_policy(), target="runs:/r1",
                                                      repository=LazyRepository(str(path)))))
    repo_found = [f for f in found if f.check in REPO_CHECKS]
    assert [(f.check, f.status) for f in repo_found] == [("provenance-commit-exists", Status.ERROR)]
    assert str(path) in repo_found[0].message
    assert "not checked: provenance-commit-protected" in repo_found[0].message
    assert len(found) == 9  # the eight run checks still report


def test_subdirectory_is_not_the_repository(repos):
    sub = os.path.join(repos.origin.working_tree_dir, "sub")
    os.makedirs(sub, exist_ok=True)
    result = repo_findings(run_for(repos.on_main), sub)
    assert result["provenance-commit-exists"][0] is Status.ERROR


# --- tracked_files --------------------------------------------------------------------------------------

def test_tracked_files(tmp_path):
    repo = git.Repo.init(tmp_path / "r", initial_branch="main")
    for name in ("model_card.yaml", "models/a/model_card.yml", "models/b/model_card.yaml", "other.yaml",
                 "models/c/gone/model_card.yaml"):
        commit_file(repo, name, "purpose: x\n")
    os.remove(tmp_path / "r" / "models/c/gone/model_card.yaml")  # deleted, not yet committed
    (tmp_path / "r" / "models" / "untracked").mkdir()
    (tmp_path / "r" / "models" / "untracked" / "model_card.yaml").write_text("x: 1\n")
    names = ("model_card.yaml", "model_card.yml")
    assert gitrepo.tracked_files(names, str(tmp_path / "r")) == [
        "model_card.yaml", "models/a/model_card.yml", "models/b/model_card.yaml"]
    assert gitrepo.tracked_files(names, str(tmp_path / "r" / "models")) == [
        "a/model_card.yml", "b/model_card.yaml"]
    assert gitrepo.tracked_files(("models/*/model_card.yml",), str(tmp_path / "r")) == [
        "models/a/model_card.yml"]
    assert gitrepo.tracked_files((), str(tmp_path / "r")) == []


def test_tracked_files_outside_git(tmp_path):
    (tmp_path / "model_card.yaml").write_text("x: 1\n")
    assert gitrepo.tracked_files(("model_card.yaml",), str(tmp_path)) is None
    assert gitrepo.tracked_files(("model_card.yaml",), str(tmp_path / "missing")) is None


def test_git_is_imported_lazily():
    code = ("import sys, os\n"
            "from mlgov_checks.integrations import gitrepo\n"
            "from mlgov_checks.checks import provenance, metrics\n"
            "gitrepo.tracked_files(('model_card.yaml',), os.getcwd())\n"
            "print('git' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- describe_worktree ----------------------------------------------------------------------------------

def test_describe_worktree(tmp_path):
    repo = git.Repo.init(tmp_path / "w", initial_branch="main")
    sha = commit_file(repo, "train.py", "x = 1\n")
    repo.create_remote("origin", "https://user:s3cret@github.com/acme/churn.git")
    repo.create_remote("backup", "git@backup.example:acme/churn.git")
    sub = tmp_path / "w" / "src"
    sub.mkdir()
    assert gitrepo.describe_worktree(str(sub)) == {
        "commit": sha, "branch": "main", "repo_url": "https://github.com/acme/churn.git", "dirty": False}
    (tmp_path / "w" / "notes.txt").write_text("untracked\n")
    assert gitrepo.describe_worktree(str(tmp_path / "w"))["dirty"] is True
    os.remove(tmp_path / "w" / "notes.txt")
    (tmp_path / "w" / "train.py").write_text("x = 2\n")
    assert gitrepo.describe_worktree(str(tmp_path / "w"))["dirty"] is True
    repo.git.checkout("--", "train.py")
    repo.git.checkout("--detach")
    assert gitrepo.describe_worktree(str(tmp_path / "w"))["branch"] is None


def test_describe_worktree_ignored_files_are_clean(tmp_path):
    repo = git.Repo.init(tmp_path / "w", initial_branch="main")
    commit_file(repo, ".gitignore", "*.log\n")
    (tmp_path / "w" / "train.log").write_text("noise\n")
    info = gitrepo.describe_worktree(str(tmp_path / "w"))
    assert info["dirty"] is False and info["repo_url"] is None


def test_describe_worktree_before_first_commit_and_outside_git(tmp_path):
    git.Repo.init(tmp_path / "empty", initial_branch="main")
    assert gitrepo.describe_worktree(str(tmp_path / "empty"))["commit"] is None
    (tmp_path / "plain").mkdir()
    with pytest.raises(gitrepo.RepositoryError, match="not a git repository"):
        gitrepo.describe_worktree(str(tmp_path / "plain"))
