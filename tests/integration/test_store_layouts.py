"""Every store layout teams run: served artifacts, a server without them, local sqlite and ./mlruns.

In each, a compliant version passes, a version without its card is exit 1 (evidence-artifacts and
card-artifact-valid), and a store that cannot be read is exit 3 naming what could not be read.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from mlflow import MlflowClient

from mlgov_checks.cli.app import main
from tests.integration.conftest import Spec, _create_version, compliant_tags, running_server

pytestmark = pytest.mark.integration

COMMIT = "0123456789abcdef0123456789abcdef01234567"
MISSING_CARD = {"card-artifact-valid", "evidence-artifacts"}


def populate(uri: str, artifact_root: Path | None) -> dict[str, str]:
    """A compliant version and one without its card; name -> run id."""
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    exp = client.create_experiment("layouts", artifact_location=artifact_root.as_uri() if artifact_root else None)
    tags = compliant_tags(COMMIT)
    return {"lay-compliant": _create_version(client, exp, "lay-compliant", Spec(tags=tags)),
            "lay-missing-card": _create_version(client, exp, "lay-missing-card", Spec(tags=tags, card=None)),
            "lay-damaged": _create_version(client, exp, "lay-damaged", Spec(tags=tags))}


def invoke(uri: str, tmp_path: Path, *targets: str):
    policy = tmp_path / "mlgov.yaml"
    policy.write_text("version: 1\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", *targets, "--tracking-uri", uri, "--policy", str(policy),
                                       "--timeout", "10", "--format", "json"])
    assert "Traceback" not in result.output + (result.stderr or ""), result.output
    return result


def gate(uri: str, tmp_path: Path, *targets: str):
    result = invoke(uri, tmp_path, *targets)
    return result.exit_code, json.loads(result.stdout)


def bad(doc, target):
    return {f["check"] for f in doc["findings"] if f["target"] == target and f["status"] in ("fail", "error")}


def damage(run_dir: Path) -> None:
    """A dangling link in the run's artifact directory: listing it fails on every store kind."""
    run_dir.mkdir(parents=True, exist_ok=True)
    os.symlink(run_dir / "gone", run_dir / "broken.txt")


@pytest.fixture(scope="module")
def server_layout(tmp_path_factory, mlflow_server):
    """A server without served artifacts, of the matrix's kind: (tracking URI, run artifact dir of a name)."""
    with running_server(tmp_path_factory.mktemp("layout-no-serve"), kind=mlflow_server.kind,
                        serve_artifacts=False) as srv:
        runs = populate(srv.url, None)
        yield srv.url, lambda name: _local_dir(MlflowClient(srv.url).get_run(runs[name]).info.artifact_uri)


@pytest.fixture(scope="module", params=["sqlite", "file"])
def local_layout(request, tmp_path_factory):
    """A local store read by the installed client: (tracking URI, run artifact dir of a name)."""
    base = tmp_path_factory.mktemp(f"layout-{request.param}")
    with pytest.MonkeyPatch.context() as mp:
        if request.param == "file":  # MLflow 3 keeps the file store behind an opt-in (maintenance mode)
            mp.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
        uri = f"sqlite:///{base / 'mlflow.db'}" if request.param == "sqlite" else (base / "mlruns").as_uri()
        runs = populate(uri, base / "artifacts" if request.param == "sqlite" else None)
        yield uri, lambda name: _local_dir(MlflowClient(uri).get_run(runs[name]).info.artifact_uri)


def _local_dir(artifact_uri: str) -> Path:
    assert artifact_uri.startswith(("file://", "/")), artifact_uri
    return Path(artifact_uri.removeprefix("file://"))


def test_server_without_served_artifacts_missing_card_is_exit_1(server_layout, tmp_path):
    missing_card_is_exit_1(server_layout, tmp_path)


def test_local_store_missing_card_is_exit_1(local_layout, tmp_path):
    missing_card_is_exit_1(local_layout, tmp_path)


def test_server_without_served_artifacts_unreadable_is_exit_3(server_layout, tmp_path):
    unreadable_is_exit_3(server_layout, tmp_path)


def test_local_store_unreadable_artifacts_is_exit_3(local_layout, tmp_path):
    unreadable_is_exit_3(local_layout, tmp_path)


def missing_card_is_exit_1(layout, tmp_path):
    uri, _ = layout
    code, doc = gate(uri, tmp_path, "models:/lay-compliant/1", "models:/lay-missing-card/1")
    assert code == 1, doc["findings"]
    assert bad(doc, "models:/lay-compliant/1") == set()
    assert bad(doc, "models:/lay-missing-card/1") == MISSING_CARD


def unreadable_is_exit_3(layout, tmp_path):
    uri, run_dir = layout
    damage(run_dir("lay-damaged"))
    code, doc = gate(uri, tmp_path, "models:/lay-compliant/1", "models:/lay-damaged/1", "models:/lay-missing-card/1")
    assert code == 3
    assert bad(doc, "models:/lay-compliant/1") == set()
    assert bad(doc, "models:/lay-missing-card/1") == MISSING_CARD
    errors = [f for f in doc["findings"] if f["status"] == "error"]
    assert [f["target"] for f in errors] == ["models:/lay-damaged/1"]
    assert "broken.txt" in errors[0]["message"] or "No such file" in errors[0]["message"], errors[0]


@pytest.mark.parametrize("kind", ["sqlite", "file"])
def test_unreadable_local_store_is_exit_3_naming_it(kind, tmp_path, monkeypatch):
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    if kind == "sqlite":
        (tmp_path / "mlflow.db").write_bytes(b"this is not a database\n" * 64)
        uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    else:
        (tmp_path / "mlruns").write_text("a file where the store's directory should be\n")
        uri = (tmp_path / "mlruns").as_uri()
    result = invoke(uri, tmp_path, "models:/lay-compliant/1")
    assert result.exit_code == 3, result.output
    said = result.stderr.strip().splitlines()
    assert len(said) == 1 and said[0].startswith(f"mlgov: error: cannot use tracking URI {uri}: "), said
    assert ("not a database" if kind == "sqlite" else "Not a directory") in said[0]
