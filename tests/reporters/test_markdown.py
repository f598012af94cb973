"""Markdown report (the GitHub job summary): golden output, escaping, headline."""

from __future__ import annotations

import re

import pytest

from mlgov_checks.findings import Finding, Status
from mlgov_checks.reports.findings import ReportContext, render
from mlgov_checks.reports.findings.markdown_report import escape


def test_golden(findings, ctx, golden):
    golden("findings.md", render("markdown", findings, ctx))


def test_table_rows_keep_three_cells_and_no_html(findings, ctx):
    text = render("markdown", findings, ctx)
    rows = [line for line in text.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) == len(findings) + 5  # a header row per target that has findings
    for row in rows:
        assert len(re.findall(r"(?<!\\)\|", row)) == 4, row
    assert "<b>" not in text and "&lt;b&gt;&amp;amp;&lt;/b&gt;" in text
    assert "\r" not in text and "s3cr3t" not in text
    assert not re.search(r"<[a-z/]", text)  # no raw HTML (no <br>, no <sub>): renderers may strip it


def test_escape():
    assert escape("a|b\nc*d_e<x>&`#1") == r"a\|b c\*d\_e&lt;x&gt;&amp;\`\#1"
    assert escape("one\r\ntwo", newline=" ") == "one two"


@pytest.mark.parametrize(("status", "headline"), [
    (Status.PASS, "## ✅ mlgov card: compliant"),
    (Status.WARN, "## ✅ mlgov card: compliant"),
    (Status.WAIVED, "## ✅ mlgov card: compliant"),
    (Status.FAIL, "## ❌ mlgov card: NOT compliant"),
    (Status.ERROR, "## ❗ mlgov card: could not evaluate"),
])
def test_headline(status, headline):
    text = render("markdown", [Finding("card-syntax", status, "c.yaml", "m")], ReportContext(command="card"))
    assert text.splitlines()[0] == headline
    assert text.splitlines()[2].startswith("1 target · ")


def test_target_without_findings_is_listed():
    text = render("markdown", [], ReportContext(targets=("models:/m/1",)))
    assert "### ✅ pass · models:/m/1\n\nNo checks ran on this target." in text
