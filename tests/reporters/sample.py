"""The findings every reporter test renders, in a small repository holding the files they name.

Shared by the tests (conftest.py) and scripts/update-golden.py, which rewrites the golden files.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from mlgov_checks.findings import Finding, Status
from mlgov_checks.reports.findings import ReportContext, render
from mlgov_checks.reports.findings.locations import RepoLayout

GOLDEN = Path(__file__).resolve().parent.parent / "data" / "golden"
GOLDEN_FILES = {"findings.sarif": "sarif", "findings.junit.xml": "junit", "findings.github.txt": "github",
                "findings.md": "markdown"}
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




def make_repo(root: Path) -> ReportContext:
    """Write the files the sample names under `root` (a repository root) and return CTX anchored there."""
    for rel in (CARD, ODD_CARD, ".mlgov.yaml", "README.md"):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("version: 1\n" if rel == ".mlgov.yaml" else "x: 1\n", encoding="utf-8")
    (root / ".git").mkdir(exist_ok=True)
    layout = RepoLayout(root=str(root), cwd=str(root), policy=".mlgov.yaml", policy_shown=".mlgov.yaml",
                        fallback="README.md")
    return replace(CTX, layout=layout)


def render_golden(ctx: ReportContext) -> dict[str, str]:
    """Each golden file's expected text."""
    return {name: render(fmt, list(FINDINGS), ctx) for name, fmt in GOLDEN_FILES.items()}
