"""GitHub annotations: golden output, escaping parsed back, and what emit.deliver() writes in GitHub mode."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import consumers
from hypothesis import given
from hypothesis import strategies as st

from mlgov_checks.findings import Finding, Status
from mlgov_checks.reports.findings import ReportContext, render
from mlgov_checks.reports.findings.emit import STDERR, STDOUT, Output, deliver, report_outputs
from mlgov_checks.reports.findings.github_report import escape_data, escape_property
from mlgov_checks.reports.findings.locations import RepoLayout

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
    text = render("github", findings, ctx)
    golden("findings.github.txt", text)
    consumers.check_github(text, Path(ctx.layout.root))  # the runner's parsing; every file= exists


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
    assert target["file"] == ".mlgov.yaml" and target["title"] == "provenance-reviewer"  # the policy governs
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


def test_absolute_paths_become_repository_relative(tmp_path):
    (tmp_path / "sub").mkdir()
    card = tmp_path / "sub" / "model_card.yaml"
    card.write_text("x: 1\n", encoding="utf-8")
    layout = RepoLayout(root=str(tmp_path), cwd=str(tmp_path / "sub"))
    f = Finding("card-syntax", Status.FAIL, "c", "bad", file=str(card), line=2)
    assert render("github", [f], ReportContext(layout=layout)).startswith(
        "::error file=sub/model_card.yaml,line=2,title=")


def test_passes_print_nothing():
    assert render("github", [Finding("card-syntax", Status.PASS, "c", "ok", file="c")], ReportContext()) == ""


GITHUB = {"GITHUB_ACTIONS": "true"}


def test_github_mode_appends_the_summary_and_prints_annotations(findings, ctx, tmp_path):
    summary = tmp_path / "summary.md"
    out = report_outputs(findings, ctx, stdout_format="text", env={**GITHUB, "GITHUB_STEP_SUMMARY": str(summary)})
    by_dest = {o.dest: o for o in out}
    assert by_dest[str(summary)].append and by_dest[str(summary)].text == render("markdown", findings, ctx)
    assert [o.text for o in out if o.dest == STDOUT][1] == render("github", findings, ctx)


def test_github_mode_keeps_machine_readable_stdout_clean(findings, ctx):
    out = report_outputs(findings, ctx, stdout_format="json", env=GITHUB)
    assert [o.dest for o in out] == [STDOUT, STDERR]
    assert out[1].text == render("github", findings, ctx)


def test_github_mode_does_not_repeat_annotations_for_the_github_format(findings, ctx, tmp_path):
    out = report_outputs(findings, ctx, stdout_format="github", env={**GITHUB, "GITHUB_STEP_SUMMARY": "s.md"})
    assert [o.dest for o in out] == [STDOUT, "s.md"]
    assert out[1].text.startswith("## ❗ mlgov check: could not evaluate")


def test_outside_github_mode_only_stdout_and_reports(findings, ctx):
    out = report_outputs(findings, ctx, stdout_format="text", files=[("sarif", "x.sarif")], env={})
    assert [o.dest for o in out] == [STDOUT, "x.sarif"] and all(o.masked for o in out)


def test_deliver_appends_the_summary_and_an_unwritable_one_does_not_fail(findings, ctx, tmp_path, capsys):
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    deliver([Output(str(summary), "mine\n", masked=True, append=True, courtesy=True),
          Output(str(tmp_path / "missing" / "dir" / "s.md"), "x", append=True, courtesy=True)])
    assert summary.read_text("utf-8") == "earlier step\nmine\n"
    deliver([Output("/proc/no-such-dir/s.md", "x", courtesy=True)])
    assert "cannot write the job summary" in capsys.readouterr().err


def test_deliver_masks_text_that_prepare_did_not(monkeypatch, capsys):
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", "hunter2-secret")
    deliver([Output(STDOUT, "password hunter2-secret at https://u:p@host/\n")])
    assert capsys.readouterr().out == "password *** at https://***@host/\n"


def test_rendering_masks_once(findings, ctx, monkeypatch):
    calls = []
    import mlgov_checks.secrets as secrets

    real = secrets.masker

    def counting():
        calls.append(1)
        return real()
    monkeypatch.setattr(secrets, "masker", counting)
    report_outputs(findings, replace(ctx), stdout_format="json", files=[("sarif", "a"), ("junit", "b")], env={})
    assert len(calls) == 1
