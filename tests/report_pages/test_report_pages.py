"""The page builders without a server: charts, the timeline, inventory formats, escaping and masking."""

from __future__ import annotations

import csv
import io
import json

import pytest

from mlgov_checks.policy.load import default_policy
from mlgov_checks.records import ModelVersionRecord, RunRecord
from mlgov_checks.reports.pages import charts, inventory_formats
from mlgov_checks.reports.pages.audit import Audit
from mlgov_checks.reports.pages.html import render_audit, render_inventory
from mlgov_checks.reports.pages.inventory import Inventory, ModelRow
from mlgov_checks.reports.pages.timeline import events
from tests.checks.test_approvals import approval as approval_tag

PLANTED = "<script>alert(1)</script>"


def version(n: int, accuracy: float, *, description: str = "", tags: dict | None = None) -> ModelVersionRecord:
    run = RunRecord(run_id=f"run{n}", user="alice", metrics={"accuracy": accuracy, "drift_score": 0.05})
    return ModelVersionRecord(name="m", version=str(n), run_id=run.run_id, description=description,
                              tags=tags or {}, creation_timestamp=1_700_000_000_000 + n * 86_400_000, run=run)


def row(v: ModelVersionRecord, bypassed: list[str] | None = None) -> dict:
    return {"version": v.version, "semantic_version": "", "stage": "None", "aliases": [], "creator": "alice",
            "created": "", "run_id": v.run_id, "training_start": "", "params": {"C": "1"},
            "metrics": dict(v.run.metrics), "artifact_uri": "", "git_commit": "", "reviewer": "bob",
            "approvals": [], "recorded_status": "", "recorded_at": "", "status_now": "",
            "bypassed": bypassed or []}


def test_chart_marks_failing_points_and_draws_limits():
    points = [charts.Point("1", 0.85), charts.Point("2", 0.7), charts.Point("3", None)]
    assert [charts.failing(p.value, {"min": 0.8}) for p in points] == [False, True, True]
    svg = charts.metric_chart("accuracy", points, {"min": 0.8}, baseline=("@champion v1", 0.85))
    assert svg.startswith("<svg") and "<?xml" not in svg and "<script" not in svg
    assert "href=\"http" not in svg and "url(http" not in svg  # nothing to fetch
    for text in ("v1", "v2", "v3", "min 0.8", "baseline @champion v1: 0.85", "fails", "passes"):
        assert text in svg
    assert charts.metric_chart("accuracy", points, {"min": 0.8}) == charts.metric_chart(
        "accuracy", points, {"min": 0.8})  # same data, same bytes


def test_timeline_orders_events_and_puts_detected_bypasses_last():
    key, value = approval_tag("carol", model="m", version="2", time="2023-11-20T00:00:00Z", comment="ok")
    versions = [version(1, 0.9), version(2, 0.9, tags={key: value})]
    decisions = [{"action": "promote", "version": "2", "to": "@champion", "actor": "carol",
                  "time": "2023-11-21T00:00:00Z"}]
    found = events(versions, decisions, {"1": ["@prod"]})
    assert [(e.kind, e.version) for e in found] == [("registered", "1"), ("registered", "2"), ("approved", "2"),
                                                    ("promoted", "2"), ("bypass", "1")]
    assert [e.time for e in found[:-1]] == sorted(e.time for e in found[:-1])
    assert found[-1].time == "" and "@prod" in found[-1].detail


def test_audit_page_escapes_and_masks(monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", "tok-secret-value")
    versions = (version(1, 0.9, description=f"{PLANTED} tok-secret-value"), version(2, 0.7))
    audit = Audit(model="m", rows=[row(versions[0], ["@prod"]), row(versions[1])], flags=["m: @prod ..."],
                  evaluated=False, versions=versions, aliases={"prod": "1"}, bypassed={"1": ["@prod"]},
                  policy=default_policy(), generated_at="2024-01-01T00:00:00Z")
    html = render_audit(audit)
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "tok-secret-value" not in html and "***" in html
    assert "accuracy=0.7 is below the minimum 0.8" in html  # judged without the gate
    assert "BYPASSED" in html


def _inventory() -> Inventory:
    rows = (ModelRow(model="a|b", description=PLANTED, latest_version="3", version_count=3,
                     production=(("@champion", "2"),), status_now="pass", approvals=("carol",),
                     last_decision="promote v2 -> @champion by carol at t", bypassed=(), last_review="t",
                     days_since_review=4),
            ModelRow(model="z", description="", latest_version="1", version_count=1, production=(),
                     status_now="", approvals=(), last_decision="", bypassed=("@prod -> v1",), last_review="",
                     days_since_review=None))
    return Inventory(rows=rows, evaluated=True, filter=None, generated_at="2024-01-01T00:00:00Z",
                     policy_source=None, policy_sha256="f" * 64)


def test_inventory_formats():
    inv = _inventory()
    table = list(csv.reader(io.StringIO(inventory_formats.to_csv(inv))))
    assert table[0] == list(inventory_formats.COLUMNS)
    # a cell that starts with @ is a formula to a spreadsheet: it is shown as text (reports/tables.py)
    assert table[1][:4] == ["a|b", "3", "3", "'@champion v2"] and table[2][-1] == ""
    doc = json.loads(inventory_formats.to_json(inv))
    assert doc["bypassed"] == ["z: @prod -> v1"] and doc["models"][0]["approvals"] == ["carol"]
    assert "| a\\|b |" in inventory_formats.to_markdown(inv)
    html = render_inventory(inv)
    assert f'href="#{inv.rows[0].anchor}"' in html and f'id="{inv.rows[0].anchor}"' in html
    assert "&lt;script&gt;" in html and PLANTED not in html


@pytest.mark.parametrize("fmt", ["csv", "json", "markdown", "html"])
def test_every_inventory_format_renders(fmt):
    assert "a|b" in inventory_formats.renderer(fmt)(_inventory()).replace("a\\|b", "a|b")
