"""The registry where the user keeps it: a second server holds the registry, the first the runs.

`--registry-uri` and `MLFLOW_REGISTRY_URI` are honoured by every command that reads or writes the
registry (check, approve, promote, audit); the runs, artifacts and decision log stay on the
tracking server.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from mlflow import MlflowClient

from mlgov_checks.cli.app import main
from tests.integration.conftest import running_server

pytestmark = pytest.mark.integration

NAME = "central-churn"
OPEN = "version: 1\napproval:\n  min_approvals: 1\n"


@pytest.fixture(scope="module")
def registry(store, tmp_path_factory):
    """A registry server of the same kind, with one version whose run lives on the tracking server."""
    with running_server(tmp_path_factory.mktemp("registry"), kind=store.server.kind) as reg:
        client = MlflowClient(tracking_uri=store.url, registry_uri=reg.url)
        client.create_registered_model(NAME)
        client.create_model_version(NAME, f"runs:/{store.compliant_run}/model", run_id=store.compliant_run,
                                    description="Approved by the model risk committee")
        yield reg


def mlgov(store, *args, env=None):
    result = CliRunner().invoke(main, [*args, "--tracking-uri", store.url], env=env)
    assert "Traceback" not in result.output + (result.stderr or ""), result.output
    return result


@pytest.fixture
def policy(tmp_path):
    p = tmp_path / "mlgov.yaml"
    p.write_text(OPEN, encoding="utf-8")
    return str(p)


def test_check_reads_the_registry_from_the_option_and_the_environment(store, registry, policy):
    target = f"models:/{NAME}/1"
    by_option = mlgov(store, "check", target, "--registry-uri", registry.url, "--policy", policy, "-f", "json")
    assert by_option.exit_code == 0, by_option.output
    by_env = mlgov(store, "check", target, "--policy", policy, "-f", "json", env={"MLFLOW_REGISTRY_URI": registry.url})
    assert by_env.exit_code == 0, by_env.output
    passed = {f["check"] for f in json.loads(by_env.stdout)["findings"] if f["status"] == "pass"}
    assert {"card-artifact-valid", "metrics-threshold", "provenance-commit"} <= passed  # the run was read
    alone = mlgov(store, "check", target, "--policy", policy, "-f", "json")  # the tracking server's registry
    assert alone.exit_code == 3
    assert "not found" in json.loads(alone.stdout)["findings"][0]["message"]


def test_approve_promote_and_audit_write_and_read_that_registry(store, registry, policy):
    reg = MlflowClient(tracking_uri=store.url, registry_uri=registry.url)
    target = f"models:/{NAME}/1"
    approved = mlgov(store, "approve", target, "--as", "dave", "--comment", "ok", "--policy", policy,
                     "--registry-uri", registry.url)
    assert approved.exit_code == 0, approved.output
    assert any(k.startswith("mlgov.approval.") for k in reg.get_model_version(NAME, "1").tags)
    promoted = mlgov(store, "promote", target, "--alias", "candidate", "--as", "rita", "--policy", policy,
                     env={"MLFLOW_REGISTRY_URI": registry.url})
    assert promoted.exit_code == 0, promoted.output
    assert reg.get_model_version_by_alias(NAME, "candidate").version == "1"
    local = MlflowClient(tracking_uri=store.url, registry_uri=store.url)
    assert not local.search_registered_models(f"name = '{NAME}'")  # nothing written to the tracking server's
    audit = mlgov(store, "audit", NAME, "--format", "json", "--policy", policy, "--registry-uri", registry.url)
    assert audit.exit_code == 0, audit.output
    rows = json.loads(audit.stdout)["versions"]
    assert [r["version"] for r in rows] == ["1"] and rows[0]["approvals"] == ["dave"]
    assert rows[0]["run_id"] == store.compliant_run
