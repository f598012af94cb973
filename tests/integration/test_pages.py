"""The html audit and inventory pages, opened in a real headless Chromium with the network off.

Against the real `mlflow server` the integration tests start once (a model with planted hostile
text, approvals, a recorded promotion and a bypass) and the embedded demo store.
Chromium missing: skipped, but a failure under CI.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mlgov_checks.policy.load import default_policy
from tests.browser import chromium_paths, open_page, pixel_stddev
from tests.conftest import tool_missing

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "examples" / "demo"
PLANTED = "<script>window.__mlgovPlanted = 1; document.title = 'PWNED';</script>"
IMG = '<img src=x onerror="window.__mlgovPlanted = 2">'
SECRET = "hunter2-pages-secret"
MODEL = "gov-pages"

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def browser():
    chromium, driver = chromium_paths()
    if not chromium or not driver:
        message = "chromium and chromium-driver are missing: bash scripts/install-test-deps.sh"
        tool_missing(message)
    return open_page


def run_mlgov(*args: str, uri: str, cwd: Path, policy: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MLFLOW_TRACKING_URI": uri,
           "MLFLOW_TRACKING_PASSWORD": SECRET}
    extra = ["--policy", str(policy)] if policy else []
    return subprocess.run([sys.executable, "-m", "mlgov_checks", *args, *extra], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=300)


@pytest.fixture(scope="module")
def pages_model(store):
    """Three versions of gov-pages: hostile descriptions, two approvals, a recorded promotion, a bypass."""
    from mlflow import MlflowClient

    from mlgov_checks import backend
    from mlgov_checks.governance.transaction import AllOrNothing
    from tests.integration.conftest import CARD, Spec, _create_version, compliant_tags

    client = MlflowClient(tracking_uri=store.url, registry_uri=store.url)
    exp = client.get_experiment_by_name("governance").experiment_id
    tags = compliant_tags(store.commit)
    metrics = [(0.84, 0.05), (0.78, 0.04), (0.9, 0.03)]
    for i, (acc, drift) in enumerate(metrics):
        card = {**CARD, "performance_metrics": {"accuracy": acc, "drift_score": drift}}
        description = (f"Approved. Retrained {PLANTED} {IMG} token={SECRET}" if i == 1
                       else f"Approved by the committee, release {i + 1}")
        _create_version(client, exp, MODEL, Spec(tags=tags, metrics={"accuracy": acc, "drift_score": drift},
                                                 card=card, description=description), new_model=i == 0)
    reader = backend.connect(store.url).reader
    from mlgov_checks.evidence import issue
    from mlgov_checks.governance.approve import approval_spec
    from mlgov_checks.targets import parse_targets

    (found,) = reader.resolve(parse_targets([f"models:/{MODEL}/3"]), approval_spec(default_policy()))
    for who in ("carol", "dave"):  # bound to version 3 as it is, as `mlgov approve` states it
        rec = issue.make(found.record, policy_sha256=default_policy().sha256, actor=who, asserted=False,
                         recorded_by=None, comment=f"reviewed by {who} {PLANTED}", key=None, signers=None,
                         time=f"2024-06-0{3 if who == 'carol' else 4}T10:00:00Z")
        client.set_model_version_tag(MODEL, "3", rec.key, rec.to_json())
    client.set_registered_model_alias(MODEL, "champion", "3")
    writer = backend.connect(store.url).writer
    logged = AllOrNothing(writer)
    logged.open_decision({"action": "promote", "model": MODEL, "version": "3", "to": "@champion", "from": "",
                          "actor": "carol", "time": "2024-06-05T09:00:00Z", "gate": "pass",
                          "policy_sha256": default_policy().sha256},  # the policy the pages run under
                         {"decision.json": lambda linked: json.dumps(linked)})
    logged.commit()
    client.set_registered_model_alias(MODEL, "prod", "1")  # moved with the plain client: a bypass
    return MODEL


def assert_clean(page, *, expect: list[str]) -> None:
    assert page.outside_requests == [], page.outside_requests
    assert page.url in page.requests  # the recording works: the page itself was seen
    assert page.console_errors == []
    assert not page.planted_ran and "PWNED" not in page.title
    for text in expect:
        assert text in page.text, f"{text!r} is not on the rendered page"
    assert pixel_stddev(page.png) > 10, "the screenshot is blank"


def test_audit_page_in_browser(browser, store, pages_model, tmp_path):
    out = tmp_path / "audit.html"
    proc = run_mlgov("audit", pages_model, "--format", "html", "--output", str(out), "--evaluate",
                     uri=store.url, cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr  # @prod was moved around the gate
    assert "Traceback" not in proc.stderr
    html = out.read_text(encoding="utf-8")
    assert SECRET not in html
    assert "<script" not in html and "<img" not in html and "<link" not in html  # planted text is escaped
    page = browser(out, full_page=True)
    assert_clean(page, expect=[pages_model, "BYPASSED", "Version 1", "Version 2", "Version 3",
                               "@prod", "@champion", "does not comply", "promoted", "approved", "carol",
                               "bypass", "accuracy", "drift_score", PLANTED, "token=***"])
    assert "0.8" in page.text and "min 0.8" in html  # the threshold is drawn with its value


def test_inventory_page_in_browser(browser, store, pages_model, tmp_path):
    out = tmp_path / "inventory.html"
    proc = run_mlgov("inventory", "--format", "html", "--output", str(out), "--evaluate",
                     uri=store.url, cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert SECRET not in out.read_text(encoding="utf-8")
    page = browser(out, full_page=True)
    assert_clean(page, expect=[*store.names, pages_model, "@champion v3", "@prod v1", "complies",
                               "never", PLANTED])
    listed = run_mlgov("inventory", "--format", "json", "--evaluate", uri=store.url, cwd=tmp_path)
    rows = {r["model"]: r for r in json.loads(listed.stdout)["models"]}
    assert set(store.names) | {pages_model} <= set(rows)
    assert rows["gov-compliant"]["production"] == ["@prod v1"] and rows["gov-compliant"]["status_now"] == "pass"
    assert rows[pages_model]["approvals"] == ["carol", "dave"]
    assert rows[pages_model]["bypassed"] == ["@prod -> v1"]
    assert rows[pages_model]["last_decision"].startswith("promote v3 -> @champion by carol")
    assert rows["gov-missing-card"]["production"] == [] and rows["gov-missing-card"]["days_since_review"] is None


def test_inventory_requests_do_not_grow_per_model(store, pages_model, tmp_path):
    """Models, versions and the decision log in a handful of requests, however many models there are."""
    before = store.server.log_size()
    proc = run_mlgov("inventory", "--format", "csv", uri=store.url, cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) - 1 >= len(store.names) + 1
    requests = store.server.requests_since(before)
    # search models, versions by name IN, runs by id, the log; then, to judge the approvals of the one
    # production version that carries any (as promote does), its card and model files, read once
    content = [r for r in requests if "/artifacts" in r]
    assert 0 < len(requests) - len(content) <= 8, requests
    assert len(content) == len(set(content)), content  # no file read twice
    assert not any("registered-models/get" in r or "model-versions/get" in r for r in requests)


def test_inventory_filter(store, pages_model, tmp_path):
    proc = run_mlgov("inventory", "--format", "json", "--filter", "name LIKE 'gov-pages%'", uri=store.url,
                     cwd=tmp_path)
    assert [r["model"] for r in json.loads(proc.stdout)["models"]] == [pages_model]


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    from mlflow import MlflowClient

    where = tmp_path_factory.mktemp("demo-pages") / "store"
    subprocess.run([sys.executable, str(DEMO / "build_store.py"), str(where)], check=True, capture_output=True,
                   timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})
    uri = f"sqlite:///{where / 'mlflow.db'}"
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    client.update_model_version("demo-churn", "2", description=f"Retrained on December data {PLANTED}")
    time.sleep(0.01)
    return uri


def test_demo_pages_in_browser(browser, demo_store, tmp_path):
    audit_page, inventory_page = tmp_path / "audit.html", tmp_path / "inventory.html"
    audit = run_mlgov("audit", "demo-churn", "--format", "html", "-o", str(audit_page), "--evaluate",
                      uri=demo_store, cwd=tmp_path, policy=DEMO / ".mlgov.yaml")
    assert audit.returncode == 1, audit.stderr  # the demo sets @champion without `mlgov promote`
    inventory = run_mlgov("inventory", "--format", "html", "-o", str(inventory_page), "--evaluate",
                          uri=demo_store, cwd=tmp_path, policy=DEMO / ".mlgov.yaml")
    assert inventory.returncode == 1, inventory.stderr
    assert_clean(browser(audit_page, full_page=True),
                 expect=["demo-churn", "Version 1", "Version 2", "complies", "does not comply",
                         "drift_score=0.23 is above the maximum 0.1", PLANTED])
    assert_clean(browser(inventory_page, full_page=True), expect=["demo-churn", "@champion v1", "complies"])
