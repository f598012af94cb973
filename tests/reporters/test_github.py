"""GitHub annotations: golden output, escaping parsed back, and publish() in GitHub mode."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from mlgov_checks.findings import Finding, Status
from mlgov_checks.reporters import ReportContext, render
from mlgov_checks.reporters.github_report import escape_data, escape_property, publish

COMMAND = re.compile(r"::(?P<cmd>error|warning|notice) (?P<props>[^:]*)::(?P<data>.*)")


def unescape(text: str) -> str:
    """The runner's decoding (actions/runner ActionCommand.Unescape*)."""
    for code, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(code, char)
    return text


def parse(line: str) -> dict[str, str]:
    m = COMMAND.fullmatch(line)
    assert m, line
    props = dict(p.split("=", 1) for p in m["props"].split(","))
    return {"command": m["cmd"], **{k: unescape(v) for k, v in props.items()}, "message": unescape(m["data"])}


def test_golden(findings, ctx, golden):
    golden("findings.github.txt", render("github", findings, ctx))


def test_annotations_parse_back_to_file_line_and_message(names, findings, ctx):
    parsed = [parse(line) for line in render("github", findings, ctx).splitlines()]
    assert [p["command"] for p in parsed] == [
        "error", "error", "error", "error", "notice", "error", "warning"]
    assert parsed[0] == {"command": "error", "file": names.CARD, "line": "3", "col": "1",
                         "title": "card-required-field",
                         "message": "required field 'limitations' is missing\n"
                                    "fix: add `limitations:` to the card"}
    odd = parsed[2]
    assert odd["file"] == names.ODD_CARD and (odd["line"], odd["col"]) == ("7", "12")
    assert odd["message"].startswith("purpose is a placeholder ('TODO') — 100% <b>&amp;</b> | pipe")
    assert "\nsecond line\r\nthird: x, y\\x1b[31m\n" in odd["message"]
    target = parsed[3]
    assert "file" not in target and target["title"] == "provenance-reviewer"
    assert target["message"].startswith("models:/fraud-detector/3: no code reviewer")
    assert parsed[5]["title"] == "provenance-branch (could not evaluate)"
    assert "s3cr3t" not in parsed[5]["message"]


def test_escaping():
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("a:b,c%d\n") == "a%3Ab%2Cc%25d%0A"


@given(st.text())
def test_escaping_round_trips(text):
    prop, data = escape_property(text), escape_data(text)
    assert unescape(prop) == text and unescape(data) == text
    assert not set(prop) & {":", ",", "\r", "\n"} and not set(data) & {"\r", "\n"}


def test_absolute_paths_become_workspace_relative(tmp_path, monkeypatch):
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path))
    card = str(tmp_path / "sub" / "model_card.yaml")
    f = Finding("card-syntax", Status.FAIL, "c", "bad", file=card, line=2)
    assert render("github", [f], ReportContext()).startswith("::error file=sub/model_card.yaml,line=2,title=")


def test_passes_print_nothing():
    assert render("github", [Finding("card-syntax", Status.PASS, "c", "ok", file="c")], ReportContext()) == ""


def test_publish_appends_summary_and_prints_annotations(findings, ctx, tmp_path, monkeypatch, capsys):
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    publish(findings, ctx, stdout_format="text")
    out, err = capsys.readouterr()
    assert out == render("github", findings, ctx) and err == ""
    assert summary.read_text("utf-8") == "earlier step\n" + render("markdown", findings, ctx)


def test_publish_keeps_machine_readable_stdout_clean(findings, ctx, monkeypatch, capsys):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    publish(findings, ctx, stdout_format="json")
    out, err = capsys.readouterr()
    assert out == "" and err == render("github", findings, ctx)


def test_publish_does_not_repeat_annotations_for_the_github_format(findings, ctx, tmp_path, monkeypatch,
                                                                     capsys):
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "s.md"))
    publish(findings, ctx, stdout_format="github")
    assert capsys.readouterr() == ("", "")
    assert (tmp_path / "s.md").read_text("utf-8").startswith("## ❗ mlgov check: could not evaluate")


def test_an_unwritable_summary_does_not_fail_the_gate(findings, ctx, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "missing-dir" / "s.md"))
    publish(findings, ctx, stdout_format="text")
    out, err = capsys.readouterr()
    assert "cannot write the job summary" in err and out
