"""A bug of ours inside a real backend call is an internal error, not "could not evaluate the server".

The MLflow client is made to fail as an incompatible client release would: the package's call
reaches MLflow with an argument it does not take (a TypeError raised by the call itself), against
the real test server.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.integration

# Every registry read `mlgov check` starts with goes through one of these.
BROKEN = """\
import sys
from mlflow.tracking import MlflowClient

def breaks(name):
    real = getattr(MlflowClient, name)
    def call(self, *args, **kwargs):
        return real(self, *args, no_such_argument=True, **kwargs)
    setattr(MlflowClient, name, call)

for name in ("search_model_versions", "get_model_version", "get_registered_model", "get_model_version_by_alias"):
    breaks(name)
from mlgov_checks.cli.entry import main
sys.argv[0] = "mlgov"
main()
"""


def run(store, tmp_path, *args, env=None):
    full = {**{k: v for k, v in os.environ.items() if k != "MLGOV_DEBUG"}, "PYTHONPATH": str(REPO_ROOT),
            "NO_COLOR": "1", **(env or {})}
    return subprocess.run([sys.executable, "-c", BROKEN, *args, "check", "models:/gov-compliant/1",
                           "--tracking-uri", store.url], cwd=tmp_path, env=full, capture_output=True, text=True,
                          timeout=300)


def test_a_type_error_inside_a_backend_call_is_reported_as_ours(store, tmp_path):
    proc = run(store, tmp_path)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    line = lines[0]
    assert line.startswith("mlgov: internal error: TypeError: ") and "no_such_argument" in line, line
    assert "a bug in mlgov-checks" in line and "please report it" in line and "--debug" in line, line
    for words in ("could not evaluate", "unreachable", "tracking URI", "Traceback"):
        assert words not in proc.stdout + proc.stderr, proc.stdout + proc.stderr


@pytest.mark.parametrize("how", ["--debug", "MLGOV_DEBUG=1"])
def test_debug_shows_the_whole_traceback(store, tmp_path, how):
    proc = run(store, tmp_path, "--debug") if how == "--debug" else run(store, tmp_path, env={"MLGOV_DEBUG": "1"})
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "Traceback (most recent call last):" in proc.stderr, proc.stderr
    assert "mlgov_checks/backend/client.py" in proc.stderr  # where the call was made
    assert "TypeError:" in proc.stderr and "no_such_argument" in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith("mlgov: internal error: TypeError: "), proc.stderr
