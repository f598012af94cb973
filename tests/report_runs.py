"""Run `mlgov` as a user would (a fresh process, in a real repository) and collect every report it writes.

Each run writes SARIF, both JUnit flavors, annotations, Markdown and JSON, and every one of them goes
through the real consumers in tests/consumers.py before a test looks at it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import consumers

REPO_ROOT = Path(__file__).resolve().parent.parent
# Variables of the CI that runs the suite must not change where reports point.
_CI_VARS = ("GITHUB_ACTIONS", "GITHUB_WORKSPACE", "GITHUB_WORKFLOW_REF", "GITHUB_STEP_SUMMARY",
            "CI_PROJECT_DIR", "GITLAB_CI", "MLGOV_JUNIT_FLAVOR", "MLGOV_POLICY_REF")


@dataclass
class Reports:
    code: int
    stdout: str
    stderr: str
    sarif: dict
    junit: object  # junitparser's JUnitXml
    junit_text: str
    gitlab_text: str
    annotations: list[dict[str, str]]
    markdown: str
    json: dict


def mlgov(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in _CI_VARS}
    base.update(PYTHONPATH=str(REPO_ROOT), NO_COLOR="1", **(env or {}))
    return subprocess.run([sys.executable, "-m", "mlgov_checks", *args], cwd=cwd, env=base,
                          capture_output=True, text=True, check=False, timeout=300)


def run_reports(cwd: Path, root: Path, *args: str, out: Path, env: dict[str, str] | None = None) -> Reports:
    """`mlgov ARGS` with every report format; each report checked by its consumers."""
    out.mkdir(parents=True, exist_ok=True)
    files = {fmt: out / f"report.{fmt}" for fmt in ("sarif", "junit", "github", "markdown", "json")}
    reports = [a for fmt, path in files.items() for a in ("--report", f"{fmt}:{path}")]
    proc = mlgov(cwd, *args, *reports, env=env)
    assert proc.returncode in (0, 1, 3), proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    gitlab = mlgov(cwd, *args, "--format", "junit", env={**(env or {}), "GITLAB_CI": "true"})
    text = {fmt: path.read_text("utf-8") for fmt, path in files.items()}
    return Reports(
        code=proc.returncode, stdout=proc.stdout, stderr=proc.stderr,
        sarif=consumers.check_sarif(text["sarif"], root),
        junit=consumers.check_junit(text["junit"], root, flavor="jenkins"), junit_text=text["junit"],
        gitlab_text=_checked_gitlab(gitlab.stdout, root),
        annotations=consumers.check_github(text["github"], root),
        markdown=text["markdown"], json=json.loads(text["json"]))


def _checked_gitlab(text: str, root: Path) -> str:
    consumers.check_junit(text, root, flavor="gitlab")
    return text


def uris(reports: Reports) -> list[str]:
    return [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in reports.sarif["runs"][0]["results"]]
