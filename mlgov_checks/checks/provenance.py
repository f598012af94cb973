"""Provenance checks: the run records a reviewed commit, from a clean tree, on the protected branch."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mlgov_checks import gitrepo, identity
from mlgov_checks.checks._base import Check, Context, check_from
from mlgov_checks.errors import RepositoryError
from mlgov_checks.findings import Finding
from mlgov_checks.records import RunRecord

_SHA = re.compile(r"[0-9a-fA-F]{40}")
_ISO = re.compile(
    r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"
    r"(?:[T ](?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<f>\d{1,9}))?)?"
    r"(?P<tz>Z|[+-]\d{2}(?::?\d{2})?)?)?",
    re.IGNORECASE,
)
_TRUE = {"true", "1", "yes", "y", "dirty"}
_FALSE = {"false", "0", "no", "n", "clean"}
# The last time zone to reach a date (UTC+14): a value without an offset is only "in the future"
# when it is in the future everywhere.
_LATEST_OFFSET = dt.timedelta(hours=14)


@dataclass(frozen=True)
class _Run:
    """What the provenance checks read from one run, resolved once."""

    run: RunRecord
    conf: Mapping[str, Any]
    target: str
    now: dt.datetime
    people: identity.People = field(default_factory=identity.People)  # one identity per person

    @property
    def review(self) -> Mapping[str, Any]:
        return self.conf["review"]  # type: ignore[no-any-return]

    def recorded(self, keys: Sequence[str]) -> list[tuple[str, str]]:
        """(key, value) for every key with a non-blank value, in policy order."""
        found = [(k, self.run.value(k)) for k in keys]
        return [(k, v.strip()) for k, v in found if v is not None and v.strip()]

    def commit(self) -> str | None:
        """The recorded commit when it is one unambiguous 40-hex SHA, else None."""
        values = {v.lower() for _, v in self.recorded(self.conf["commit_keys"])}
        if len(values) == 1 and _SHA.fullmatch(v := next(iter(values))):
            return v
        return None

    def reviewer(self) -> str | None:
        found = self.recorded([self.review["reviewer_key"]])
        return found[0][1] if found else None

    def authors(self) -> list[tuple[str, str]]:
        found = self.recorded(["mlflow.user"])
        if self.run.user and self.run.user.strip():
            found.append(("run user", self.run.user.strip()))
        return found

    def repo_urls(self) -> list[tuple[str, str]]:
        return [(k, gitrepo.normalize_repo_url(v)) for k, v in self.recorded(self.conf["repo_url_keys"])]


def _keys(keys: Sequence[str]) -> str:
    return ", ".join(keys)


def parse_review_date(text: str) -> dt.date | dt.datetime | None:
    """An ISO 8601 date or date-time (`2024-05-31`, `2024-05-31T14:00Z`), None when it is not one."""
    m = _ISO.fullmatch(text.strip())
    if not m:
        return None
    try:
        day = dt.date(int(m["y"]), int(m["m"]), int(m["d"]))
        if m["H"] is None:
            return day
        tz = m["tz"]
        tzinfo: dt.tzinfo | None = None
        if tz and tz.upper() == "Z":
            tzinfo = dt.timezone.utc
        elif tz:
            digits = tz[1:].replace(":", "")
            delta = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
            tzinfo = dt.timezone(delta if tz[0] == "+" else -delta)
        micro = int((m["f"] or "0")[:6].ljust(6, "0"))
        return dt.datetime(day.year, day.month, day.day, int(m["H"]), int(m["M"]), int(m["S"] or 0),
                           micro, tzinfo=tzinfo)
    except ValueError:  # 2024-02-30, 25:00, an offset of 24 hours or more
        return None


def _in_future(value: dt.date | dt.datetime, now: dt.datetime) -> bool:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            return value > now
        return value > (now + _LATEST_OFFSET).replace(tzinfo=None)
    return value > (now + _LATEST_OFFSET).date()


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
    bad = [(k, v) for k, v in found if not _SHA.fullmatch(v)]
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
    bad = [(k, v) for k, v in found if v.casefold() not in _TRUE | _FALSE]
    if bad:
        for k, v in bad:
            yield CLEAN_TREE.failed(r.target, f"{k}={v!r} is neither true nor false")
        return
    dirty = [k for k, v in found if v.casefold() in _TRUE]
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
    elif _in_future(value, r.now):
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

CHECKS = (COMMIT, BRANCH, REPO_URL, CLEAN_TREE, REVIEWER, REVIEW_STATUS, REVIEW_DATE, SEPARATION,
          COMMIT_EXISTS, COMMIT_PROTECTED, COMMIT_AUTHOR, REPO_REMOTE)

_RUN_CHECKS: tuple[Callable[[_Run], Iterator[Finding]], ...] = (
    _check_commit, _check_branch, _check_repo_url, _check_clean_tree, _check_reviewer, _check_review_status,
    _check_review_date, _check_separation)
CHECKS_BY_FUNC: dict[Any, Check] = {
    _check_commit_exists: COMMIT_EXISTS, _check_commit_protected: COMMIT_PROTECTED,
    _check_commit_author: COMMIT_AUTHOR, _check_repo_remote: REPO_REMOTE}
_REPO_CHECKS: tuple[Callable[[_Run, _Repo], Iterator[Finding]], ...] = (
    _check_commit_exists, _check_commit_protected, _check_commit_author, _check_repo_remote)


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
    if ctx.repository is None:
        return
    repo = ctx.repository.path
    try:
        opened = ctx.repository.open()
    except RepositoryError as e:
        skipped = _keys([COMMIT_PROTECTED.id, COMMIT_AUTHOR.id, REPO_REMOTE.id])
        yield COMMIT_EXISTS.errored(target, f"cannot open the repository {e.message}; not checked: {skipped}",
                                    hint="pass --repo the top-level directory of a git checkout")
        return
    sha = r.commit()
    g = _Repo(path=repo, repo=opened, commit=opened.commit(sha) if sha else None)
    for repo_check in _REPO_CHECKS:
        try:
            found = list(repo_check(r, g))
        except RepositoryError as e:  # a damaged repository: say so, keep the other checks
            found = [CHECKS_BY_FUNC[repo_check].errored(target, e.message)]
        yield from found
