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


# A bug of ours (RuntimeError, ValueError, KeyError) raised by package code while a backend call runs:
# every call the command makes first runs, then the bug is raised from a frame of the package.
BUG_IN_CALL = """\
import sys
kind = sys.argv.pop(1)
from mlgov_checks.backend import client
space = {"__name__": "mlgov_checks.backend.convert"}
exec(f"def bug():\\n    raise {kind}('planted bug of ours')\\n", space)
real = client.Client.call
def call(self, what, func, **kwargs):
    def inside():
        func()
        space["bug"]()
    return real(self, what, inside, **kwargs)
client.Client.call = call
from mlgov_checks.cli.entry import main
sys.argv[0] = "mlgov"
main()
"""

# The same bug in a report writer (the JSON reporter), from its second use on: `check --record`
# renders one report per version, so the first version's writes are made when it strikes.
BUG_IN_REPORT = """\
import sys
kind = sys.argv.pop(1)
from mlgov_checks.reports.findings import json_report
space = {"__name__": "mlgov_checks.reports.findings.json_report", "real": json_report.render, "used": []}
exec(f"def render(findings, ctx):\\n    used.append(1)\\n    if len(used) > 1:\\n        raise {kind}('planted bug')\\n"
     "    return real(findings, ctx)\\n", space)
json_report.render = space["render"]
from mlgov_checks.cli.entry import main
sys.argv[0] = "mlgov"
main()
"""

COMMANDS = {
    "check": ["check", "models:/gov-compliant/1"],
    "audit": ["audit", "gov-compliant"],
    "inventory": ["inventory"],
    "decisions": ["decisions", "gov-compliant"],
    "approve": ["approve", "models:/gov-compliant/1", "--comment", "ok", "--as", "carol"],
    "promote": ["promote", "models:/gov-compliant/1", "--alias", "staging"],
    "next-version": ["next-version", "gov-compliant"],
    "sign": ["sign", "models:/gov-compliant/1", "--key", "k.pem"],
    "check --record": ["check", "models:/gov-compliant/1", "--record"],
}
KINDS = ("RuntimeError", "ValueError", "KeyError")


def planted(script, kind, store, tmp_path, *args):
    env = {**{k: v for k, v in os.environ.items() if k != "MLGOV_DEBUG"}, "PYTHONPATH": str(REPO_ROOT),
           "NO_COLOR": "1", "MLFLOW_TRACKING_URI": store.url}
    return subprocess.run([sys.executable, "-c", script, kind, *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)


def assert_internal(proc, kind):
    out = proc.stdout + proc.stderr
    assert proc.returncode == 3, out
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith(f"mlgov: internal error: {kind}: "), out
    assert "a bug in mlgov-checks" in last and "please report it" in last, out
    for words in ("could not evaluate", "unreachable", "tracking URI", "Traceback", "could not reach"):
        assert words not in out, out


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_bug_of_ours_inside_a_backend_call_is_an_internal_error_in_every_command(store, tmp_path, command):
    (tmp_path / "k.pem").write_text("not used: the first call fails\n")
    kind = KINDS[sorted(COMMANDS).index(command) % len(KINDS)]  # each kind in several commands
    assert_internal(planted(BUG_IN_CALL, kind, store, tmp_path, *COMMANDS[command]), kind)


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_of_bug_inside_the_gate_is_an_internal_error_not_a_finding(store, tmp_path, kind):
    proc = planted(BUG_IN_CALL, kind, store, tmp_path, "check", "models:/gov-compliant/1", "-f", "json")
    assert_internal(proc, kind)
    assert proc.stdout == ""  # no report that says "error: could not evaluate" about the version


def test_a_bug_in_a_report_writer_halfway_through_a_recording_leaves_nothing_half_done(store, tmp_path):
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri=store.url, registry_uri=store.url)
    name = "gov-internal-record"
    for _ in range(2):  # two versions of a compliant run: one report each
        run = client.get_model_version("gov-compliant", "1").run_id
        if not client.search_registered_models(f"name = '{name}'"):
            client.create_registered_model(name)
        client.create_model_version(name, f"runs:/{run}/model", run_id=run)
    versions = sorted(v.version for v in client.search_model_versions(f"name = '{name}'"))[-2:]
    proc = planted(BUG_IN_REPORT, "KeyError", store, tmp_path, "check",
                   *[f"models:/{name}/{v}" for v in versions], "--record")
    assert_internal(proc, "KeyError")
    for v in versions:
        tags = client.get_model_version(name, v).tags
        assert not [k for k in tags if k in ("mlgov.status", "mlgov.report", "mlgov.checked_at")], tags
    log = client.get_experiment_by_name("mlgov-decisions")
    runs = client.search_runs([log.experiment_id], f"tags.`mlgov.decision.model` = '{name}'")
    assert runs and all(r.info.status == "FAILED" and r.data.tags["mlgov.decision.outcome"] == "failed"
                        for r in runs), [(r.info.status, r.data.tags) for r in runs]
    assert all("internal error: KeyError" in r.data.tags["mlgov.decision.error"] for r in runs)
