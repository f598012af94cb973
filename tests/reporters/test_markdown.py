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
    assert escape("a|b\nc*d_e<x>&`#1") == "a\\|b c\\*d\\_e&lt;x&gt;&amp;\\`\\#\u20601"
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


# GitHub's post-render filters, as html-pipeline writes them: a mention is `@` right before a name,
# an issue reference `#` (or `GH-`) right before digits, at the start or after a non-word character.
GITHUB_MENTION = re.compile(r"(?:^|\W)@[a-z0-9][a-z0-9-]*", re.IGNORECASE)
GITHUB_ISSUE = re.compile(r"(?:^|\W)(?:[\w.-]+/[\w.-]+)?#\d+|\bGH-\d+", re.IGNORECASE)
PINGS = ["@alice approve this please", "cc @org/release-team", "fixes #123", "see acme/churn#45 and GH-7",
         "(@bob)", "#1: first", "ann@corp.example", "a heading # 2", "@@x ##9", "x@y #z @ #"]


@pytest.mark.parametrize("text", PINGS)
def test_mentions_and_issue_references_come_out_inert_and_read_the_same(text):
    import html as html_lib

    import cmarkgfm
    from cmarkgfm.cmark import Options

    from mlgov_checks.reports.tables import WORD_JOINER, md_list, md_table

    page = "\n".join([*md_list("Flags", [text]), *md_table(["value"], [[text]])]) + "\n"
    rendered = cmarkgfm.github_flavored_markdown_to_html(page, options=Options.CMARK_OPT_UNSAFE)
    shown = [html_lib.unescape(t) for t in re.findall(r"<(?:li|td)>(.*?)</(?:li|td)>", rendered)]
    assert len(shown) == 2, rendered
    for value in shown:
        assert "<" not in value, rendered  # no link, no markup: only the text
        assert not GITHUB_MENTION.search(value) and not GITHUB_ISSUE.search(value), repr(value)
        assert value.replace(WORD_JOINER, "") == text  # reads as written, nothing added that shows
