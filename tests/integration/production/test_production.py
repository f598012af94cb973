"""The gate against PostgreSQL + `mlflow server --app-name basic-auth`: credentials, refusals, no leaks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mlgov_checks.reporters import FORMATS
from tests.integration.production.conftest import ADMIN, EXPERIMENT, MODEL, READER

pytestmark = [pytest.mark.integration, pytest.mark.production]

TARGET = f"models:/{MODEL}/1"
RUN_TIMEOUT = 120


def mlgov(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    """`mlgov ARGS` in a fresh process (its real stdout and stderr, logging included)."""
    proc = subprocess.run([sys.executable, "-m", "mlgov_checks", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=RUN_TIMEOUT)
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout, proc.stderr
    return proc


def reports(tmp_path: Path) -> tuple[list[str], list[Path]]:
    paths = [tmp_path / f"report.{fmt}" for fmt in FORMATS]
    args = [a for fmt, p in zip(FORMATS, paths) for a in ("--report", f"{fmt}:{p}")]
    return args, paths


@pytest.fixture
def policy(tmp_path):
    p = tmp_path / "mlgov.yaml"
    p.write_text("version: 1\n", encoding="utf-8")
    return str(p)


def test_the_registry_lives_in_postgres(prod_server):
    """The fixture is what it claims: the model version the gate reads is a PostgreSQL row."""
    with prod_server.pg.connect("mlflow") as conn:
        rows = conn.execute("SELECT name, version FROM model_versions").fetchall()
    assert (MODEL, 1) in rows


@pytest.mark.parametrize("who", [ADMIN, READER])
def test_check_with_credentials(prod_server, policy, tmp_path, who):
    env = prod_server.admin_env if who == ADMIN else prod_server.reader_env
    proc = mlgov("check", TARGET, "--tracking-uri", prod_server.url, "--policy", policy,
                 "--format", "json", env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = json.loads(proc.stdout)
    statuses = {f["check"]: f["status"] for f in doc["findings"] if f["target"] == TARGET}
    assert statuses and set(statuses.values()) <= {"pass"}, statuses
    assert {"card-artifact-valid", "evidence-approval", "metrics-threshold",
            "provenance-reviewer"} <= set(statuses)
    assert env["MLFLOW_TRACKING_PASSWORD"] not in proc.stdout + proc.stderr


@pytest.mark.parametrize("user", [ADMIN, READER, "nobody"])
def test_wrong_password_exits_3_and_leaks_nothing(prod_server, policy, tmp_path, user):
    planted = "Wr0ng-pw-" + "x7Q" * 4
    report_args, paths = reports(tmp_path)
    for fmt in FORMATS:
        proc = mlgov("check", TARGET, "--tracking-uri", prod_server.url, "--policy", policy,
                     "--format", fmt, *report_args, env=prod_server.env(user, planted), cwd=tmp_path)
        assert proc.returncode == 3, (fmt, proc.stdout, proc.stderr)
        assert planted not in proc.stdout and planted not in proc.stderr, fmt
        if fmt == "text":
            lines = [ln for ln in proc.stdout.splitlines() if "access denied" in ln]
            assert len(lines) == 1, proc.stdout
            assert TARGET in lines[0] and prod_server.url in lines[0] and "HTTP 401" in lines[0]
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert TARGET in text, path.name
        assert planted not in text, path.name


def test_password_in_the_uri_is_masked(prod_server, policy, tmp_path):
    """Credentials given in the URI itself work, and the URI is shown with them masked."""
    planted = prod_server.admin_password
    uri = prod_server.url.replace("://", f"://{ADMIN}:{planted}@")
    report_args, paths = reports(tmp_path)
    env = prod_server.env(ADMIN, "")
    del env["MLFLOW_TRACKING_USERNAME"], env["MLFLOW_TRACKING_PASSWORD"]
    proc = mlgov("check", TARGET, "--tracking-uri", uri, "--policy", policy, "--verbose",
                 *report_args, env=env, cwd=tmp_path)
    # MLflow's REST client does not send URI userinfo as basic auth: the server refuses the request,
    # and the refusal names the URI with its credentials masked.
    assert proc.returncode in (0, 3), proc.stdout + proc.stderr
    outputs = [proc.stdout, proc.stderr, *(p.read_text(encoding="utf-8") for p in paths)]
    assert all(planted not in text for text in outputs)
    if proc.returncode == 3:
        assert f"http://***@127.0.0.1:{prod_server.url.rsplit(':', 1)[1]}" in proc.stdout


def test_no_permission_on_the_model_is_not_a_pass(prod_server, policy, tmp_path):
    """A user the registry grants nothing cannot be judged compliant: exit 3, never 0."""
    from mlflow.server.auth.client import AuthServiceClient

    from tests.integration.production.conftest import _credentials

    password = "Outsider-pw-" + "k9" * 5
    with _credentials(ADMIN, prod_server.admin_password):
        auth = AuthServiceClient(prod_server.url)
        try:
            auth.get_user("outsider")
        except Exception:
            auth.create_user("outsider", password)
    proc = mlgov("check", TARGET, "--tracking-uri", prod_server.url, "--policy", policy,
                 env=prod_server.env("outsider", password), cwd=tmp_path)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert TARGET in proc.stdout and password not in proc.stdout + proc.stderr


def test_reader_cannot_write_through_the_registry(prod_server):
    """The registry's own permissions are the boundary: READ on the model refuses a tag write."""
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    from tests.integration.production.conftest import _credentials

    with _credentials(READER, prod_server.reader_password):
        client = MlflowClient(tracking_uri=prod_server.url, registry_uri=prod_server.url)
        assert client.get_model_version(MODEL, "1").version == "1"
        assert client.get_experiment_by_name(EXPERIMENT) is not None
        with pytest.raises(MlflowException) as info:
            client.set_model_version_tag(MODEL, "1", "mlgov.approved", "true")
    assert info.value.get_http_status_code() == 403
