"""What the guarded-server tests share besides the fixtures: `mlgov audit` run as a user would."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import REPO_ROOT
from tests.integration.server_plugin.conftest import ADMIN


def audit(guarded, name: str, *extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    env["PYTHONPATH"] = str(REPO_ROOT)
    if guarded.authenticated:
        env.update(MLFLOW_TRACKING_USERNAME=ADMIN, MLFLOW_TRACKING_PASSWORD=guarded.passwords[ADMIN])
    return subprocess.run([sys.executable, "-m", "mlgov_checks", "audit", name, "--tracking-uri", guarded.url,
                           "--policy", str(guarded.policy_file), "--format", "json", *extra],
                          capture_output=True, text=True, env=env, timeout=120)
