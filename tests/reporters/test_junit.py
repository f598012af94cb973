"""JUnit report: golden output, and the structure GitLab's and Jenkins' importers read."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import consumers

from mlgov_checks.findings import Finding, Status
from mlgov_checks.reports.findings import ReportContext, render
from mlgov_checks.reports.findings.context import flavor_from_env


def parse(findings, ctx):
    return ET.fromstring(render("junit", findings, ctx).encode("utf-8"))


def test_golden(findings, ctx, golden):
    text = render("junit", findings, ctx)
    golden("findings.junit.xml", text)
    consumers.check_junit(text, Path(ctx.layout.root))  # the Jenkins xunit XSD and junitparser


def test_gitlab_flavor_links_each_testcase_to_its_file(names, findings, ctx):
    text = render("junit", findings, replace(ctx, junit_flavor="gitlab"))
    consumers.check_junit(text, Path(ctx.layout.root), flavor="gitlab")
    root = ET.fromstring(text.encode())
    files = {c.get("name"): c.get("file") for c in root.find(f"testsuite[@name='{names.MODEL}']")}
    assert files["provenance-reviewer"] == ".mlgov.yaml"  # a target is anchored to the policy that governs it
    card = root.find(f"testsuite[@name='{names.CARD}']/testcase")
    assert card.get("file") == names.CARD


def test_flavor_rule():
    assert flavor_from_env({}) == "jenkins"
    assert flavor_from_env({"GITLAB_CI": "true"}) == "gitlab"
    assert flavor_from_env({"GITLAB_CI": "true", "MLGOV_JUNIT_FLAVOR": "jenkins"}) == "jenkins"
    assert flavor_from_env({"MLGOV_JUNIT_FLAVOR": "GitLab"}) == "gitlab"


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
            assert case.get("file") is None  # jenkins flavor: junit-10.xsd has no testcase/@file
            assert case.get("classname") == suite.get("name")
            assert case.get("name")
        props = {p.get("name"): p.get("value") for p in suite.findall("properties/property")}
        assert props["mlgov.target"] == suite.get("name")
        assert props["mlgov.policy"] == ".mlgov.yaml"
    for key in ("tests", "failures", "errors"):
        assert int(root.get(key)) == sum(int(s.get(key)) for s in suites)
    assert root.get("skipped") is None  # not in junit-10.xsd
    # one testcase per finding: the counts mlgov prints
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == (
        str(len(findings)), str(sum(f.status is Status.FAIL for f in findings)), "1")


def test_one_testcase_per_finding(names, findings, ctx):
    root = parse(findings, ctx)
    suite = root.find(f"testsuite[@name='{names.CARD}']")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == ["card-required-field (1)", "card-required-field (2)", "card-syntax"]
    failure = cases[0].find("failure")
    assert failure.get("message") == "required field 'limitations' is missing"
    assert failure.text.startswith(f"{names.CARD}:3:1: [fail]")
    assert "'training_data' is missing" in cases[1].find("failure").text
    assert list(cases[2]) == []  # a pass has no child element


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


def test_an_error_and_a_failure_of_one_check_are_two_testcases(tmp_path):
    findings = [Finding("card-syntax", Status.FAIL, "a.yaml", "bad", file="a.yaml", line=1),
                Finding("card-syntax", Status.ERROR, "a.yaml", "unreadable", file="a.yaml")]
    cases = ET.fromstring(render("junit", findings, ReportContext()).encode()).findall("testsuite/testcase")
    assert [c[0].tag for c in cases] == ["failure", "error"]
    assert cases[1].find("error").get("message") == "unreadable"
