"""Batches that scale: several pages of versions, several chunks of run ids, requests counted.

Page and chunk sizes are the adapter's module constants, made small here, so a handful of versions
needs several pages and several `search_runs` chunks; the server's access log counts the requests.
"""

from __future__ import annotations

import json
import math
import time

import pytest
from click.testing import CliRunner
from mlflow import MlflowClient
from mlflow.entities import Metric

from mlgov_checks.backend import config
from mlgov_checks.cli.app import main
from tests.integration.conftest import CARD, METRICS, compliant_tags

pytestmark = pytest.mark.integration

VERSIONS = 7
PAGE, CHUNK = 2, 3


def _make(client, store, name: str, *, source_is_location: bool) -> None:
    """VERSIONS compliant versions; the source is the run's artifact location (as 2.x writes it) or runs:/."""
    import yaml

    exp = client.get_experiment_by_name("governance").experiment_id
    client.create_registered_model(name)
    for _ in range(VERSIONS):
        rid = client.create_run(exp, tags=compliant_tags(store.commit)).info.run_id
        client.log_batch(rid, metrics=[Metric(k, v, int(time.time() * 1000), 0) for k, v in METRICS.items()])
        client.log_text(rid, yaml.safe_dump(CARD), "documentation/model_card.yaml")
        client.log_text(rid, "ok\n", "validation/report.txt")
        client.log_text(rid, "pandas\n", "requirements.txt")
        client.set_terminated(rid)
        run = client.get_run(rid)
        source = f"{run.info.artifact_uri}/model" if source_is_location else f"runs:/{rid}/model"
        client.create_model_version(name, source, run_id=rid, description="Approved")


@pytest.fixture(scope="module")
def many(store):
    client = MlflowClient(tracking_uri=store.url, registry_uri=store.url)
    _make(client, store, "gov-many-located", source_is_location=True)
    _make(client, store, "gov-many-runs", source_is_location=False)
    return store


@pytest.fixture
def small(monkeypatch):
    monkeypatch.setattr(config, "VERSION_PAGE", PAGE)
    monkeypatch.setattr(config, "RUN_CHUNK", CHUNK)


def counted(store, tmp_path, *targets):
    policy = tmp_path / "mlgov.yaml"
    policy.write_text("version: 1\n", encoding="utf-8")
    offset = store.server.log_size()
    result = CliRunner().invoke(main, ["check", *targets, "--tracking-uri", store.url, "--policy", str(policy),
                                       "-f", "json"])
    paths = [ln.split()[1].split("?")[0] for ln in store.server.requests_since(offset)]
    return result, paths


@pytest.mark.parametrize("name", ["gov-many-located", "gov-many-runs"])
def test_every_page_of_versions_and_every_chunk_of_runs(many, small, tmp_path, name):
    targets = [f"models:/{name}/{v}" for v in range(1, VERSIONS + 1)]
    result, paths = counted(many, tmp_path, *targets)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["targets"] == targets  # every version found, on every page
    assert paths.count("/api/2.0/mlflow/model-versions/search") == math.ceil(VERSIONS / PAGE)
    assert paths.count("/api/2.0/mlflow/runs/search") == math.ceil(VERSIONS / CHUNK)
    # the runs' experiment is read from a source that is the run's artifact location: no listing
    experiments = paths.count("/api/2.0/mlflow/experiments/search")
    assert experiments == (0 if name == "gov-many-located" else 1)


def test_experiments_are_searched_in_chunks_until_every_run_is_found(many, small, monkeypatch, tmp_path):
    monkeypatch.setattr(config, "EXPERIMENT_CHUNK", 1)
    client = MlflowClient(tracking_uri=many.url)
    experiments = len(client.search_experiments(view_type=3))
    assert experiments >= 2
    targets = [f"models:/gov-many-runs/{v}" for v in range(1, VERSIONS + 1)]
    result, paths = counted(many, tmp_path, *targets)
    assert result.exit_code == 0, result.output
    searches = paths.count("/api/2.0/mlflow/runs/search")
    # one experiment per call, at most every experiment, stopping once all runs are found
    assert math.ceil(VERSIONS / CHUNK) <= searches <= experiments * math.ceil(VERSIONS / CHUNK)
