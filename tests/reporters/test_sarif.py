"""SARIF report: golden output, valid against the SARIF 2.1.0 schema, shaped for code scanning."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote

import jsonschema
import pytest

from mlgov_checks.checks import REGISTRY
from mlgov_checks.findings import Finding, Status
from mlgov_checks.reporters import ReportContext, render

SCHEMA = json.loads((Path(__file__).parent.parent / "data" / "sarif-schema-2.1.0.json").read_text("utf-8"))
URI_REFERENCE = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=@/]|%[0-9A-F]{2})*")


def sarif(findings, ctx):
    doc = json.loads(render("sarif", findings, ctx))
    jsonschema.Draft4Validator(SCHEMA).validate(doc)
    return doc


def test_golden(findings, ctx, golden):
    golden("findings.sarif", render("sarif", findings, ctx))


@pytest.mark.parametrize("policy_source", [".mlgov.yaml", None])
def test_valid_against_the_sarif_schema(findings, policy_source):
    doc = sarif(findings, ReportContext(policy_source=policy_source))
    assert doc["version"] == "2.1.0"


def test_rules_come_from_the_registry(findings, ctx):
    run = sarif(findings, ctx)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted({f.check for f in findings if f.status is not Status.PASS})
    for rule in rules:
        check = REGISTRY[rule["id"]]
        assert rule["shortDescription"]["text"] == check.title
        assert rule["fullDescription"]["text"] == check.explanation
        assert rule["help"]["text"].startswith(check.explanation)
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_an_unregistered_check_still_gets_a_rule():
    doc = sarif([Finding("custom-thing", Status.FAIL, "t", "m")], ReportContext())
    assert doc["runs"][0]["tool"]["driver"]["rules"][0]["name"] == "CustomThing"


def test_results_levels_locations_and_suppressions(names, findings, ctx):
    results = sarif(findings, ctx)["runs"][0]["results"]
    assert len(results) == sum(f.status is not Status.PASS for f in findings)  # passes left out
    by_key = {(r["ruleId"], r["properties"]["mlgovTarget"]): r for r in results}
    card = by_key[("card-required-field", names.CARD)]["locations"][0]["physicalLocation"]
    assert card == {"artifactLocation": {"uri": names.CARD, "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": 3, "startColumn": 1}}
    model = by_key[("provenance-reviewer", names.MODEL)]
    assert model["level"] == "error"
    assert model["locations"][0]["logicalLocations"] == [
        {"fullyQualifiedName": names.MODEL, "kind": "resource"}]
    assert model["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == ".mlgov.yaml"
    waived = by_key[("provenance-review-status", names.MODEL)]
    assert waived["suppressions"] == [{
        "kind": "external", "status": "accepted",
        "justification": "review status is 'pending'; waived by Zoë Ångström until 2026-12-01: "
                         "audit CR-7 in progress"}]
    assert by_key[("waiver-expiring", ".mlgov.yaml")]["level"] == "warning"
    assert "suppressions" not in model


def test_uris_are_percent_encoded_relative_references(names, findings, ctx):
    results = sarif(findings, ctx)["runs"][0]["results"]
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results]
    assert all(URI_REFERENCE.fullmatch(u) for u in uris)
    assert names.ODD_CARD in {unquote(u) for u in uris}


def test_target_results_get_distinct_fingerprints():
    findings = [Finding("provenance-reviewer", Status.FAIL, f"models:/m/{v}", "no reviewer") for v in (1, 2)]
    findings.append(Finding("provenance-reviewer", Status.FAIL, "models:/m/1", "second problem"))
    results = sarif(findings, ReportContext(policy_source=".mlgov.yaml"))["runs"][0]["results"]
    hashes = [r["partialFingerprints"]["primaryLocationLineHash"] for r in results]
    assert len(set(hashes)) == 3
    assert hashes[0].split(":")[0] == hashes[2].split(":")[0] and hashes[2].endswith(":2")


def test_without_a_policy_file_target_results_keep_the_logical_location():
    doc = sarif([Finding("provenance-reviewer", Status.FAIL, "runs:/abc", "no reviewer")], ReportContext())
    (location,) = doc["runs"][0]["results"][0]["locations"]
    assert "physicalLocation" not in location and location["logicalLocations"][0]["fullyQualifiedName"] == (
        "runs:/abc")


def test_credentials_are_masked(findings, ctx):
    assert "s3cr3t" not in render("sarif", findings, ctx)
