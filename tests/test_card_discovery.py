"""`mlgov card` with no PATH: the cards git tracks or does not ignore, in real repositories."""

from __future__ import annotations

import json

from click.testing import CliRunner

from mlgov_checks.cli.app import main
from tests.conftest import CARDS, git


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_init_then_card_finds_the_new_card_before_git_add(git_repo, monkeypatch):
    monkeypatch.chdir(git_repo)
    assert run("init").exit_code == 0
    r = run("card", "--format", "json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["targets"] == ["model_card.yaml"]


def test_tracked_and_untracked_cards_are_found_and_ignored_ones_skipped(git_repo, monkeypatch):
    for d in ("tracked", "new", "build"):
        (git_repo / d).mkdir()
    good = (CARDS / "ok_template.yaml").read_text()
    (git_repo / "tracked" / "model_card.yaml").write_text(good)
    (git_repo / "new" / "model_card.yml").write_text(good)
    (git_repo / "build" / "model_card.yaml").write_text("purpose: TODO\n")
    (git_repo / ".gitignore").write_text("build/\n")
    git(git_repo, "add", "tracked", ".gitignore")
    git(git_repo, "commit", "-qm", "tracked card")
    monkeypatch.chdir(git_repo)
    r = run("card", "--format", "json")
    assert r.exit_code == 0, r.output
    assert sorted(json.loads(r.output)["targets"]) == ["new/model_card.yml", "tracked/model_card.yaml"]


def test_a_staged_and_modified_card_is_listed_once(git_repo, monkeypatch):
    (git_repo / "model_card.yaml").write_text((CARDS / "ok_template.yaml").read_text())
    git(git_repo, "add", "model_card.yaml")
    (git_repo / "model_card.yaml").write_text((CARDS / "ok_template.yaml").read_text() + "# edited\n")
    monkeypatch.chdir(git_repo)
    assert json.loads(run("card", "--format", "json").output)["targets"] == ["model_card.yaml"]


def test_finding_no_card_says_where_it_looked_and_is_not_compliant(git_repo, monkeypatch):
    (git_repo / "README.md").write_text("nothing here\n")
    monkeypatch.chdir(git_repo)
    r = run("card")
    assert r.exit_code == 1
    assert "no model card found" in r.output
    assert str(git_repo) in r.output and "model_card.*" in r.output and "README.md with model front matter" in r.output
