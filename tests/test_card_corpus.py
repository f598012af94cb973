"""The development corpus of real-world-shaped model cards, judged through the real CLI.

For every card: no finding claims a field missing that the card carries, every field it lacks
is named by a failing finding, no card-syntax on a valid file, no crash, the exit code SOURCES
expects; every finding on a card in another format than the native YAML says how it was read.
Discovery: the corpus laid out at its own paths is found whole, and nothing else, by `mlgov card`
with no PATH and by the real pre-commit hook. The tests live in tests/card_corpus.py.
"""

from __future__ import annotations

from tests.card_corpus import DEV, CorpusTests


class TestDevelopmentCorpus(CorpusTests):
    root = DEV
    at_least = 40
