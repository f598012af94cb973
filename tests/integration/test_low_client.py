"""The lowest MLflow client the package declares runs the gate (a `mlgov` in its own environment).

`mlgov check / provenance / metrics` from a virtual environment with `mlflow-skinny` at the
declared floor (`pyproject.toml`'s `[mlflow]` extra) and this checkout on PYTHONPATH, against each
server of the matrix: the compliant version passes, each violation fails naming its rule.
"""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest

from tests.conftest import REPO_ROOT, tool_missing
from tests.integration.conftest import VENVS
from tests.integration.test_gate import VIOLATIONS

pytestmark = pytest.mark.integration


def declared_floor() -> str:
    text = (REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    m = re.search(r'"mlflow-skinny>=([0-9.]+),', text)
    assert m, "pyproject.toml declares no mlflow-skinny floor"
    return m[1]


@pytest.fixture(scope="module")
def low_python():
    python = VENVS / f"mlflow-client-{declared_floor()}" / "bin" / "python"
    if not python.exists():
        why = f"{python} is missing: run scripts/install-test-deps.sh"
        tool_missing(why)
    return str(python)


def low_mlgov(python, store, tmp_path, command, *targets):
    policy = tmp_path / "mlgov.yaml"
    policy.write_text("version: 1\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "PYTHON"))}
    env["PYTHONPATH"] = str(REPO_ROOT)
    proc = subprocess.run([python, "-m", "mlgov_checks", command, *targets, "--tracking-uri", store.url,
                           "--policy", str(policy), "--format", "json", "--timeout", "30"],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
    return proc


def test_the_floor_is_what_the_environment_runs(low_python):
    version = subprocess.run([low_python, "-c", "import mlflow; print(mlflow.__version__)"],
                             capture_output=True, text=True, check=True).stdout.strip()
    assert version.split(".")[:2] == declared_floor().split(".")[:2]


def test_low_client_gate(low_python, store, tmp_path):
    names = ["gov-compliant", *sorted(VIOLATIONS)]
    targets = [f"models:/{n}/1" for n in names]
    proc = low_mlgov(low_python, store, tmp_path, "check", *targets)
    assert proc.returncode == 1, proc.stdout[-2000:] + proc.stderr
    doc = json.loads(proc.stdout)
    for name in names:
        bad = {f["check"] for f in doc["findings"] if f["target"] == f"models:/{name}/1"
               and f["status"] in ("fail", "error")}
        assert bad == (VIOLATIONS[name][0] if name in VIOLATIONS else set()), name


@pytest.mark.parametrize(("command", "target", "code"), [
    ("provenance", "models:/gov-no-commit/1", 1), ("metrics", "models:/gov-low-accuracy/1", 1),
    ("metrics", "models:/gov-compliant@prod", 0),
])
def test_low_client_families(low_python, store, tmp_path, command, target, code):
    proc = low_mlgov(low_python, store, tmp_path, command, target)
    assert proc.returncode == code, proc.stdout[-2000:] + proc.stderr
