"""SARIF report: golden output, valid against the SARIF 2.1.0 schema, shaped for code scanning."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote

import consumers
import jsonschema
import pytest

from mlgov_checks.checks import REGISTRY
from mlgov_checks.findings import Finding, Status
from mlgov_checks.reports.findings import ReportContext, render
from mlgov_checks.reports.findings.locations import RepoLayout

SCHEMA = json.loads((Path(__file__).parent.parent / "data" / "sarif-schema-2.1.0.json").read_text("utf-8"))
URI_REFERENCE = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=@/]|%[0-9A-F]{2})*")


def sarif(findings, ctx):
    doc = json.loads(render("sarif", findings, ctx))
    jsonschema.Draft4Validator(SCHEMA).validate(doc)
    return doc


def test_golden(findings, ctx, golden):
    text = render("sarif", findings, ctx)
    golden("findings.sarif", text)
    consumers.check_sarif(text, Path(ctx.layout.root))  # the SARIF Multitool, every URI an existing file


@pytest.mark.parametrize("policy_source", [".mlgov.yaml", None])
def test_valid_against_the_sarif_schema(findings, ctx, policy_source):
    doc = sarif(findings, replace(ctx, policy_source=policy_source))
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


def test_target_results_get_distinct_fingerprints(tmp_path):
    findings = [Finding("provenance-reviewer", Status.FAIL, f"models:/m/{v}", "no reviewer") for v in (1, 2)]
    findings.append(Finding("provenance-reviewer", Status.FAIL, "models:/m/1", "second problem"))
    results = sarif(findings, ReportContext(policy_source=".mlgov.yaml", layout=_layout(tmp_path)))["runs"][0][
        "results"]
    hashes = [r["partialFingerprints"]["primaryLocationLineHash"] for r in results]
    assert len(set(hashes)) == 3
    assert hashes[0].split(":")[0] == hashes[2].split(":")[0] and hashes[2].endswith(":2")


def _layout(root, **kw):
    (root / "README.md").write_text("# r\n", encoding="utf-8")
    return RepoLayout(root=str(root), cwd=str(root), fallback="README.md", **kw)


def test_without_a_policy_file_target_results_are_anchored_to_the_fallback(tmp_path):
    ctx = ReportContext(layout=_layout(tmp_path))
    doc = sarif([Finding("provenance-reviewer", Status.FAIL, "runs:/abc", "no reviewer")], ctx)
    (location,) = doc["runs"][0]["results"][0]["locations"]
    assert location["physicalLocation"]["artifactLocation"] == {"uri": "README.md", "uriBaseId": "%SRCROOT%"}
    assert location["logicalLocations"][0]["fullyQualifiedName"] == "runs:/abc"


def test_a_logged_card_finding_points_at_the_matching_repository_card(tmp_path):
    import hashlib

    content = b"purpose: TBD\n"
    (tmp_path / "models" / "churn").mkdir(parents=True)
    (tmp_path / "models" / "churn" / "model_card.yaml").write_bytes(content)
    shown = "models:/churn/2/documentation/model_card.yaml"
    layout = _layout(tmp_path, cards=(("models/churn/model_card.yaml", hashlib.sha256(content).hexdigest()),),
                     logged=((shown, hashlib.sha256(content).hexdigest()),))
    f = Finding("card-placeholder", Status.FAIL, "models:/churn/2", "purpose is a placeholder", file=shown,
                line=1, column=10)
    (location,) = sarif([f], ReportContext(layout=layout))["runs"][0]["results"][0]["locations"]
    assert location["physicalLocation"] == {
        "artifactLocation": {"uri": "models/churn/model_card.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 1, "startColumn": 10}}
    assert [x["fullyQualifiedName"] for x in location["logicalLocations"]] == ["models:/churn/2", shown]


def test_automation_details_only_with_a_category(findings, ctx):
    assert "automationDetails" not in sarif(findings, ctx)["runs"][0]
    doc = sarif(findings, replace(ctx, sarif_category="gate/prod"))
    assert doc["runs"][0]["automationDetails"] == {"id": "gate/prod/"}


def test_fingerprints_come_from_check_target_and_location_not_the_message(ctx):
    def fp(message):
        f = Finding("provenance-reviewer", Status.FAIL, "models:/m/1", message)
        return sarif([f], ctx)["runs"][0]["results"][0]["partialFingerprints"]["primaryLocationLineHash"]
    assert fp("no reviewer (run 1)") == fp("no reviewer, said differently")


def test_credentials_are_masked(findings, ctx):
    assert "s3cr3t" not in render("sarif", findings, ctx)
