"""Provenance checks: the run records a reviewed commit, from a clean tree, on the protected branch."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

from mlgov_checks.checks._base import Context, check_from
from mlgov_checks.checks.provenance import repo as provenance_repo
from mlgov_checks.checks.provenance.run import FALSE_VALUES, SHA, TRUE_VALUES, in_future, parse_review_date
from mlgov_checks.checks.provenance.run import Run as _Run
from mlgov_checks.checks.provenance.run import keys_text as _keys
from mlgov_checks.findings import Finding
from mlgov_checks.governance import identity
from mlgov_checks.records import RunRecord

# --- checks on what the run records ---------------------------------------------------------------

def _check_commit(r: _Run) -> Iterator[Finding]:
    """The run records the full git commit it was trained from.

    Looked up in `provenance.commit_keys`, in order (tags first, then params of the same name;
    defaults `mlflow.source.git.commit`, which MLflow sets itself, and `git_commit`). The value must
    be a full 40-hex SHA: an abbreviated SHA, a branch name or `HEAD` does not identify the code. When
    several keys are recorded they must name the same commit.
    """
    keys = r.conf["commit_keys"]
    found = r.recorded(keys)
    if not found:
        yield COMMIT.failed(r.target, f"no git commit recorded (looked for {_keys(keys)})")
        return
    bad = [(k, v) for k, v in found if not SHA.fullmatch(v)]
    for k, v in bad:
        yield COMMIT.failed(r.target, f"{k}={v!r} is not a full 40-hex commit SHA")
    if bad:
        return
    if len({v.lower() for _, v in found}) > 1:
        listed = ", ".join(f"{k}={v}" for k, v in found)
        yield COMMIT.failed(r.target, f"the recorded commits disagree: {listed}")
        return
    yield COMMIT.passed(r.target, f"commit {found[0][1].lower()} ({found[0][0]})")


def _check_branch(r: _Run) -> Iterator[Finding]:
    """The run records the git branch it was trained from.

    Looked up in `provenance.branch_keys` (defaults `mlflow.source.git.branch`, `git_branch` and
    MLflow's legacy `mlflow.gitBranchName`). `HEAD` is refused: it means a detached checkout, which
    names no branch.
    """
    keys = r.conf["branch_keys"]
    found = r.recorded(keys)
    if not found:
        yield BRANCH.failed(r.target, f"no git branch recorded (looked for {_keys(keys)})")
    elif found[0][1] == "HEAD":
        yield BRANCH.failed(r.target, f"{found[0][0]}='HEAD': a detached checkout names no branch")
    else:
        yield BRANCH.passed(r.target, f"branch {found[0][1]} ({found[0][0]})")


def _check_repo_url(r: _Run) -> Iterator[Finding]:
    """The repository URLs the run records agree with each other.

    Looked up in `provenance.repo_url_keys` (defaults `mlflow.source.git.repoURL`, `git_repo_url`,
    MLflow's legacy `mlflow.gitRepoURL`). URLs are compared after normalising: ssh
    (`git@host:org/repo.git`, `ssh://...`) and https forms, user info, port, a trailing `.git` or `/`
    and letter case are ignored, so `git@github.com:org/repo.git` equals `https://github.com/org/repo`.
    Nothing recorded is reported as unknown (a warning, never a failure). With `--repo`,
    `provenance-repo-remote` also compares the URL with the repository's remotes.
    """
    keys = r.conf["repo_url_keys"]
    found = r.repo_urls()
    if not found:
        yield REPO_URL.warned(r.target, f"unknown: no repository URL recorded (looked for {_keys(keys)})")
    elif len({u for _, u in found}) > 1:
        listed = ", ".join(f"{k}={u}" for k, u in found)
        yield REPO_URL.failed(r.target, f"the recorded repository URLs disagree: {listed}")
    else:
        yield REPO_URL.passed(r.target, f"repository {found[0][1]} ({found[0][0]})")


def _check_clean_tree(r: _Run) -> Iterator[Finding]:
    """The run was trained from a clean working tree: the code is exactly the recorded commit.

    Read from `provenance.dirty_keys` (defaults `mlgov.git.dirty`, `git_dirty`; true/1/yes/dirty or
    false/0/no/clean, any case). A dirty tree fails when `provenance.require_clean_tree` is true (the
    default) and warns otherwise; a value that is neither fails. MLflow itself does not record this,
    so when no key is present the result is "unknown": a warning, never a silent pass.
    """
    keys = r.conf["dirty_keys"]
    found = r.recorded(keys)
    if not found:
        yield CLEAN_TREE.warned(r.target, "unknown: nothing records whether the working tree was clean "
                                f"(looked for {_keys(keys)})")
        return
    bad = [(k, v) for k, v in found if v.casefold() not in TRUE_VALUES | FALSE_VALUES]
    if bad:
        for k, v in bad:
            yield CLEAN_TREE.failed(r.target, f"{k}={v!r} is neither true nor false")
        return
    dirty = [k for k, v in found if v.casefold() in TRUE_VALUES]
    if not dirty:
        yield CLEAN_TREE.passed(r.target, f"clean working tree ({found[0][0]})")
    elif r.conf["require_clean_tree"]:
        yield CLEAN_TREE.failed(r.target, f"trained from a dirty working tree ({dirty[0]})")
    else:
        yield CLEAN_TREE.warned(
            r.target, f"trained from a dirty working tree ({dirty[0]}); allowed: require_clean_tree is false")


def _check_reviewer(r: _Run) -> Iterator[Finding]:
    """The run names who reviewed its code.

    The tag or param `provenance.review.reviewer_key` (default `code_reviewer`) must be non-blank.
    """
    key = r.review["reviewer_key"]
    reviewer = r.reviewer()
    if reviewer is None:
        yield REVIEWER.failed(r.target, f"no code reviewer recorded ({key})")
    else:
        yield REVIEWER.passed(r.target, f"reviewed by {reviewer} ({key})")


def _check_review_status(r: _Run) -> Iterator[Finding]:
    """The code review was accepted.

    The tag or param `provenance.review.status_key` (default `review_status`) must equal one of
    `provenance.review.accepted_status` (default `approved`), compared case-insensitively and trimmed.
    """
    key, accepted = r.review["status_key"], r.review["accepted_status"]
    found = r.recorded([key])
    if not found:
        yield REVIEW_STATUS.failed(r.target, f"no review status recorded ({key})")
    elif found[0][1].casefold() not in {a.strip().casefold() for a in accepted}:
        yield REVIEW_STATUS.failed(
            r.target, f"{key}={found[0][1]!r} is not an accepted status ({', '.join(accepted)})")
    else:
        yield REVIEW_STATUS.passed(r.target, f"{key}={found[0][1]}")


def _check_review_date(r: _Run) -> Iterator[Finding]:
    """The code review has a real date that is not in the future.

    The tag or param `provenance.review.date_key` (default `review_date`) must be an ISO 8601 date
    (`2024-05-31`) or date-time (`2024-05-31T14:00:00Z`, `2024-05-31 14:00+02:00`) that exists on
    the calendar. It must not be after the time of the check. A value without a UTC offset (a bare
    date, or a time without `Z`/`+hh:mm`) is in an unknown time zone, so it only counts as future
    when it is in the future everywhere (later than now in UTC+14).
    """
    key = r.review["date_key"]
    found = r.recorded([key])
    if not found:
        yield REVIEW_DATE.failed(r.target, f"no review date recorded ({key})")
        return
    value = parse_review_date(found[0][1])
    if value is None:
        yield REVIEW_DATE.failed(
            r.target, f"{key}={found[0][1]!r} is not a date (ISO 8601: 2024-05-31 or 2024-05-31T14:00:00Z)")
    elif in_future(value, r.now):
        yield REVIEW_DATE.failed(
            r.target, f"{key}={found[0][1]} is in the future (now {r.now.isoformat(timespec='seconds')})")
    else:
        yield REVIEW_DATE.passed(r.target, f"reviewed on {found[0][1]}")


def _check_separation(r: _Run) -> Iterator[Finding]:
    """Separation of duties: the reviewer is not the person who ran the training.

    The reviewer (`provenance.review.reviewer_key`) is compared with the run's author: the
    `mlflow.user` tag and the run's user, case-insensitively and trimmed; for an email address its
    local part counts too (`alice@corp.example` is `alice`). When the reviewer or the author is not
    recorded the result is "not checked" (a warning); the missing reviewer fails `provenance-reviewer`.
    """
    reviewer = r.reviewer()
    authors = r.authors()
    if reviewer is None:
        yield SEPARATION.warned(r.target, "not checked: no code reviewer recorded")
    elif not authors:
        yield SEPARATION.warned(r.target, "unknown: the run records no author (mlflow.user)")
    elif clash := [f"{k}={v!r}" for k, v in authors if r.people.same(v, reviewer)]:
        yield SEPARATION.failed(r.target, f"the reviewer {reviewer!r} is the run's author ({clash[0]})")
    else:
        yield SEPARATION.passed(r.target, f"reviewer {reviewer} is not the author {authors[0][1]}")


COMMIT = check_from(_check_commit, "provenance-commit", "Git commit recorded",
                    "run training from a git checkout with gitpython installed (MLflow then sets "
                    "mlflow.source.git.commit), or log git_commit=$(git rev-parse HEAD)")
BRANCH = check_from(_check_branch, "provenance-branch", "Git branch recorded",
                    "log git_branch=$(git rev-parse --abbrev-ref HEAD) from a branch checkout")
REPO_URL = check_from(_check_repo_url, "provenance-repo-url", "Repository URL recorded consistently",
                      "log git_repo_url=$(git remote get-url origin)")
CLEAN_TREE = check_from(_check_clean_tree, "provenance-clean-tree", "Trained from a clean working tree",
                        "commit your changes and retrain; record mlgov.git.dirty (git status --porcelain)")
REVIEWER = check_from(_check_reviewer, "provenance-reviewer", "Code reviewer recorded",
                      "log code_reviewer with the reviewer's user name")
REVIEW_STATUS = check_from(_check_review_status, "provenance-review-status", "Code review accepted",
                           "retrain once the review is approved, and log review_status=approved")
REVIEW_DATE = check_from(_check_review_date, "provenance-review-date", "Review date is real and past",
                         "log review_date as an ISO 8601 date, e.g. 2024-05-31")
SEPARATION = check_from(_check_separation, "provenance-separation-of-duties",
                        "Reviewer is not the run author",
                        "have someone other than the person who trained the model review the code")
CHECKS = (COMMIT, BRANCH, REPO_URL, CLEAN_TREE, REVIEWER, REVIEW_STATUS, REVIEW_DATE, SEPARATION,
          *provenance_repo.CHECKS)

_RUN_CHECKS: tuple[Callable[[_Run], Iterator[Finding]], ...] = (
    _check_commit, _check_branch, _check_repo_url, _check_clean_tree, _check_reviewer, _check_review_status,
    _check_review_date, _check_separation)


SUBJECT = "run"


def evaluate(run: RunRecord, ctx: Context) -> Iterator[Finding]:
    """Every provenance finding for one run; the repository checks only with `--repo`."""
    moment = ctx.now or dt.datetime.now(dt.timezone.utc)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    target = ctx.target or run.target
    r = _Run(run=run, conf=ctx.policy.section("provenance"), target=target, now=moment,
             people=identity.People(ctx.policy.data))
    for check in _RUN_CHECKS:
        yield from check(r)
    yield from provenance_repo.evaluate(r, ctx)
