"""The embedded demo: a local sqlite store (no server) with one compliant and one failing version."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "examples" / "demo"

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    where = tmp_path_factory.mktemp("demo") / "store"
    subprocess.run([sys.executable, str(DEMO / "build_store.py"), str(where)], check=True,
                   capture_output=True, timeout=300)
    return where


def mlgov(store: Path, *args: str, cwd: Path):
    env = {**os.environ, "MLFLOW_TRACKING_URI": f"sqlite:///{store / 'mlflow.db'}"}
    return subprocess.run(["mlgov", *args, "--policy", str(DEMO / ".mlgov.yaml"), "--format", "json"],
                          capture_output=True, text=True, env=env, cwd=cwd, timeout=300)


def test_demo_pass_and_fail(demo_store, tmp_path):
    ok = mlgov(demo_store, "check", "models:/demo-churn/1", cwd=tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bad = mlgov(demo_store, "check", "models:/demo-churn/2", cwd=tmp_path)
    assert bad.returncode == 1, bad.stderr
    failed = {f["check"] for f in json.loads(bad.stdout)["findings"] if f["status"] == "fail"}
    assert {"metrics-threshold", "provenance-reviewer", "provenance-review-status"} <= failed
    assert "Traceback" not in ok.stderr + bad.stderr
    # the compliant version is a logged model whose signature matches its card: no warning at all
    report = json.loads(ok.stdout)
    assert report["summary"]["warn"] == 0, [f for f in report["findings"] if f["status"] == "warn"]
    signature = [f for f in report["findings"] if f["check"] == "card-signature-match"]
    assert [f["status"] for f in signature] == ["pass"], signature


def test_demo_policy_targets_and_alias(demo_store, tmp_path):
    both = mlgov(demo_store, "check", cwd=tmp_path)  # the policy's targets: v1 and v2
    assert both.returncode == 1
    assert json.loads(both.stdout)["targets"] == ["models:/demo-churn/1", "models:/demo-churn/2"]
    champion = mlgov(demo_store, "check", "models:/demo-churn@champion", cwd=tmp_path)
    assert champion.returncode == 0, champion.stdout


def test_demo_refuses_to_overwrite_other_directories(tmp_path):
    (tmp_path / "precious.txt").write_text("keep me")
    proc = subprocess.run([sys.executable, str(DEMO / "build_store.py"), str(tmp_path)], capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode != 0 and "not a demo store" in proc.stderr
    assert (tmp_path / "precious.txt").read_text() == "keep me"
