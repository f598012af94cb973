"""JUnit XML report: a testsuite per target, a testcase per check, for GitLab's and Jenkins' importers.

A check that yields several findings on one target is one testcase: its worst status decides the
element (error > failure > skipped for waived), and the element's text lists every finding.
Warnings pass, with the warning in system-out. Layout follows the schema both importers read:
https://github.com/testmoapp/junitxml
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # nosec B405 - builds XML, never parses it
from collections.abc import Sequence

from mlgov_checks.findings import Finding, Status, group_by_target
from mlgov_checks.reporters import ReportContext
from mlgov_checks.reporters._common import masked, relative_path, targets_in_order, visible, worst

# Every text reaching the XML goes through `visible`: XML 1.0 cannot carry most control characters,
# not even as character references.
_clean = visible


def _line(f: Finding) -> str:
    where = f"{f.location}: " if f.file else ""
    text = f"{where}[{f.status.value}] {f.message}"
    if f.hint and f.status in (Status.FAIL, Status.ERROR, Status.WARN):
        text += f"\n  fix: {f.hint}"
    return text


def _testcase(parent: ET.Element, target: str, check: str, group: list[Finding]) -> dict[str, int]:
    status = worst(f.status for f in group)
    case = ET.SubElement(parent, "testcase", {"classname": _clean(target), "name": _clean(check)})
    files = [f for f in group if f.file]
    if files:  # GitLab links the test to this file
        case.set("file", _clean(relative_path(files[0].file or "")))
    case.set("time", "0")
    bad = [f for f in group if f.status is status]
    summary = bad[0].message if len(bad) == 1 else f"{len(bad)} findings; first: {bad[0].message}"
    body = "\n".join(_line(f) for f in group if f.status is not Status.PASS)
    counts = {"failures": 0, "errors": 0, "skipped": 0}
    if status is Status.ERROR:
        ET.SubElement(case, "error", {"message": _clean(summary), "type": "could-not-evaluate"}).text = (
            _clean(body))
        counts["errors"] = 1
    elif status is Status.FAIL:
        ET.SubElement(case, "failure", {"message": _clean(summary), "type": check}).text = _clean(body)
        counts["failures"] = 1
    elif status is Status.WAIVED:
        ET.SubElement(case, "skipped", {"message": _clean(f"waived: {summary}")}).text = _clean(body)
        counts["skipped"] = 1
    elif status is Status.WARN:
        ET.SubElement(case, "system-out").text = _clean(body)
    return counts


def render(findings: Sequence[Finding], ctx: ReportContext) -> str:
    shown = masked(findings)
    groups = group_by_target(shown)
    root = ET.Element("testsuites", {"name": _clean(f"mlgov {ctx.command}")})
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for target in targets_in_order(shown, ctx.targets):
        suite = ET.SubElement(root, "testsuite", {"name": _clean(target)})
        props = ET.SubElement(suite, "properties")
        for name, value in (("mlgov.command", ctx.command), ("mlgov.version", ctx.tool_version),
                            ("mlgov.policy", ctx.policy_source or "(defaults)"),
                            ("mlgov.target", target)):
            ET.SubElement(props, "property", {"name": name, "value": _clean(value)})
        by_check: dict[str, list[Finding]] = {}
        for f in groups.get(target, []):
            by_check.setdefault(f.check, []).append(f)
        sums = {"tests": len(by_check), "failures": 0, "errors": 0, "skipped": 0}
        for check, group in by_check.items():
            for key, n in _testcase(suite, target, check, group).items():
                sums[key] += n
        for key in ("tests", "failures", "errors", "skipped"):
            suite.set(key, str(sums[key]))
            totals[key] += sums[key]
        suite.set("time", "0")
    for key, total in totals.items():
        root.set(key, str(total))
    root.set("time", "0")
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
