"""The development corpus of real-world-shaped model cards, judged through the real CLI.

For every card: no finding claims a field missing that the card carries, every field it lacks
is named by a failing finding, no card-syntax on a valid file, no crash, the exit code SOURCES
expects. Discovery: the corpus laid out at its own paths is found whole, and nothing else, by
`mlgov card` with no PATH and by the real pre-commit hook.
"""

from __future__ import annotations

import re
import shutil

import pytest
import yaml

from tests.card_corpus import DEV, SUMMARY, cards, discovered, judge, lay_out, non_cards, try_repo_hook
from tests.conftest import REPO_ROOT, git, tool_missing

CORPUS = DEV
CARDS = cards(CORPUS)


def test_the_corpus_is_what_sources_says():
    listed = {c.path for c in CARDS} | set(non_cards(CORPUS))
    on_disk = {p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*") if p.is_file()} - {"SOURCES.yaml"}
    assert listed == on_disk
    assert len(CARDS) >= 40


@pytest.mark.parametrize("card", CARDS, ids=[c.path for c in CARDS])
def test_card_is_judged_as_a_reviewer_reads_it(card):
    problems = judge(CORPUS, card)
    assert not problems, f"{card.path} ({card.format}):\n  " + "\n  ".join(problems)


@pytest.fixture(scope="module")
def corpus_repo(tmp_path_factory):
    repo = tmp_path_factory.mktemp("corpus") / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    lay_out(CORPUS, repo)
    return repo


def test_card_with_no_path_finds_every_card_and_no_other_readme(corpus_repo):
    code, targets, stderr = discovered(corpus_repo)
    assert "Traceback" not in stderr and code == 1, stderr  # the corpus holds cards that lack fields
    assert targets == sorted(c.path for c in CARDS)


def test_the_pre_commit_hook_checks_every_card_and_no_other_readme(corpus_repo, tmp_path_factory):
    if shutil.which("pre-commit") is None:
        tool_missing("pre-commit is not installed")
    hook = next(h for h in yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text())
                if h["id"] == "mlgov-card")
    pattern = re.compile(hook["files"])
    assert [c.path for c in CARDS if not pattern.search(c.path)] == []
    # one hook environment for both corpus modules: pre-commit installs it once
    home = tmp_path_factory.getbasetemp() / "pre-commit-home-corpus"
    proc = try_repo_hook(corpus_repo, home)
    out = proc.stdout + proc.stderr
    assert "Traceback" not in out, out
    assert proc.returncode == 1, out  # the corpus holds cards that lack fields
    assert sum(int(n) for n in SUMMARY.findall(out)) == len(CARDS), out
    for path in non_cards(CORPUS):  # neither a target nor the subject of a finding
        assert not re.search(rf"(?m)^(== )?{re.escape(path)}(:|$)", out), f"{path} was taken for a card:\n{out}"
