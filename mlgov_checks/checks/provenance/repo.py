"""Provenance checks against the repository (`--repo`): the commit exists, is merged, was reviewed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from mlgov_checks.checks._base import Check, Context, check_from
from mlgov_checks.checks.provenance.run import Run as _Run
from mlgov_checks.checks.provenance.run import keys_text as _keys
from mlgov_checks.errors import RepositoryError
from mlgov_checks.findings import Finding
from mlgov_checks.integrations import gitrepo

# --- checks against the repository (--repo) -------------------------------------------------------

@dataclass(frozen=True)
class _Repo:
    path: str
    repo: gitrepo.Repository
    commit: gitrepo.CommitInfo | None


def _shallow_note(g: _Repo) -> str:
    return " (the repository is a shallow clone: fetch its full history)" if g.repo.is_shallow else ""


def _check_commit_exists(r: _Run, g: _Repo) -> Iterator[Finding]:
    """With `--repo PATH`: the recorded commit exists in that repository.

    `PATH` must be a git repository (its top level). If it cannot be opened (not a repository, no
    such directory) the gate could not evaluate the repository checks: one `error` finding here
    (exit 3) names the path, and `provenance-commit-protected`, `provenance-commit-author` and
    `provenance-repo-remote` are not reported. That is a broken gate configuration, not a finding
    about the model, so it is neither a pass nor a plain failure.
    """
    sha = r.commit()
    if sha is None:
        yield COMMIT_EXISTS.failed(r.target, f"no valid commit recorded: nothing to look up in {g.path}")
    elif g.commit is None:
        yield COMMIT_EXISTS.failed(r.target, f"commit {sha} is not in the repository {g.path}"
                                   + _shallow_note(g))
    else:
        yield COMMIT_EXISTS.passed(r.target, f"commit {sha} is in {g.path}")


def _check_commit_protected(r: _Run, g: _Repo) -> Iterator[Finding]:
    """With `--repo PATH`: the commit is reachable from the protected branch (it was merged).

    The branch is `provenance.protected_branch` (default `main`); the local branch and every
    remote-tracking `<remote>/main` count, so a CI checkout that fetched `origin/main` works. If
    neither exists in the repository the check could not be evaluated (`error`, exit 3): fetch the
    branch (in CI, check out with full history). When the commit itself is not in the repository
    the check is skipped with a warning; `provenance-commit-exists` already fails.
    """
    branch = r.conf["protected_branch"]
    if g.commit is None:
        yield COMMIT_PROTECTED.warned(r.target, "not checked: the commit is not in the repository")
        return
    refs = g.repo.branch_refs(branch)
    if not refs:
        yield COMMIT_PROTECTED.errored(
            r.target, f"branch {branch!r} is not in {g.path} "
            f"(no local branch, no remote-tracking */{branch})",
            hint=f"fetch it first: git fetch origin {branch}")
        return
    on = [ref for ref in refs if g.repo.is_reachable(g.commit.sha, ref)]
    if on:
        yield COMMIT_PROTECTED.passed(r.target, f"commit {g.commit.sha} is on {branch} ({on[0]})")
    else:
        yield COMMIT_PROTECTED.failed(
            r.target, f"commit {g.commit.sha} is not reachable from {branch} ({_keys(refs)})"
            + _shallow_note(g))


def _check_commit_author(r: _Run, g: _Repo) -> Iterator[Finding]:
    """With `--repo PATH`: the reviewer is not the author of the commit.

    The reviewer is compared, case-insensitively, with the commit author's name and with the local
    part of the author's email (`alice` matches `Alice <alice@corp.example>`; GitHub's
    `12345+alice@users.noreply.github.com` counts as `alice`).
    """
    reviewer = r.reviewer()
    if reviewer is None:
        yield COMMIT_AUTHOR.warned(r.target, "not checked: no code reviewer recorded")
    elif g.commit is None:
        yield COMMIT_AUTHOR.warned(r.target, "not checked: the commit is not in the repository")
    elif r.people.same(reviewer, g.commit.author_name) or r.people.same(reviewer, g.commit.author_email):
        author = f"{g.commit.author_name} <{g.commit.author_email}>"
        yield COMMIT_AUTHOR.failed(
            r.target, f"the reviewer {reviewer!r} is the author of commit {g.commit.sha[:12]} ({author})")
    else:
        yield COMMIT_AUTHOR.passed(r.target, f"reviewer {reviewer} did not author commit {g.commit.sha[:12]}")


def _check_repo_remote(r: _Run, g: _Repo) -> Iterator[Finding]:
    """With `--repo PATH`: the run's repository URL is one of that repository's remotes.

    Any remote and any of its URLs counts, compared in the normalised form described in
    `provenance-repo-url`. When the run records no URL or the repository has no remote, the result
    is "unknown" (a warning).
    """
    recorded = {u for _, u in r.repo_urls()}
    remotes = {name: {gitrepo.normalize_repo_url(u) for u in urls}
               for name, urls in g.repo.remote_urls().items()}
    if not recorded:
        yield REPO_REMOTE.warned(r.target, "unknown: the run records no repository URL")
    elif not remotes:
        yield REPO_REMOTE.warned(r.target, f"unknown: {g.path} has no remote")
    elif match := sorted(n for n, urls in remotes.items() if urls & recorded):
        yield REPO_REMOTE.passed(r.target, f"repository {', '.join(sorted(recorded))} is remote {match[0]}")
    else:
        listed = "; ".join(f"{n}: {', '.join(sorted(u))}" for n, u in sorted(remotes.items()))
        shown = ", ".join(sorted(recorded))
        yield REPO_REMOTE.failed(
            r.target, f"the run's repository {shown} is not a remote of {g.path} ({listed})")


COMMIT_EXISTS = check_from(_check_commit_exists, "provenance-commit-exists",
                           "Commit exists in the repository",
                           "pass --repo the repository the model was trained from, with full history")
COMMIT_PROTECTED = check_from(_check_commit_protected, "provenance-commit-protected",
                              "Commit is on the protected branch",
                              "merge the change into the protected branch and retrain from the merged commit")
COMMIT_AUTHOR = check_from(_check_commit_author, "provenance-commit-author",
                           "Reviewer did not author the commit",
                           "have someone other than the commit's author review the code")
REPO_REMOTE = check_from(_check_repo_remote, "provenance-repo-remote", "Run repository matches a remote",
                         "check that --repo is the repository the model was trained from")

CHECKS = (COMMIT_EXISTS, COMMIT_PROTECTED, COMMIT_AUTHOR, REPO_REMOTE)
CHECKS_BY_FUNC: dict[Any, Check] = {
    _check_commit_exists: COMMIT_EXISTS, _check_commit_protected: COMMIT_PROTECTED,
    _check_commit_author: COMMIT_AUTHOR, _check_repo_remote: REPO_REMOTE}
_REPO_CHECKS: tuple[Callable[[_Run, _Repo], Iterator[Finding]], ...] = (
    _check_commit_exists, _check_commit_protected, _check_commit_author, _check_repo_remote)


def evaluate(r: _Run, ctx: Context) -> Iterator[Finding]:
    """The repository checks, when `--repo` was given; the repository is opened once per command."""
    if ctx.repository is None:
        return
    repo = ctx.repository.path
    try:
        opened = ctx.repository.open()
    except RepositoryError as e:
        skipped = _keys([COMMIT_PROTECTED.id, COMMIT_AUTHOR.id, REPO_REMOTE.id])
        yield COMMIT_EXISTS.errored(r.target, f"cannot open the repository {e.message}; not checked: {skipped}",
                                    hint="pass --repo the top-level directory of a git checkout")
        return
    sha = r.commit()
    g = _Repo(path=repo, repo=opened, commit=opened.commit(sha) if sha else None)
    for repo_check in _REPO_CHECKS:
        try:
            found = list(repo_check(r, g))
        except RepositoryError as e:  # a damaged repository: say so, keep the other checks
            found = [CHECKS_BY_FUNC[repo_check].errored(r.target, e.message)]
        yield from found
