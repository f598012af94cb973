"""Provenance checks on what a run records (no repository): records built here, no server."""

import datetime as dt

import pytest

from mlgov_checks.checks import REGISTRY, provenance
from mlgov_checks.checks._base import Context
from mlgov_checks.findings import Status
from mlgov_checks.integrations import gitrepo
from mlgov_checks.policy.load import default_policy, policy_from_mapping
from mlgov_checks.records import RunRecord

SHA = "0123456789abcdef0123456789abcdef01234567"
NOW = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.timezone.utc)

COMPLIANT_TAGS = {
    "mlflow.source.git.commit": SHA,
    "mlflow.source.git.branch": "main",
    "mlflow.source.git.repoURL": "git@github.com:acme/churn.git",
    "mlflow.user": "bob",
    "mlgov.git.dirty": "false",
}
COMPLIANT_PARAMS = {"code_reviewer": "alice", "review_status": "approved", "review_date": "2024-05-30"}


def make_run(tags=None, params=None, *, drop=(), user=None):
    t = {**COMPLIANT_TAGS, **(tags or {})}
    p = {**COMPLIANT_PARAMS, **(params or {})}
    for key in drop:
        t.pop(key, None)
        p.pop(key, None)
    return RunRecord(run_id="r1", user=user, tags=t, params=p)


def findings(run, policy=None, now=NOW):
    return list(provenance.evaluate(run, Context(policy or default_policy(), target="runs:/r1", now=now)))


def of(check_id, run, policy=None, now=NOW):
    """(status, message) of every finding of one check."""
    return [(f.status, f.message) for f in findings(run, policy, now) if f.check == check_id]


def test_compliant_run_passes_every_check_once():
    result = findings(make_run())
    assert [f.check for f in result] == [c.id for c in provenance.CHECKS[:8]]
    assert {f.status for f in result} == {Status.PASS}
    assert all(f.target == "runs:/r1" for f in result)


def test_checks_are_registered_and_explained():
    for check in provenance.CHECKS:
        assert REGISTRY[check.id] is check
        assert check.id.startswith("provenance-")
        assert len(check.explanation) > 60 and check.hint


# --- provenance-commit ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("tags", "params", "drop", "expected"), (
    ({}, {}, (), [(Status.PASS, f"commit {SHA} (mlflow.source.git.commit)")]),
    ({}, {"git_commit": SHA.upper()}, ("mlflow.source.git.commit",),
     [(Status.PASS, f"commit {SHA} (git_commit)")]),
    ({"git_commit": SHA}, {}, (), [(Status.PASS, f"commit {SHA} (mlflow.source.git.commit)")]),
    ({}, {}, ("mlflow.source.git.commit",),
     [(Status.FAIL, "no git commit recorded (looked for mlflow.source.git.commit, git_commit)")]),
    ({"mlflow.source.git.commit": "  "}, {}, (),
     [(Status.FAIL, "no git commit recorded (looked for mlflow.source.git.commit, git_commit)")]),
    ({"mlflow.source.git.commit": "0123456"}, {}, (),
     [(Status.FAIL, "mlflow.source.git.commit='0123456' is not a full 40-hex commit SHA")]),
    ({"mlflow.source.git.commit": "HEAD"}, {}, (),
     [(Status.FAIL, "mlflow.source.git.commit='HEAD' is not a full 40-hex commit SHA")]),
    ({"mlflow.source.git.commit": SHA[:-1] + "g"}, {}, (),
     [(Status.FAIL, f"mlflow.source.git.commit='{SHA[:-1]}g' is not a full 40-hex commit SHA")]),
    ({}, {"git_commit": "f" * 40}, (),
     [(Status.FAIL, f"the recorded commits disagree: mlflow.source.git.commit={SHA}, "
                    f"git_commit={'f' * 40}")]),
))
def test_commit(tags, params, drop, expected):
    assert of("provenance-commit", make_run(tags, params, drop=drop)) == expected


def test_commit_keys_come_from_the_policy():
    policy = policy_from_mapping({"provenance": {"commit_keys": ["source_sha"]}})
    run = make_run(params={"source_sha": "a" * 40}, drop=("mlflow.source.git.commit",))
    assert of("provenance-commit", run, policy) == [(Status.PASS, f"commit {'a' * 40} (source_sha)")]
    assert of("provenance-commit", make_run(), policy) == [
        (Status.FAIL, "no git commit recorded (looked for source_sha)")]


# --- provenance-branch ---------------------------------------------------------------------------------

@pytest.mark.parametrize("key", ("mlflow.source.git.branch", "git_branch", "mlflow.gitBranchName"))
def test_branch_from_each_key(key):
    run = make_run({key: "feature/x"}, drop=() if key == "mlflow.source.git.branch" else
                   ("mlflow.source.git.branch",))
    assert of("provenance-branch", run) == [(Status.PASS, f"branch feature/x ({key})")]


@pytest.mark.parametrize(("value", "expected"), (
    (None, "no git branch recorded (looked for mlflow.source.git.branch, git_branch, mlflow.gitBranchName)"),
    ("HEAD", "mlflow.source.git.branch='HEAD': a detached checkout names no branch"),
))
def test_branch_missing_or_detached(value, expected):
    run = make_run({"mlflow.source.git.branch": value} if value else {}, drop=() if value else
                   ("mlflow.source.git.branch",))
    assert of("provenance-branch", run) == [(Status.FAIL, expected)]


# --- provenance-repo-url -------------------------------------------------------------------------------

@pytest.mark.parametrize(("url", "normal"), (
    ("git@github.com:Acme/Churn.git", "github.com/acme/churn"),
    ("https://github.com/acme/churn", "github.com/acme/churn"),
    ("https://github.com/acme/churn.git/", "github.com/acme/churn"),
    ("https://user:s3cret@github.com/acme/churn.git", "github.com/acme/churn"),
    ("ssh://git@github.com:22/acme/churn.git", "github.com/acme/churn"),
    ("git+ssh://git@gitlab.example/group/sub/proj.git", "gitlab.example/group/sub/proj"),
    ("http://host.example//a//b.git", "host.example/a/b"),
    ("file:///srv/git/churn.git", "/srv/git/churn"),
    ("/srv/git/churn.git/", "/srv/git/churn"),
    ("  ", ""),
))
def test_normalize_repo_url(url, normal):
    assert gitrepo.normalize_repo_url(url) == normal


def test_strip_userinfo():
    assert gitrepo.strip_userinfo("https://tok:x-oauth@github.com/a/b.git") == "https://github.com/a/b.git"
    assert gitrepo.strip_userinfo("git@github.com:a/b.git") == "git@github.com:a/b.git"


@pytest.mark.parametrize(("tags", "drop", "expected"), (
    ({"git_repo_url": "https://github.com/acme/churn"}, (),
     [(Status.PASS, "repository github.com/acme/churn (mlflow.source.git.repoURL)")]),
    ({"mlflow.gitRepoURL": "https://token@github.com/acme/churn.git"}, ("mlflow.source.git.repoURL",),
     [(Status.PASS, "repository github.com/acme/churn (mlflow.gitRepoURL)")]),
    ({"git_repo_url": "https://github.com/acme/other"}, (),
     [(Status.FAIL, "the recorded repository URLs disagree: mlflow.source.git.repoURL=github.com/acme/churn, "
                    "git_repo_url=github.com/acme/other")]),
    ({}, ("mlflow.source.git.repoURL",),
     [(Status.WARN, "unknown: no repository URL recorded "
                    "(looked for mlflow.source.git.repoURL, git_repo_url, mlflow.gitRepoURL)")]),
))
def test_repo_url(tags, drop, expected):
    assert of("provenance-repo-url", make_run(tags, drop=drop)) == expected


def test_repo_url_message_never_shows_credentials():
    run = make_run({"git_repo_url": "https://user:hunter2@github.com/acme/other"})
    assert all("hunter2" not in f.message for f in findings(run))


# --- provenance-clean-tree -----------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "status", "message"), (
    ("false", Status.PASS, "clean working tree (mlgov.git.dirty)"),
    (" Clean ", Status.PASS, "clean working tree (mlgov.git.dirty)"),
    ("0", Status.PASS, "clean working tree (mlgov.git.dirty)"),
    ("True", Status.FAIL, "trained from a dirty working tree (mlgov.git.dirty)"),
    ("dirty", Status.FAIL, "trained from a dirty working tree (mlgov.git.dirty)"),
    ("maybe", Status.FAIL, "mlgov.git.dirty='maybe' is neither true nor false"),
    (None, Status.WARN, "unknown: nothing records whether the working tree was clean "
                        "(looked for mlgov.git.dirty, git_dirty)"),
))
def test_clean_tree(value, status, message):
    run = make_run({"mlgov.git.dirty": value} if value else {}, drop=() if value else ("mlgov.git.dirty",))
    assert of("provenance-clean-tree", run) == [(status, message)]


def test_dirty_anywhere_counts():
    run = make_run(params={"git_dirty": "yes"})
    assert of("provenance-clean-tree", run) == [
        (Status.FAIL, "trained from a dirty working tree (git_dirty)")]


def test_dirty_tree_allowed_by_policy_warns():
    policy = policy_from_mapping({"provenance": {"require_clean_tree": False}})
    assert of("provenance-clean-tree", make_run({"mlgov.git.dirty": "true"}), policy) == [
        (Status.WARN,
         "trained from a dirty working tree (mlgov.git.dirty); allowed: require_clean_tree is false")]


# --- provenance-reviewer / review-status / review-date ---------------------------------------------------

@pytest.mark.parametrize(("params", "drop", "expected"), (
    ({}, (), [(Status.PASS, "reviewed by alice (code_reviewer)")]),
    ({"code_reviewer": "  "}, (), [(Status.FAIL, "no code reviewer recorded (code_reviewer)")]),
    ({}, ("code_reviewer",), [(Status.FAIL, "no code reviewer recorded (code_reviewer)")]),
))
def test_reviewer(params, drop, expected):
    assert of("provenance-reviewer", make_run(params=params, drop=drop)) == expected


def test_reviewer_tag_wins_over_param():
    run = make_run({"code_reviewer": "carol"})
    assert of("provenance-reviewer", run) == [(Status.PASS, "reviewed by carol (code_reviewer)")]


@pytest.mark.parametrize(("value", "status", "message"), (
    ("approved", Status.PASS, "review_status=approved"),
    (" APPROVED ", Status.PASS, "review_status=APPROVED"),
    ("pending", Status.FAIL, "review_status='pending' is not an accepted status (approved)"),
    ("approved-ish", Status.FAIL, "review_status='approved-ish' is not an accepted status (approved)"),
    (None, Status.FAIL, "no review status recorded (review_status)"),
))
def test_review_status(value, status, message):
    run = make_run(params={"review_status": value} if value else {}, drop=() if value else ("review_status",))
    assert of("provenance-review-status", run) == [(status, message)]


def test_review_status_accepted_values_and_keys_from_policy():
    review = {"status_key": "pr_state", "accepted_status": ["LGTM", "merged"]}
    policy = policy_from_mapping({"provenance": {"review": review}})
    assert of("provenance-review-status", make_run(params={"pr_state": "Merged"}), policy) == [
        (Status.PASS, "pr_state=Merged")]
    assert of("provenance-review-status", make_run(params={"pr_state": "approved"}), policy) == [
        (Status.FAIL, "pr_state='approved' is not an accepted status (LGTM, merged)")]


@pytest.mark.parametrize(("value", "ok"), (
    ("2024-05-31", True),
    ("2024-06-01", True),  # today
    ("2024-06-02", True),  # a bare date: already 2 June in UTC+14 at 12:00 UTC
    ("2024-06-03", False),
    ("2024-02-29", True),  # a leap day
    ("2023-02-29", False),  # not a day
    ("2024-13-01", False),
    ("2024-05-31T14:00:00Z", True),
    ("2024-06-01T11:59:59Z", True),
    ("2024-06-01T12:00:01Z", False),  # one second in the future
    ("2024-06-01T12:00:00.000001+00:00", False),
    ("2024-06-01 13:30+02:00", True),  # 11:30 UTC
    ("2024-06-01T15:00:00+0200", False),  # 13:00 UTC
    ("2024-06-02T01:00", True),  # no offset: 13 hours ahead of UTC is still "now" in UTC+14
    ("2024-06-02T03:00", False),  # 15 hours ahead: in the future everywhere
    ("2024-05-31T25:00:00Z", False),
    ("2024-05-31T10:00:00+24:00", False),
    ("31/05/2024", False),
    ("yesterday", False),
    ("20240531", False),
    ("2024-5-31", False),
))
def test_review_date(value, ok):
    ((status, message),) = of("provenance-review-date", make_run(params={"review_date": value}))
    assert status is (Status.PASS if ok else Status.FAIL), message
    if not ok:
        assert "review_date=" in message and ("is not a date" in message or "is in the future" in message)


def test_review_date_missing_and_message():
    assert of("provenance-review-date", make_run(drop=("review_date",))) == [
        (Status.FAIL, "no review date recorded (review_date)")]
    assert of("provenance-review-date", make_run(params={"review_date": "2030-01-01"})) == [
        (Status.FAIL, "review_date=2030-01-01 is in the future (now 2024-06-01T12:00:00+00:00)")]


def test_naive_now_is_utc():
    naive = dt.datetime(2024, 6, 1, 12, 0)
    run = make_run(params={"review_date": "2024-06-01T12:00:01Z"})
    assert of("provenance-review-date", run, now=naive) == [
        (Status.FAIL, "review_date=2024-06-01T12:00:01Z is in the future (now 2024-06-01T12:00:00+00:00)")]


def test_now_defaults_to_the_clock():
    ((status, _),) = of("provenance-review-date", make_run(params={"review_date": "2999-01-01"}), now=None)
    assert status is Status.FAIL
    ((status, _),) = of("provenance-review-date", make_run(params={"review_date": "2000-01-01"}), now=None)
    assert status is Status.PASS


# --- provenance-separation-of-duties ---------------------------------------------------------------------

@pytest.mark.parametrize(("reviewer", "author_tag", "run_user", "status", "message"), (
    ("alice", "bob", None, Status.PASS, "reviewer alice is not the author bob"),
    (" Bob ", "bob", None, Status.FAIL, "the reviewer 'Bob' is the run's author (mlflow.user='bob')"),
    ("BOB", " bob ", None, Status.FAIL, "the reviewer 'BOB' is the run's author (mlflow.user='bob')"),
    ("bob@acme.example", "bob", None, Status.FAIL,
     "the reviewer 'bob@acme.example' is the run's author (mlflow.user='bob')"),
    ("bob", "Bob@Acme.example", None, Status.FAIL,
     "the reviewer 'bob' is the run's author (mlflow.user='Bob@Acme.example')"),
    ("alice", None, "alice", Status.FAIL, "the reviewer 'alice' is the run's author (run user='alice')"),
    ("alice", None, "bob", Status.PASS, "reviewer alice is not the author bob"),
    ("alice", "bobby", None, Status.PASS, "reviewer alice is not the author bobby"),
    ("alice", None, None, Status.WARN, "unknown: the run records no author (mlflow.user)"),
    (None, "bob", None, Status.WARN, "not checked: no code reviewer recorded"),
))
def test_separation_of_duties(reviewer, author_tag, run_user, status, message):
    drop = ([] if author_tag else ["mlflow.user"]) + ([] if reviewer else ["code_reviewer"])
    run = make_run({"mlflow.user": author_tag} if author_tag else {},
                   {"code_reviewer": reviewer} if reviewer else {}, drop=drop, user=run_user)
    assert of("provenance-separation-of-duties", run) == [(status, message)]


def test_without_repo_no_repository_findings():
    ids = {f.check for f in findings(make_run())}
    assert not ids & {"provenance-commit-exists", "provenance-commit-protected", "provenance-commit-author",
                      "provenance-repo-remote"}
