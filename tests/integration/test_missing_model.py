"""A model (or version) the registry does not have is exit 3 in every command (docs/exit-codes.md)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.integration

MISSING = "no-such-model"
COMMANDS = {
    "check": ["check", f"models:/{MISSING}/1"],
    "provenance": ["provenance", f"models:/{MISSING}/1"],
    "metrics": ["metrics", f"models:/{MISSING}/1"],
    "check-alias": ["check", f"models:/{MISSING}@prod"],
    "approve": ["approve", f"models:/{MISSING}/1", "--comment", "looks fine"],
    "promote": ["promote", f"models:/{MISSING}/1", "--alias", "prod"],
    "audit": ["audit", MISSING],
    "audit-csv": ["audit", MISSING, "--format", "csv"],
    "decisions": ["decisions", MISSING],
    "decisions-json": ["decisions", MISSING, "--format", "json"],
}


def mlgov(store, tmp_path, *args):
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "MLFLOW_TRACKING_URI": store.url, "NO_COLOR": "1",
           "MLGOV_ACTOR": "ann"}
    return subprocess.run([sys.executable, "-m", "mlgov_checks", *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_missing_model_is_exit_3(store, tmp_path, command):
    proc = mlgov(store, tmp_path, *COMMANDS[command])
    out = proc.stdout + proc.stderr
    assert proc.returncode == 3, out
    assert f"registered model '{MISSING}' not found or has no versions" in out, out
    assert "Traceback" not in out and "internal error" not in out


@pytest.mark.parametrize("args", [["check", "models:/gov-compliant/99"], ["approve", "models:/gov-compliant/99",
                                  "--comment", "ok"], ["promote", "models:/gov-compliant/99", "--alias", "prod"]],
                         ids=["check", "approve", "promote"])
def test_a_missing_version_is_exit_3(store, tmp_path, args):
    proc = mlgov(store, tmp_path, *args)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "has no version 99" in proc.stdout + proc.stderr


def test_next_version_of_a_model_not_registered_yet_is_its_first(store, tmp_path):
    """The one command about a model that need not exist: it names the version to register first."""
    proc = mlgov(store, tmp_path, "next-version", MISSING)
    assert proc.returncode == 0 and proc.stdout.strip() == "1.0.0", proc.stdout + proc.stderr
