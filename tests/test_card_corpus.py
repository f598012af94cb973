"""The development corpus of real-world-shaped model cards, judged through the real CLI.

For every card: no finding claims a field missing that the card carries, every field it lacks
is named by a failing finding, no card-syntax on a valid file, no crash, the exit code SOURCES
expects, every finding on a card in another format than the native YAML says how it was read.
Discovery: the corpus laid out at its own paths is found whole, and nothing else, by `mlgov card`
with no PATH and by the real pre-commit hook. The assertions live in tests/card_corpus.py.
"""

from __future__ import annotations

import pytest

from tests import card_corpus as corpus

CORPUS = corpus.DEV
CARDS = corpus.cards(CORPUS)


def test_the_corpus_is_what_sources_says():
    corpus.assert_listed(CORPUS, at_least=40)


@pytest.mark.parametrize("card", CARDS, ids=[c.path for c in CARDS])
def test_card_is_judged_as_a_reviewer_reads_it(card):
    corpus.assert_judged_right(CORPUS, card)


def test_every_finding_on_a_card_in_another_format_says_how_it_was_read():
    corpus.assert_every_finding_says_how_the_card_was_read(CORPUS)


@pytest.fixture(scope="module")
def corpus_repo(tmp_path_factory):
    return corpus.corpus_repo(CORPUS, tmp_path_factory)


def test_card_with_no_path_finds_every_card_and_no_other_readme(corpus_repo):
    corpus.assert_discovered(CORPUS, corpus_repo)


def test_the_pre_commit_hook_checks_every_card_and_no_other_readme(corpus_repo, tmp_path_factory):
    corpus.assert_hook_checks_every_card(CORPUS, corpus_repo, tmp_path_factory)
