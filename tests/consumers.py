"""The reports' real consumers, run on every report the suite produces.

- SARIF: the SARIF 2.1.0 JSON Schema, Microsoft's SARIF Multitool (`validate --rule-kind "Sarif;Gh"`:
  the SARIF rules and GitHub's ingestion rules; installed by scripts/install-test-deps.sh from npm),
  and every physical location naming an existing file under the repository root.
- JUnit: `xmllint --schema` against Jenkins xunit's junit-10.xsd (jenkins flavor), and junitparser
  (PyPI), whose counts must equal the file's own.
- GitHub annotations: a port of the Actions runner's workflow-command parsing, and `file=` naming an
  existing file under the root.
A consumer that is missing skips the test, except under CI (CI set), where it fails.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import unquote

from tests.conftest import tool_missing

TESTS = Path(__file__).resolve().parent
REPO_ROOT = TESTS.parent
SARIF_SCHEMA = TESTS / "data" / "sarif-schema-2.1.0.json"
JENKINS_XSD = TESTS / "data" / "schemas" / "jenkins-xunit-junit-10.xsd"
NODE_PREFIX = Path(os.environ.get("MLGOV_NODE_PREFIX", REPO_ROOT / ".cache" / "node"))


def missing(what: str) -> None:
    """Skip for a missing consumer; under CI, fail: CI must run every consumer."""
    tool_missing(f"{what} is not installed (bash scripts/install-test-deps.sh)")


def multitool() -> str:
    """The SARIF Multitool's own binary (its npm `bin` wrapper runs through a shell, which would
    split `Sarif;Gh` at the semicolon)."""
    pattern = str(NODE_PREFIX / "node_modules" / "@microsoft" / "sarif-multitool-*" / "Sarif.Multitool")
    found = sorted(glob.glob(pattern))
    if not found:
        missing("the SARIF Multitool (npm @microsoft/sarif-multitool)")
    return found[0]


def _under_root(root: Path, rel: str) -> bool:
    full = (root / rel).resolve()
    return full.is_file() and (full == root.resolve() or root.resolve() in full.parents)


def check_sarif(text: str, root: Path) -> dict:
    """Validate one SARIF text with every consumer; return the parsed document."""
    import jsonschema

    doc = json.loads(text)
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text("utf-8"))).validate(doc)
    for run in doc["runs"]:
        assert run["tool"]["driver"].get("informationUri", "").startswith("https://"), "no informationUri (SARIF2005)"
        for result in run["results"]:
            assert result.get("partialFingerprints"), result
            (location,) = result["locations"]
            artifact = location["physicalLocation"]["artifactLocation"]
            uri = artifact["uri"]
            assert artifact["uriBaseId"] == "%SRCROOT%"
            assert not uri.startswith("/") and ":" not in uri.split("/")[0] and not os.path.isabs(unquote(uri)), uri
            assert _under_root(root, unquote(uri)), f"{uri} is not a file under {root}"
    errors = run_multitool(text)
    assert errors == [], "\n".join(errors)
    return doc


def run_multitool(text: str) -> list[str]:
    """The Multitool's error- and warning-level results ("Sarif;Gh" rules) on `text`."""
    tool = multitool()
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "report.sarif", Path(tmp) / "validation.sarif"
        src.write_text(text, encoding="utf-8")
        proc = subprocess.run([tool, "validate", "--rule-kind", "Sarif;Gh", "--output", str(out), str(src)],
                              capture_output=True, text=True, check=False, timeout=300,
                              env={**os.environ, "DOTNET_CLI_TELEMETRY_OPTOUT": "1"})
        # The Multitool exits 0 even when it reports errors: its own log is what counts.
        assert out.exists(), proc.stdout + proc.stderr
        log = json.loads(out.read_text("utf-8"))
    problems = []
    for run in log["runs"]:
        for r in run.get("results", []):
            level = r.get("level", "warning")  # SARIF's default level
            if level in ("error", "warning"):
                problems.append(f"{level} {r['ruleId']}: {r['message'].get('text') or r['message'].get('arguments')}")
        for note in run.get("invocations", [{}])[0].get("toolExecutionNotifications", []):
            if note.get("level", "warning") == "error":
                problems.append(f"tool error: {note['message']['text']}")
    return problems


def xmllint_xsd(text: str) -> subprocess.CompletedProcess[str]:
    if shutil.which("xmllint") is None:
        missing("xmllint (Debian libxml2-utils)")
    return subprocess.run(["xmllint", "--noout", "--schema", str(JENKINS_XSD), "-"], input=text,
                          capture_output=True, text=True, check=False, timeout=60)


def check_junit(text: str, root: Path, *, flavor: str = "jenkins"):
    """Validate one JUnit text: the Jenkins XSD (jenkins flavor), junitparser; return junitparser's view."""
    try:
        from junitparser import JUnitXml
    except ImportError:
        missing("junitparser (pip install junitparser)")
    proc = xmllint_xsd(text)
    if flavor == "jenkins":
        assert proc.returncode == 0, proc.stderr
    xml = JUnitXml.fromstring(text.encode("utf-8"))
    total = {"tests": 0, "failures": 0, "errors": 0}
    for suite in xml:
        cases = list(suite)
        counted = {"tests": len(cases), "failures": 0, "errors": 0, "skipped": 0}
        for case in cases:
            for res in case.result:
                key = {"Failure": "failures", "Error": "errors", "Skipped": "skipped"}[type(res).__name__]
                counted[key] += 1
            file = case._elem.get("file")
            if flavor == "gitlab" and file is not None:
                assert _under_root(root, file), file
            assert flavor == "gitlab" or file is None
        assert (suite.tests, suite.failures, suite.errors, suite.skipped) == (
            counted["tests"], counted["failures"], counted["errors"], counted["skipped"])
        for key in total:
            total[key] += counted[key]
    assert (xml.tests, xml.failures, xml.errors) == (total["tests"], total["failures"], total["errors"])
    return xml


# --- the Actions runner's workflow-command parsing (actions/runner, ActionCommand.TryParseV2) ---

_PROPERTY_UNESCAPE = (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%"))
_DATA_UNESCAPE = (("%0D", "\r"), ("%0A", "\n"), ("%25", "%"))


def _unescape(text: str, table) -> str:
    for code, char in table:
        text = text.replace(code, char)
    return text


def parse_command(line: str) -> dict[str, str] | None:
    """`::name k=v,k=v::data` as the runner reads it; None when the runner would not see a command."""
    message = line.lstrip()
    if not message.startswith("::"):
        return None
    end = message.find("::", 2)
    if end < 0:
        return None
    info = message[2:end]
    name, _, props_text = info.partition(" ")
    out = {"command": name}
    for prop in (p for p in props_text.strip().split(",") if p):
        key, sep, value = prop.partition("=")
        if key and sep:
            out[key] = _unescape(value, _PROPERTY_UNESCAPE)
    out["message"] = _unescape(message[end + 2:], _DATA_UNESCAPE)
    return out


def check_github(text: str, root: Path) -> list[dict[str, str]]:
    """Every line an annotation the runner accepts, its file an existing file under the root."""
    parsed = []
    for line in text.splitlines():
        cmd = parse_command(line)
        assert cmd is not None, f"not a workflow command: {line!r}"
        assert cmd["command"] in ("error", "warning", "notice"), line
        assert set(cmd) <= {"command", "message", "title", "file", "line", "col", "endLine", "endColumn"}, line
        if "file" in cmd:
            assert _under_root(root, cmd["file"]), f"{cmd['file']} is not a file under {root}"
        for key in ("line", "col"):
            assert key not in cmd or cmd[key].isdigit(), line
        parsed.append(cmd)
    return parsed
