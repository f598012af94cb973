"""Without the MLflow extra, the commands that need it exit 2 naming the extra to install."""

from __future__ import annotations

import subprocess
import sys

import pytest

# Runs mlgov in a child interpreter where `mlflow` cannot be imported, as after a plain
# `pip install mlgov-checks` (no extra).
NO_MLFLOW = """
import sys
class _Absent:
    def find_spec(self, name, path=None, target=None):
        if name == "mlflow" or name.startswith("mlflow."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, _Absent())
from mlgov_checks.cli.app import main
main(sys.argv[1:], prog_name="mlgov")
"""


@pytest.mark.parametrize(("argv", "extra"), [
    (["check", "models:/m/1", "--tracking-uri", "http://127.0.0.1:9"], "mlflow"),
    (["metrics", "runs:/abc", "--tracking-uri", "sqlite:///mlflow.db"], "local"),
    (["audit", "m", "--tracking-uri", "http://127.0.0.1:9"], "mlflow"),
])
def test_missing_extra_is_named(argv, extra, tmp_path):
    proc = subprocess.run([sys.executable, "-c", NO_MLFLOW, *argv], capture_output=True, text=True,
                          cwd=tmp_path, timeout=60)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"pip install 'mlgov-checks[{extra}]'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_card_works_without_mlflow(tmp_path):
    from tests.conftest import CARDS

    proc = subprocess.run([sys.executable, "-c", NO_MLFLOW, "card", str(CARDS / "ok_template.yaml")],
                          capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


# As after `pip install 'mlgov-checks[mlflow]'` without the [report] extra: no Jinja2, no matplotlib.
NO_REPORT = NO_MLFLOW.replace('name == "mlflow" or name.startswith("mlflow.")',
                              'name.split(".")[0] in ("jinja2", "matplotlib")')


@pytest.mark.parametrize("argv", [
    ["audit", "m", "--format", "html", "--tracking-uri", "http://127.0.0.1:9"],
    ["inventory", "--format", "html", "--tracking-uri", "http://127.0.0.1:9"],
])
def test_html_without_report_extra_names_it(argv, tmp_path):
    proc = subprocess.run([sys.executable, "-c", NO_REPORT, *argv], capture_output=True, text=True,
                          cwd=tmp_path, timeout=60)
    assert proc.returncode == 2, proc.stdout + proc.stderr  # before any request to the (dead) server
    assert "pip install 'mlgov-checks[report]'" in proc.stderr
    assert "Traceback" not in proc.stderr
