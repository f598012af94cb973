"""JUnit XML report: a testsuite per target, a testcase per finding, for Jenkins and GitLab.

One testcase per finding, so the counts a CI shows are the counts mlgov prints: tests = every
finding, failures = failed, errors = could not be evaluated, skipped = waived; a warning passes, with
the warning in system-out (a CI's "passed" is mlgov's passed plus warnings).

Two flavors, because the consumers disagree on one attribute:
- `jenkins` (default): valid against the xunit plugin's junit-10.xsd, which has no testcase/@file
  and no testsuites/@skipped; the repository path is in each failure's text.
- `gitlab`: adds testcase/@file (the repository-root-relative path), which GitLab shows as the link.
  Chosen when GitLab CI runs mlgov (GITLAB_CI=true), or with MLGOV_JUNIT_FLAVOR=gitlab|jenkins.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # nosec B405 - builds XML, never parses it
from collections import Counter
from collections.abc import Sequence

from mlgov_checks.findings import Finding, Status, group_by_target
from mlgov_checks.reports.findings._common import layout_of, targets_in_order
from mlgov_checks.reports.findings.context import ReportContext
from mlgov_checks.reports.findings.locations import Location, RepoLayout, locate, target_name

_ELEMENT = {Status.FAIL: "failure", Status.ERROR: "error", Status.WAIVED: "skipped"}
_COUNT = {Status.FAIL: "failures", Status.ERROR: "errors", Status.WAIVED: "skipped"}


def _text(f: Finding, loc: Location) -> str:
    where = loc.text or f.target
    if loc.logical:
        where += f" ({', '.join(loc.logical)})" if where != f.target else ""
    text = f"{where}: [{f.status.value}] {f.message}"
    if f.hint and f.status in (Status.FAIL, Status.ERROR, Status.WARN):
        text += f"\n  fix: {f.hint}"
    return text


def _testcase(suite: ET.Element, f: Finding, name: str, loc: Location, flavor: str) -> None:
    case = ET.SubElement(suite, "testcase", {"classname": suite.get("name", ""), "name": name})
    if flavor == "gitlab" and loc.uri:
        case.set("file", loc.uri)
    case.set("time", "0")
    element = _ELEMENT.get(f.status)
    if element == "error":
        ET.SubElement(case, "error", {"message": f.message, "type": "could-not-evaluate"}).text = _text(f, loc)
    elif element == "failure":
        ET.SubElement(case, "failure", {"message": f.message, "type": f.check}).text = _text(f, loc)
    elif element == "skipped":
        ET.SubElement(case, "skipped", {"message": f"waived: {f.message}"}).text = _text(f, loc)
    elif f.status is Status.WARN:
        ET.SubElement(case, "system-out").text = _text(f, loc)


def _suite(root: ET.Element, target: str, group: Sequence[Finding], ctx: ReportContext,
           layout: RepoLayout) -> Counter[str]:
    suite = ET.SubElement(root, "testsuite", {"name": target_name(target, layout)})
    props = ET.SubElement(suite, "properties")
    for name, value in (("mlgov.command", ctx.command), ("mlgov.version", ctx.tool_version),
                        ("mlgov.policy", ctx.policy_source or "(defaults)"), ("mlgov.target", suite.get("name", ""))):
        ET.SubElement(props, "property", {"name": name, "value": value})
    sums: Counter[str] = Counter(tests=len(group))
    names: Counter[str] = Counter(f.check for f in group)
    seen: Counter[str] = Counter()
    for f in group:
        seen[f.check] += 1
        name = f.check if names[f.check] == 1 else f"{f.check} ({seen[f.check]})"
        _testcase(suite, f, name, locate(f, layout), ctx.junit_flavor)
        if f.status in _COUNT:
            sums[_COUNT[f.status]] += 1
    for key in ("tests", "failures", "errors", "skipped"):
        suite.set(key, str(sums[key]))
    suite.set("time", "0")
    return sums


def render(findings: Sequence[Finding], ctx: ReportContext) -> str:
    groups = group_by_target(findings)
    layout = layout_of(ctx)
    root = ET.Element("testsuites", {"name": f"mlgov {ctx.command}"})
    totals: Counter[str] = Counter()
    for target in targets_in_order(findings, ctx.targets):
        totals.update(_suite(root, target, groups.get(target, []), ctx, layout))
    for key in ("tests", "failures", "errors"):  # junit-10.xsd has no testsuites/@skipped
        root.set(key, str(totals[key]))
    root.set("time", "0")
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
