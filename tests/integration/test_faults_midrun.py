"""Faults in the middle of a run: a proxy in front of the real server breaks only some artifact calls.

Metadata goes through; the artifact listing or the card download of one target's run fails (HTTP
500, a reset connection, a stall past --timeout). That target is exit 3 with one clear line, the
other targets are still judged, the command ends within its bound, and no traceback is printed.
"""

from __future__ import annotations

import json
import re
import time

import pytest
from click.testing import CliRunner
from mlflow import MlflowClient

from mlgov_checks.cli.app import main
from tests.integration.faultproxy import Fault, FaultProxy, Rule

pytestmark = pytest.mark.integration

TIMEOUT = 6
BOUND = 3 * TIMEOUT + 10  # a bounded number of bounded attempts, plus the healthy targets' work
BROKEN = "models:/gov-compliant/1"
HEALTHY = {"models:/gov-low-accuracy/1": {"metrics-threshold"}, "models:/gov-no-validation/1": {"evidence-artifacts"}}
SAYS = {Fault.HTTP_500: "answered HTTP 500", Fault.RESET: "unreachable", Fault.STALL: "unreachable"}
WHERE = {  # which artifact request of the broken target's run fails
    "listing": ("GET", r"/mlflow-artifacts/artifacts\?path=[^&]*{run}"),
    "download": ("GET", r"/mlflow-artifacts/artifacts/[^?]*{run}[^?]*model_card\.yaml"),
}


@pytest.fixture(scope="module")
def broken_run(store):
    client = MlflowClient(tracking_uri=store.url, registry_uri=store.url)
    return client.get_model_version("gov-compliant", "1").run_id


@pytest.mark.parametrize("fault", list(Fault), ids=lambda f: f.value)
@pytest.mark.parametrize("where", sorted(WHERE))
def test_a_fault_in_the_middle_fails_only_its_target(store, broken_run, tmp_path, fault, where):
    method, pattern = WHERE[where]
    rule = Rule(pattern.format(run=re.escape(broken_run)), fault, method=method)
    policy = tmp_path / "mlgov.yaml"
    policy.write_text("version: 1\n", encoding="utf-8")
    targets = [*HEALTHY, BROKEN]
    with FaultProxy(store.url, [rule], stall_seconds=3 * BOUND) as proxy:
        start = time.monotonic()
        result = CliRunner().invoke(main, ["check", *targets, "--tracking-uri", proxy.url, "--policy", str(policy),
                                           "--timeout", str(TIMEOUT), "--format", "json"])
        elapsed = time.monotonic() - start
        faulted = proxy.faulted
    out = result.output + (result.stderr or "")
    assert "Traceback" not in out and "internal error" not in out, out
    assert faulted and all(broken_run in path for _, path, _ in faulted), faulted  # only its run was broken
    assert result.exit_code == 3, out
    assert elapsed < BOUND, elapsed
    doc = json.loads(result.stdout)
    errors = [f for f in doc["findings"] if f["status"] == "error"]
    assert [(f["target"], f["check"]) for f in errors] == [(BROKEN, "target-reachable")], errors
    assert f"(tracking URI {proxy.url})" in errors[0]["message"], errors[0]
    assert SAYS[fault] in errors[0]["message"], errors[0]
    for target, checks in HEALTHY.items():  # judged as without the fault
        bad = {f["check"] for f in doc["findings"] if f["target"] == target and f["status"] not in ("pass", "warn")}
        assert bad == checks, (target, bad)


def test_only_the_nth_request_fails_and_a_retry_recovers(store, broken_run, tmp_path):
    """One 500 on the card download: MLflow's bounded retry gets the card, and the gate passes."""
    method, pattern = WHERE["download"]
    rule = Rule(pattern.format(run=re.escape(broken_run)), Fault.HTTP_500, method=method, occurrences={1})
    policy = tmp_path / "mlgov.yaml"
    policy.write_text("version: 1\n", encoding="utf-8")
    with FaultProxy(store.url, [rule]) as proxy:
        result = CliRunner().invoke(main, ["check", BROKEN, "--tracking-uri", proxy.url, "--policy", str(policy),
                                           "--timeout", str(TIMEOUT)])
        assert len(proxy.faulted) == 1
    assert result.exit_code == 0, result.output
