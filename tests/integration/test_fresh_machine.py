"""Two commands on any fresh machine: the README's demo and test commands, run from a clean clone
with only the system's `/usr/bin:/bin` on PATH (no `python` alias; on Debian and Ubuntu a python3
whose pip refuses system-wide installs), each making or reusing its own virtual environment.

The clone is of the checkout's HEAD plus its uncommitted changes (what would be committed). It shares the
checkout's `.cache` (the SARIF Multitool and the compatibility venvs) and pip's own cache, never
an installed environment. The test command's run stops at collecting the tests: it does not run
the suite inside itself.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, tool_missing

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SYSTEM_PATH = "/usr/bin:/bin"
README = (REPO_ROOT / "README.md").read_text("utf-8")
DEMO_COMMAND = "bash examples/demo/run.sh"
TEST_COMMAND = "bash scripts/test.sh"
# what this process's environment would lend the scripts, and a fresh machine does not have
NOT_ON_A_FRESH_MACHINE = ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "MLGOV_VENV_SAID", "MLFLOW_TRACKING_URI",
                          "MLFLOW_REGISTRY_URI", "PYENV_VERSION", "CONDA_PREFIX")


def fresh_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in NOT_ON_A_FRESH_MACHINE}
    env["PATH"] = SYSTEM_PATH
    return env


def run(command: str, cwd: Path, timeout: int = 1500) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command.split(), cwd=cwd, env=fresh_env(), capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def system_python() -> Path:
    found = shutil.which("python3", path=SYSTEM_PATH)
    if found is None:
        tool_missing("no python3 in /usr/bin:/bin")
    return Path(found)


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("fresh") / "mlgov-checks"
    subprocess.run(["git", "clone", "--quiet", str(REPO_ROOT), str(where)], check=True, timeout=300)
    diff = subprocess.run(["git", "-C", str(REPO_ROOT), "diff", "HEAD", "--binary"], capture_output=True,
                          check=True).stdout
    if diff:
        subprocess.run(["git", "-C", str(where), "apply", "--binary", "-"], input=diff, check=True)
    new = subprocess.run(["git", "-C", str(REPO_ROOT), "ls-files", "--others", "--exclude-standard", "-z"],
                         capture_output=True, text=True, check=True).stdout.split("\0")
    for name in filter(None, new):  # files not committed yet (never .cache, a symlink git lists)
        if not (REPO_ROOT / name).is_symlink():
            (where / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO_ROOT / name, where / name)
    if (REPO_ROOT / ".cache").is_dir():
        (where / ".cache").symlink_to((REPO_ROOT / ".cache").resolve())
    return where


@pytest.fixture(scope="module")
def demo(clone: Path, system_python: Path) -> subprocess.CompletedProcess[str]:
    return run(DEMO_COMMAND, clone)


def test_the_system_python_is_the_hard_case(system_python: Path, tmp_path: Path):
    """What the two commands face: no `python` alias, no venv, and (Debian) system installs refused."""
    probe = subprocess.run([str(system_python), "-c", "import sys, sysconfig; "
                            "print(sys.prefix != sys.base_prefix, sysconfig.get_path('stdlib'))"],
                           env=fresh_env(), capture_output=True, text=True, check=True)
    in_venv, stdlib = probe.stdout.split()
    assert in_venv == "False"
    if (Path(stdlib) / "EXTERNALLY-MANAGED").exists():  # PEP 668: Debian's and Ubuntu's python3
        refused = subprocess.run([str(system_python), "-m", "pip", "install", "--no-deps", "--no-index",
                                  str(REPO_ROOT)], env=fresh_env(), capture_output=True, text=True,
                                 cwd=tmp_path, timeout=120)
        assert refused.returncode != 0 and "externally-managed-environment" in refused.stdout + refused.stderr


def test_the_demo_runs_from_a_clean_clone(demo: subprocess.CompletedProcess[str], clone: Path):
    assert DEMO_COMMAND in README
    out = demo.stdout + demo.stderr
    assert demo.returncode == 0, out[-4000:]
    assert f"creating the virtual environment {clone}/.venv" in demo.stdout
    assert "demo OK" in demo.stdout
    first = demo.stdout[demo.stdout.index("models:/demo-churn/1   (expected: pass)"):
                        demo.stdout.index("models:/demo-churn/2   (expected: fail)")]
    assert "compliant — 1 target" in first and " 0 warnings" in first
    assert "card-signature-match" not in first  # a warning would be printed: the model has its signature
    assert "Traceback" not in out
    assert (clone / ".venv/bin/mlgov").is_file()


def test_the_test_command_sets_up_in_the_same_clone(demo: subprocess.CompletedProcess[str], clone: Path):
    assert demo.returncode == 0
    assert TEST_COMMAND in README
    setup = run(f"{TEST_COMMAND} --collect-only -q", clone)
    out = setup.stdout + setup.stderr
    assert setup.returncode == 0, out[-4000:]
    assert f"using the virtual environment {clone}/.venv (made earlier" in setup.stdout
    collected = re.search(r"^(\d+) tests collected", setup.stdout, re.M)
    assert collected and int(collected.group(1)) > 500, out[-2000:]
    pytest_of_the_venv = subprocess.run([str(clone / ".venv/bin/python"), "-c", "import pytest, mkdocs, selenium"],
                                        env=fresh_env(), capture_output=True, text=True)
    assert pytest_of_the_venv.returncode == 0, pytest_of_the_venv.stderr
