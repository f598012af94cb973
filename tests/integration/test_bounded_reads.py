"""Bounded artifact reads: a card over card.max_bytes is refused from its listed size, never downloaded.

The fault proxy (with no rules) sits in front of the real server and records every request, so the
test sees exactly which artifact requests the gate made.
"""

from __future__ import annotations

import json

import pytest
import yaml
from click.testing import CliRunner
from mlflow import MlflowClient

from mlgov_checks.backend import stores
from mlgov_checks.cli.app import main
from tests.integration.conftest import CARD, Spec, _create_version, compliant_tags
from tests.integration.faultproxy import FaultProxy

pytestmark = pytest.mark.integration

LIMIT = 2048
BIG = {**CARD, "limitations": ["Not validated for business accounts. " * 10] * 20}  # about 8 KiB


@pytest.fixture(scope="module")
def big_card(store):
    client = MlflowClient(tracking_uri=store.url, registry_uri=store.url)
    exp = client.get_experiment_by_name("governance").experiment_id
    assert len(yaml.safe_dump(BIG, sort_keys=False)) > 3 * LIMIT
    _create_version(client, exp, "gov-big-card", Spec(tags=compliant_tags(store.commit), card=BIG))
    return "models:/gov-big-card/1"


def gate_through_proxy(store, tmp_path, target):
    policy = tmp_path / "mlgov.yaml"
    policy.write_text(f"version: 1\ncard:\n  max_bytes: {LIMIT}\n", encoding="utf-8")
    with FaultProxy(store.url) as proxy:
        result = CliRunner().invoke(main, ["check", target, "--tracking-uri", proxy.url, "--policy", str(policy),
                                           "-f", "json"])
        requests = proxy.requests
    return result, [path for _, path in requests if "mlflow-artifacts" in path]


def test_an_oversized_card_is_refused_unread(store, big_card, tmp_path):
    result, artifact_requests = gate_through_proxy(store, tmp_path, big_card)
    assert result.exit_code == 1, result.output
    bad = [f for f in json.loads(result.stdout)["findings"] if f["status"] == "fail"]
    assert [f["check"] for f in bad] == ["card-size"], bad
    assert f"over the {LIMIT}-byte limit" in bad[0]["message"]
    assert artifact_requests, "the listings go through the proxy"
    assert not [p for p in artifact_requests if p.split("?")[0].endswith("model_card.yaml")], artifact_requests


def test_a_card_within_the_limit_is_read_once(store, tmp_path):
    result, artifact_requests = gate_through_proxy(store, tmp_path, "models:/gov-compliant/1")
    assert result.exit_code == 0, result.output
    downloads = [p for p in artifact_requests if p.split("?")[0].endswith("model_card.yaml")]
    assert len(downloads) == 1, artifact_requests


def test_the_read_itself_stops_after_the_limit(store, big_card):
    """Even when a listing under-reports, the stream is cut after max_bytes + 1 bytes."""
    from mlgov_checks.backend.stores import artifact_repository

    client = MlflowClient(tracking_uri=store.url, registry_uri=store.url)
    run = client.get_run(client.get_model_version("gov-big-card", "1").run_id)
    repo = artifact_repository(run.info.artifact_uri, store.url)
    content = stores.read_bounded(repo, "documentation/model_card.yaml", 100)
    assert len(content) == 101
    assert content == yaml.safe_dump(BIG, sort_keys=False).encode()[:101]
