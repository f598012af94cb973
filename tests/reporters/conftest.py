"""The findings every reporter test renders, and golden-file comparison (always: to rewrite the
golden files after an intended output change, run `python scripts/update-golden.py` and review the diff)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sample import CARD, FINDINGS, GOLDEN, MODEL, ODD_CARD, RUN, make_repo

from mlgov_checks.findings import Finding
from mlgov_checks.reports.findings import ReportContext


@pytest.fixture
def names() -> SimpleNamespace:
    """The sample's target names (a fixture: test modules do not import conftest)."""
    return SimpleNamespace(CARD=CARD, ODD_CARD=ODD_CARD, MODEL=MODEL, RUN=RUN)


@pytest.fixture
def findings() -> list[Finding]:
    return list(FINDINGS)


@pytest.fixture
def ctx(tmp_path) -> ReportContext:
    """The sample context, its layout a repository in tmp_path that holds every file the sample names."""
    return make_repo(tmp_path / "repo")


@pytest.fixture
def golden():
    """Compare text with tests/data/golden/NAME exactly; `python scripts/update-golden.py` rewrites them."""

    def compare(name: str, text: str) -> None:
        assert text == (GOLDEN / name).read_bytes().decode("utf-8")

    return compare
