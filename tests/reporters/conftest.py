"""The findings every reporter test renders, and golden-file comparison.

Set MLGOV_UPDATE_GOLDEN=1 to rewrite the golden files after an intended output change (then review
the diff like any other change).
"""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from mlgov_checks.findings import Finding, Status
from mlgov_checks.reporters import ReportContext

GOLDEN = Path(__file__).resolve().parent.parent / "data" / "golden"
CARD = "cards/fraud/model_card.yaml"
ODD_CARD = "cards/ünï, co:de/model_card.yaml"  # `,` and `:` need escaping in annotation properties
MODEL = "models:/fraud-detector/3"
RUN = "runs:/0123abcd"

FINDINGS = (
    Finding("card-required-field", Status.FAIL, CARD, "required field 'limitations' is missing",
            file=CARD, line=3, column=1, hint="add `limitations:` to the card"),
    Finding("card-required-field", Status.FAIL, CARD, "required field 'training_data' is missing",
            file=CARD, line=3, column=1, hint="add `training_data:` to the card"),
    Finding("card-syntax", Status.PASS, CARD, "ok", file=CARD, hint="fix the YAML at the marked position"),
    Finding("card-placeholder", Status.FAIL, ODD_CARD,
            "purpose is a placeholder ('TODO') — 100% <b>&amp;</b> | pipe *not bold* #12\n"
            "second line\r\nthird: x, y\x1b[31m",
            file=ODD_CARD, line=7, column=12, hint="write the real content"),
    Finding("provenance-commit", Status.PASS, MODEL, "commit 9f8e7d6 recorded"),
    Finding("provenance-reviewer", Status.FAIL, MODEL, "no code reviewer recorded in tag 'code_reviewer'",
            hint="set the `code_reviewer` tag on the run"),
    Finding("provenance-review-status", Status.WAIVED, MODEL,
            "review status is 'pending'; waived by Zoë Ångström until 2026-12-01: audit CR-7 in progress"),
    Finding("provenance-branch", Status.ERROR, RUN,
            "could not read run tags from https://ci-bot:s3cr3t-t0ken@mlflow.example.com/api: 503",
            hint="check the tracking server"),
    Finding("waiver-expiring", Status.WARN, ".mlgov.yaml",
            "waiver for provenance-review-status on models:/fraud-detector/* is valid through "
            "2026-12-01 (3 days left); approved by Zoë Ångström",
            file=".mlgov.yaml", line=12, column=5, hint="renew the waiver"),
)

CTX = ReportContext(command="check", policy_source=".mlgov.yaml", tool_version="9.9.9",
                    targets=(CARD, ODD_CARD, MODEL, RUN, "models:/unchecked/1"))


@pytest.fixture
def names() -> SimpleNamespace:
    """The sample's target names (a fixture: test modules do not import conftest)."""
    return SimpleNamespace(CARD=CARD, ODD_CARD=ODD_CARD, MODEL=MODEL, RUN=RUN)


@pytest.fixture
def findings() -> list[Finding]:
    return list(FINDINGS)


@pytest.fixture
def ctx() -> ReportContext:
    return CTX


@pytest.fixture
def golden():
    """Compare text with tests/data/golden/NAME exactly (or rewrite it when asked to)."""

    def compare(name: str, text: str) -> None:
        path = GOLDEN / name
        if os.environ.get("MLGOV_UPDATE_GOLDEN") == "1":
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text.encode("utf-8"))
        assert text == path.read_bytes().decode("utf-8")

    return compare
