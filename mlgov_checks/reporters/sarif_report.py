"""SARIF 2.1.0 report, shaped for GitHub code scanning (upload-sarif).

- Rules come from the check registry: id, a PascalCase name, the title as short description, the
  explanation as full description and help.
- Passing findings are left out: code scanning closes alerts that are absent from a new analysis.
- Waived findings are results with an external, accepted suppression carrying the justification.
- Code scanning rejects results without a location, so findings on an MLflow target (no file) are
  placed on the policy file when there is one, and always carry a logical location naming the target
  plus a fingerprint of check and target, so alerts on different targets stay distinct.
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
from mlgov_checks.reporters import ReportContext
from mlgov_checks.reporters._common import masked, relative_path, visible

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
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


def _physical(uri: str, line: int | None, column: int | None) -> dict[str, Any]:
    # A relative URI reference: percent-encoded (spaces, `:` that would read as a scheme, non-ASCII).
    loc: dict[str, Any] = {"artifactLocation": {"uri": quote(uri, safe="/"), "uriBaseId": "%SRCROOT%"}}
    if line:
        loc["region"] = {"startLine": line, **({"startColumn": column} if column else {})}
    return loc


def _result(f: Finding, rule_index: int, ctx: ReportContext, occurrence: int) -> dict[str, Any]:
    text = f.message if f.file else f"{f.target}: {f.message}"
    if f.hint and f.status is not Status.WAIVED:
        text += f"\nFix: {f.hint}"
    location: dict[str, Any] = {}
    result: dict[str, Any] = {
        "ruleId": f.check, "ruleIndex": rule_index, "level": _LEVEL[f.status],
        "message": {"text": text}, "locations": [location],
    }
    if f.file:
        location["physicalLocation"] = _physical(relative_path(f.file), f.line, f.column)
    elif ctx.policy_source:
        location["physicalLocation"] = _physical(relative_path(visible(ctx.policy_source)), 1, None)
    if not f.file or f.file != f.target:
        location["logicalLocations"] = [{"fullyQualifiedName": f.target, "kind": "resource"}]
    if not f.file:
        digest = hashlib.sha256(f"{f.check}\0{f.target}".encode()).hexdigest()[:32]
        result["partialFingerprints"] = {"primaryLocationLineHash": f"{digest}:{occurrence}"}
    if f.status is Status.WAIVED:
        result["suppressions"] = [{"kind": "external", "status": "accepted", "justification": f.message}]
    result["properties"] = {"mlgovStatus": f.status.value, "mlgovTarget": f.target}
    return result


def render(findings: Sequence[Finding], ctx: ReportContext) -> str:
    shown = [f for f in masked(findings) if f.status is not Status.PASS]
    rule_ids = sorted({f.check for f in shown})
    index = {rid: i for i, rid in enumerate(rule_ids)}
    seen: Counter[tuple[str, str]] = Counter()
    results = []
    for f in shown:
        seen[(f.check, f.target)] += 1
        results.append(_result(f, index[f.check], ctx, seen[(f.check, f.target)]))
    doc = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "mlgov-checks", "version": ctx.tool_version,
                "rules": [_rule(rid) for rid in rule_ids],
            }},
            "automationDetails": {"id": f"mlgov/{ctx.command}/"},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
