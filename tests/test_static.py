"""Static checks as part of the suite: ruff, mypy (strict on the package) and bandit are clean."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT


@pytest.mark.parametrize("argv", [
    [sys.executable, "-m", "ruff", "check", "--no-cache", "."],
    [sys.executable, "-m", "mypy", "--no-incremental"],
    [sys.executable, "-m", "bandit", "-q", "-c", "pyproject.toml", "-r", "mlgov_checks"],
], ids=["ruff", "mypy", "bandit"])
def test_static_check_is_clean(argv):
    proc = subprocess.run(argv, cwd=REPO_ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
