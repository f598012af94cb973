"""SARIF 2.1.0 report, shaped for GitHub code scanning (upload-sarif).

- Rules come from the check registry: id, a PascalCase name, the title as short description, the
  explanation as full description and help.
- Passing findings are left out: code scanning closes alerts that are absent from a new analysis.
- Waived findings are results with an external, accepted suppression carrying the justification.
- Every result has a physical location on a real repository file, relative to %SRCROOT% (the
  repository root): findings on an MLflow target are anchored to the file that governs them
  (`locations.py`) and keep the target, and the artifact path, as logical locations.
- `partialFingerprints` come from the check, the target and the location, never the message, so an
  alert stays the same alert across runs. `automationDetails` is written only for
  `--sarif-category`: otherwise upload-sarif's `category` decides.
https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from mlgov_checks.findings import Finding, Status
from mlgov_checks.reports.findings import ReportContext
from mlgov_checks.reports.findings._common import layout_of
from mlgov_checks.reports.findings.locations import Location, RepoLayout, locate, target_name

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/mlgov-checks/"
_LEVEL = {Status.FAIL: "error", Status.ERROR: "error", Status.WAIVED: "error", Status.WARN: "warning"}


def _rule(check_id: str) -> dict[str, Any]:
    from mlgov_checks.checks import REGISTRY

    check = REGISTRY.get(check_id)
    title = check.title if check else check_id
    explanation = check.explanation if check else f"Findings of {check_id}."
    help_text = explanation + (f"\n\nHow to fix: {check.hint}" if check and check.hint else "")
    return {
        "id": check_id,
        "name": "".join(part.capitalize() for part in check_id.split("-")),
        "shortDescription": {"text": title},
        "fullDescription": {"text": explanation},
        "help": {"text": help_text},
        "properties": {"tags": ["mlgov", check_id.split("-")[0]]},
    }


def _physical(loc: Location) -> dict[str, Any]:
    # A relative URI reference: percent-encoded (spaces, `:` that would read as a scheme, non-ASCII).
    # A region is required (SARIF2017); a finding on a whole file or an anchor points at its first line.
    region = {"startLine": loc.line or 1, **({"startColumn": loc.column} if loc.line and loc.column else {})}
    return {"artifactLocation": {"uri": quote(loc.uri or "", safe="/"), "uriBaseId": "%SRCROOT%"},
            "region": region}


def fingerprint(f: Finding, loc: Location, target: str) -> str:
    """A stable identity: check, target and location (never the message, which may carry values)."""
    key = "\0".join([f.check, target, loc.uri or "", str(loc.line or 0), str(loc.column or 0), *loc.logical])
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _result(f: Finding, rule_index: int, loc: Location, target: str, occurrence: int) -> dict[str, Any]:
    text = f"{target}: {f.message}" if loc.logical else f.message
    if loc.logical and f.file and f.file != f.target:
        text += f" (at {f.location})"
    if f.hint and f.status is not Status.WAIVED:
        text += f"\nFix: {f.hint}"
    location: dict[str, Any] = {}
    if loc.uri:
        location["physicalLocation"] = _physical(loc)
    if loc.logical:
        location["logicalLocations"] = [{"fullyQualifiedName": name, "kind": "resource"} for name in loc.logical]
    result: dict[str, Any] = {
        "ruleId": f.check, "ruleIndex": rule_index, "level": _LEVEL[f.status],
        "message": {"text": text}, "locations": [location],
        "partialFingerprints": {"primaryLocationLineHash": f"{fingerprint(f, loc, target)}:{occurrence}"},
    }
    if f.status is Status.WAIVED:
        result["suppressions"] = [{"kind": "external", "status": "accepted", "justification": f.message}]
    result["properties"] = {"mlgovStatus": f.status.value, "mlgovTarget": target}
    return result


def _results(shown: Sequence[Finding], index: dict[str, int], layout: RepoLayout) -> list[dict[str, Any]]:
    seen: Counter[str] = Counter()
    results = []
    for f in shown:
        loc, target = locate(f, layout), target_name(f.target, layout)
        key = fingerprint(f, loc, target)
        seen[key] += 1
        results.append(_result(f, index[f.check], loc, target, seen[key]))
    return results


def render(findings: Sequence[Finding], ctx: ReportContext) -> str:
    shown = [f for f in findings if f.status is not Status.PASS]
    rule_ids = sorted({f.check for f in shown})
    index = {rid: i for i, rid in enumerate(rule_ids)}
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": "mlgov-checks", "version": ctx.tool_version, "informationUri": INFORMATION_URI,
            "rules": [_rule(rid) for rid in rule_ids],
        }},
    }
    if ctx.sarif_category:  # else upload-sarif's `category` (or its default) names the analysis
        run["automationDetails"] = {"id": ctx.sarif_category.rstrip("/") + "/"}
    run["columnKind"] = "unicodeCodePoints"
    run["results"] = _results(shown, index, layout_of(ctx))
    doc = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
