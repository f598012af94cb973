"""Planted credentials never appear in mlgov's stdout, stderr or any report, whatever happens.

Each run plants a password in the tracking URI and values in MLFLOW_TRACKING_PASSWORD,
MLFLOW_TRACKING_TOKEN and DATABRICKS_TOKEN, writes every report format with --report (and, in
GitHub mode, the step summary), and scans all of it: against a real server (passing, failing and
missing targets), a dead port, stand-ins that fail mid-request, and an unusable URI.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mlgov_checks.reports.findings import FORMATS
from tests.conftest import REPO_ROOT
from tests.integration.conftest import HOST, free_port
from tests.integration.test_faults import FAULTS, StandIn

pytestmark = pytest.mark.integration

IN_URI = "UriPl4nted-pw"
SECRETS = {"MLFLOW_TRACKING_PASSWORD": "EnvPl4nted-password",
           "MLFLOW_TRACKING_TOKEN": "EnvPl4nted-token",
           "DATABRICKS_TOKEN": "dapiPl4nted0databricks"}
PLANTED = (IN_URI, *SECRETS.values())
TARGETS = ("models:/gov-compliant/1", "models:/gov-missing-card/1", "models:/gov-nope/1")


def run_scanned(uri: str, tmp_path: Path, *, stdout_format: str = "text", targets=TARGETS,
                github: bool = False) -> tuple[subprocess.CompletedProcess, list[str]]:
    """`mlgov check` with planted secrets; the process and every text it produced."""
    policy = tmp_path / "mlgov.yaml"
    policy.write_text("version: 1\n", encoding="utf-8")
    reports = [tmp_path / f"report-{fmt}.out" for fmt in FORMATS]
    args = [a for fmt, p in zip(FORMATS, reports) for a in ("--report", f"{fmt}:{p}")]
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("MLFLOW_TRACKING_", "MLFLOW_HTTP_", "DATABRICKS_", "MLGOV_", "GITHUB_"))}
    env.update(SECRETS, MLFLOW_TRACKING_USERNAME="alice", NO_COLOR="1", PYTHONPATH=str(REPO_ROOT))
    summary = tmp_path / "step-summary.md"
    if github:
        env.update(GITHUB_ACTIONS="true", GITHUB_STEP_SUMMARY=str(summary))
    proc = subprocess.run([sys.executable, "-m", "mlgov_checks", "check", *targets, "--tracking-uri", uri,
                           "--timeout", "5", "--policy", str(policy), "--format", stdout_format, *args],
                          capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr
    texts = [proc.stdout, proc.stderr]
    texts += [p.read_text(encoding="utf-8") for p in reports if p.exists()]
    if github:
        texts.append(summary.read_text(encoding="utf-8"))
    return proc, texts


def assert_clean(texts: list[str]) -> None:
    for i, text in enumerate(texts):
        for secret in PLANTED:
            assert secret not in text, f"{secret!r} leaked in output #{i}:\n{text[:2000]}"


def with_credentials(url: str) -> str:
    return url.replace("://", f"://alice:{IN_URI}@", 1)


@pytest.mark.parametrize("fmt", FORMATS)
def test_real_server_every_format(store, tmp_path, fmt):
    """Pass, fail and not-found targets on a real server: exit 3, every output scanned."""
    proc, texts = run_scanned(with_credentials(store.url), tmp_path, stdout_format=fmt, github=fmt == "github")
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert len(texts) == 2 + len(FORMATS) + (fmt == "github")  # every report was written
    json_report = (tmp_path / "report-json.out").read_text(encoding="utf-8")
    assert all(t in json_report for t in TARGETS)  # the outputs are about the targets...
    assert all(t in proc.stdout for t in TARGETS[1:]), proc.stdout  # (failures in every format)
    assert_clean(texts)  # ...and hold none of the secrets
    masked_uri = f"http://***@{store.url.removeprefix('http://')}"
    assert any(masked_uri in t for t in texts), "the not-found error names the masked URI"


@pytest.mark.parametrize("fault", ["refused", *FAULTS])
def test_faulty_server(tmp_path, fault):
    """The failing request's URL (with its userinfo) ends up in error text: it is masked there."""
    server = None
    if fault == "refused":
        url = f"http://{HOST}:{free_port()}"
    else:
        server = StandIn(FAULTS[fault])
        url = server.url
    try:
        proc, texts = run_scanned(with_credentials(url), tmp_path, targets=TARGETS[:2])
    finally:
        if server is not None:
            server.close()
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert proc.stdout.count(f"(tracking URI http://***@{url.removeprefix('http://')})") == 2, proc.stdout
    assert_clean(texts)


@pytest.mark.parametrize("uri", [
    f"ftp://alice:{IN_URI}@{HOST}:21/mlflow",  # an unsupported scheme
    f"http://alice:{IN_URI}@{HOST}:notaport",  # an unparseable port
])
def test_unusable_uri(tmp_path, uri):
    proc, texts = run_scanned(uri, tmp_path, targets=TARGETS[:1])
    assert proc.returncode == 2, proc.stdout + proc.stderr  # the user's input to fix, before any request
    assert (proc.stdout + proc.stderr).strip(), "an unusable URI is explained"
    assert_clean(texts)


def test_secret_in_a_target_argument(tmp_path):
    """A secret pasted where a target belongs is a usage error, and is not echoed back."""
    bad = f"http://alice:{IN_URI}@{HOST}:5000/models/churn"
    proc, texts = run_scanned(f"http://{HOST}:{free_port()}", tmp_path, targets=(bad,))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "not a target" in proc.stderr
    assert_clean(texts)
