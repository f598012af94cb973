"""JUnit report: golden output, and the structure GitLab's and Jenkins' importers read."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from mlgov_checks.findings import Finding, Status
from mlgov_checks.reporters import ReportContext, render


def parse(findings, ctx):
    return ET.fromstring(render("junit", findings, ctx).encode("utf-8"))


def test_golden(findings, ctx, golden):
    golden("findings.junit.xml", render("junit", findings, ctx))


def test_structure_for_gitlab_and_jenkins(findings, ctx):
    root = parse(findings, ctx)
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [*ctx.targets, ".mlgov.yaml"]
    for suite in suites:
        cases = suite.findall("testcase")
        assert int(suite.get("tests")) == len(cases)
        assert int(suite.get("failures")) == len(suite.findall("testcase/failure"))
        assert int(suite.get("errors")) == len(suite.findall("testcase/error"))
        assert int(suite.get("skipped")) == len(suite.findall("testcase/skipped"))
        for case in cases:
            assert case.get("classname") == suite.get("name")
            assert case.get("name")
        props = {p.get("name"): p.get("value") for p in suite.findall("properties/property")}
        assert props["mlgov.target"] == suite.get("name")
        assert props["mlgov.policy"] == ".mlgov.yaml"
    for key in ("tests", "failures", "errors", "skipped"):
        assert int(root.get(key)) == sum(int(s.get(key)) for s in suites)
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == (
        "8", "3", "1", "1")


def test_one_testcase_per_check_lists_every_finding(names, findings, ctx):
    root = parse(findings, ctx)
    suite = root.find(f"testsuite[@name='{names.CARD}']")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == ["card-required-field", "card-syntax"]
    failure = cases[0].find("failure")
    assert failure.get("message") == "2 findings; first: required field 'limitations' is missing"
    assert "'training_data' is missing" in failure.text
    assert cases[0].get("file") == names.CARD
    assert list(cases[1]) == []  # a pass has no child element


def test_statuses_map_to_elements(names, findings, ctx):
    root = parse(findings, ctx)
    model = {c.get("name"): c for c in root.find(f"testsuite[@name='{names.MODEL}']")
             .findall("testcase")}
    assert model["provenance-reviewer"].find("failure") is not None
    skipped = model["provenance-review-status"].find("skipped")
    assert skipped.get("message").startswith("waived: review status is 'pending'; waived by Zoë")
    error = root.find(f"testsuite[@name='{names.RUN}']/testcase/error")
    assert error.get("type") == "could-not-evaluate"
    warn = root.find("testsuite[@name='.mlgov.yaml']/testcase")
    assert warn.find("failure") is None and "valid through 2026-12-01" in warn.find("system-out").text


def test_escaping_round_trips_and_control_characters_stay_parseable(findings, ctx):
    root = parse(findings, ctx)
    failure = root.find("testsuite[@name='cards/ünï, co:de/model_card.yaml']/testcase/failure")
    assert failure.get("message") == ("purpose is a placeholder ('TODO') — 100% <b>&amp;</b> | pipe "
                                      "*not bold* #12\nsecond line\r\nthird: x, y\\x1b[31m")


def test_credentials_are_masked(findings, ctx):
    text = render("junit", findings, ctx)
    assert "s3cr3t" not in text and "https://***@mlflow.example.com/api" in text


def test_no_findings_is_an_empty_but_valid_report():
    root = ET.fromstring(render("junit", [], ReportContext(command="card")).encode())
    assert root.get("tests") == "0" and root.findall("testsuite") == []


def test_multiple_errors_and_failures_in_one_check():
    findings = [Finding("card-syntax", Status.FAIL, "a.yaml", "bad", file="a.yaml", line=1),
                Finding("card-syntax", Status.ERROR, "a.yaml", "unreadable", file="a.yaml")]
    case = ET.fromstring(render("junit", findings, ReportContext()).encode()).find("testsuite/testcase")
    assert case.find("failure") is None  # error outranks failure
    assert case.find("error").get("message") == "unreadable"
    assert "[fail] bad" in case.find("error").text
