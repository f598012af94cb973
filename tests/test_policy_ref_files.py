"""--policy-ref reads every file the base policy names at REF, finds pyproject policies in any spelling,
and compares symbolic links as links (real git repositories)."""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from mlgov_checks.cli.app import main
from mlgov_checks.errors import PolicyError
from mlgov_checks.gate import judge_policy
from mlgov_checks.policy.files import named_paths, read_named_file
from mlgov_checks.policy.ref import judge
from tests.conftest import CARDS, git

# The team's extra schema: every card names a `risk_tier`; the template card has none.
SCHEMA = json.dumps({"type": "object", "required": ["risk_tier"]})
POLICY = "card:\n  extra_schema: schemas/team.json\n"
LOOSE = "card:\n  required_fields: []\nmetrics:\n  thresholds: {}\n"


@pytest.fixture
def repo(git_repo, monkeypatch):
    (git_repo / ".mlgov.yaml").write_text(POLICY)
    (git_repo / "schemas").mkdir()
    (git_repo / "schemas" / "team.json").write_text(SCHEMA)
    (git_repo / "loose.yaml").write_text(LOOSE)
    (git_repo / "model_card.yaml").write_text((CARDS / "ok_template.yaml").read_text())
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-qm", "policy with a team schema")
    git(git_repo, "checkout", "-qb", "feature")
    monkeypatch.chdir(git_repo)
    return git_repo


def card(*args):
    r = CliRunner().invoke(main, ["card", "--policy-ref", "main", "--format", "json", *args, "model_card.yaml"])
    return r.exit_code, json.loads(r.output) if r.output.startswith("{") else r.output


def messages(report, check, status="fail"):
    return [f["message"] for f in report["findings"] if f["check"] == check and f["status"] == status]


def test_legitimate_the_schema_at_ref_judges_and_nothing_loosens(repo):
    code, report = card()
    assert code == 1  # the card lacks risk_tier: the team schema applies
    assert messages(report, "card-extra-schema") == ["(root): 'risk_tier' is a required property"]
    assert messages(report, "policy-loosened") == []
    assert messages(report, "policy-loosened", "pass") == ["no loosening of the policy at main"]
    with (repo / "model_card.yaml").open("a") as fh:
        fh.write("risk_tier: low\n")
    assert card()[0] == 0


def test_emptied_schema_in_the_work_tree_changes_nothing_and_is_reported(repo):
    (repo / "schemas" / "team.json").write_text("{}")
    code, report = card()
    assert code == 1
    assert messages(report, "card-extra-schema") == ["(root): 'risk_tier' is a required property"]
    assert messages(report, "policy-loosened") == [
        "card.extra_schema names schemas/team.json, which the working tree changes (a file the policy at main "
        "relies on; main's copy judges)"]


def test_deleted_schema_is_reported_and_refs_copy_still_judges(repo):
    os.remove(repo / "schemas" / "team.json")
    code, report = card()
    assert code == 1
    assert messages(report, "card-extra-schema")
    assert any("schemas/team.json" in m for m in messages(report, "policy-loosened"))


def test_schema_replaced_by_a_link_is_compared_as_a_link(repo):
    (repo / "schemas" / "empty.json").write_text("{}")
    os.remove(repo / "schemas" / "team.json")
    os.symlink("empty.json", repo / "schemas" / "team.json")
    code, report = card()
    assert code == 1
    assert messages(report, "card-extra-schema")
    assert any("schemas/team.json" in m for m in messages(report, "policy-loosened"))


def test_schema_directory_replaced_by_a_link_is_reported(repo):
    (repo / "other").mkdir()
    (repo / "other" / "team.json").write_text(SCHEMA)  # same bytes, reached through a new link
    git(repo, "rm", "-rq", "schemas")
    os.symlink("other", repo / "schemas")
    code, report = card()
    assert code == 1
    assert any("schemas/team.json" in m for m in messages(report, "policy-loosened"))


def test_named_file_read_at_ref_not_from_disk(repo):
    (repo / "schemas" / "team.json").write_text("{}")
    policy = judge("main").policy
    named = read_named_file(policy, "schemas/team.json", key="card.extra_schema")
    assert named.shown == "main:schemas/team.json"
    assert json.loads(named.content) == {"type": "object", "required": ["risk_tier"]}
    assert list(named_paths(policy.data)) == [("card.extra_schema", "schemas/team.json")]


def test_link_committed_at_ref_is_followed_inside_the_tree(repo):
    git(repo, "checkout", "-q", "main")
    os.symlink("schemas/team.json", repo / "team-link.json")
    (repo / ".mlgov.yaml").write_text("card:\n  extra_schema: team-link.json\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "schema through a committed link")
    git(repo, "checkout", "-qb", "feature2")
    code, report = card()
    assert code == 1
    assert messages(report, "card-extra-schema") == ["(root): 'risk_tier' is a required property"]
    assert messages(report, "policy-loosened") == []


def test_link_at_ref_out_of_the_repository_is_refused(repo, tmp_path):
    outside = tmp_path / "outside.json"
    outside.write_text("{}")
    git(repo, "checkout", "-q", "main")
    os.symlink(str(outside), repo / "team-link.json")
    (repo / ".mlgov.yaml").write_text("card:\n  extra_schema: team-link.json\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "schema through a link out of the repository")
    with pytest.raises(PolicyError, match="symbolic link out of the repository"):
        read_named_file(judge("main").policy, "team-link.json", key="card.extra_schema")
    assert card()[0] == 2


def test_named_path_outside_the_repository_is_refused_at_ref(repo):
    with pytest.raises(PolicyError, match="outside the repository"):
        read_named_file(judge("main").policy, "../../etc/passwd", key="card.extra_schema")


def test_without_policy_ref_the_named_file_is_read_from_disk(repo):
    (repo / "schemas" / "team.json").write_text("{}")
    r = CliRunner().invoke(main, ["card", "--format", "json", "model_card.yaml"])
    assert r.exit_code == 0, r.output


# -- pyproject.toml policies in every spelling -------------------------------------------------------

@pytest.mark.parametrize("spelling", (
    '[tool."mlgov"]\ncard = {required_fields = []}\n',
    "[tool]\nmlgov = {card = {required_fields = []}}\n",
    "tool = {mlgov = {card = {required_fields = []}}}\n",
    "tool.mlgov.card.required_fields = []\n",
    '[tool."\\u006dlgov".card]\nrequired_fields = []\n',
))
def test_pyproject_added_in_a_subdirectory_is_compared_in_any_spelling(git_repo, monkeypatch, spelling):
    (git_repo / ".mlgov.yaml").write_text("card:\n  required_fields: [owners]\n")
    (git_repo / "model_card.yaml").write_text((CARDS / "ok_template.yaml").read_text())
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-qm", "policy")
    git(git_repo, "checkout", "-qb", "feature")
    (git_repo / "sub").mkdir()
    (git_repo / "sub" / "pyproject.toml").write_text(spelling + '[project]\nname = "x"\n')
    monkeypatch.chdir(git_repo)
    code, report = card()
    assert code == 1
    assert messages(report, "policy-loosened") == [
        "the working tree's sub/pyproject.toml loosens main:.mlgov.yaml: card.required_fields: removed 'owners'"]


@pytest.mark.parametrize("spelling", ('[tool."mlgov".card]\nrequired_fields = ["owners"]\n',
                                      'tool = {mlgov = {card = {required_fields = ["owners"]}}}\n'))
def test_pyproject_at_ref_is_found_by_a_toml_parser(git_repo, monkeypatch, spelling):
    (git_repo / "pyproject.toml").write_text(spelling)
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-qm", "policy in pyproject")
    git(git_repo, "checkout", "-qb", "feature")
    (git_repo / "pyproject.toml").write_text('[tool."mlgov".card]\nrequired_fields = []\n')
    monkeypatch.chdir(git_repo)
    judgement = judge("main")
    assert judgement.policy.source == "main:pyproject.toml"
    assert judgement.policy.section("card")["required_fields"] == ["owners"]
    assert [f.message for f in judge_policy(judgement) if f.status.value == "fail"] == [
        "the working tree's policy loosens the one at main: card.required_fields: removed 'owners'"]


# -- the policy itself through a link ----------------------------------------------------------------

def test_policy_path_turned_into_a_link_to_a_looser_file_is_refused(repo):
    os.remove(repo / ".mlgov.yaml")
    os.symlink("loose.yaml", repo / ".mlgov.yaml")
    code, output = card("--policy", ".mlgov.yaml")
    assert code == 2
    assert "is a symbolic link that main does not have" in output
    code, output = card()  # found by discovery: refused as well
    assert code == 2
    assert "is a symbolic link that main does not have" in output


def test_policy_directory_turned_into_a_link_is_refused(repo):
    (repo / "conf").mkdir()
    (repo / "conf" / ".mlgov.yaml").write_text(POLICY)
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "conf dir")
    (repo / "looser").mkdir()
    (repo / "looser" / ".mlgov.yaml").write_text(LOOSE)
    git(repo, "rm", "-rq", "conf")
    os.symlink("looser", repo / "conf")
    code, output = card("--policy", "conf/.mlgov.yaml")
    assert code == 2
    assert "conf is a symbolic link that main does not have" in output


def test_policy_link_committed_at_ref_and_unchanged_is_accepted(repo):
    git(repo, "checkout", "-q", "main")
    (repo / "policies").mkdir()
    git(repo, "mv", ".mlgov.yaml", "policies/team.yaml")
    os.symlink("policies/team.yaml", repo / ".mlgov.yaml")
    (repo / "policies" / "team.json").write_text(SCHEMA)
    # relative to where the policy is read (the link's directory), on disk and at REF alike
    (repo / "policies" / "team.yaml").write_text("card:\n  extra_schema: policies/team.json\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "policy through a committed link")
    git(repo, "checkout", "-qb", "feature2")
    code, report = card()
    assert code == 1, report
    assert messages(report, "card-extra-schema") == ["(root): 'risk_tier' is a required property"]
    assert messages(report, "policy-loosened") == []
