"""The gate against PostgreSQL + `mlflow server --app-name basic-auth`: credentials, refusals, no leaks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mlgov_checks.reports.findings import FORMATS
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
    # registered from a run's files, not a logged model: no signature to compare, a warning
    assert statuses.pop("card-signature-match") == "warn", statuses
    assert statuses and set(statuses.values()) <= {"pass"}, statuses
    assert {"card-artifact-valid", "evidence-approval", "metrics-threshold",
            "provenance-reviewer"} <= set(statuses)
    assert env["MLFLOW_TRACKING_PASSWORD"] not in proc.stdout + proc.stderr


@pytest.mark.parametrize(("user", "stdout_formats"), [(READER, FORMATS), ("nobody", ("text",))])
def test_wrong_password_exits_3_and_leaks_nothing(prod_server, policy, tmp_path, user, stdout_formats):
    """An existing user with a wrong password, and an unknown user: exit 3, the password nowhere."""
    planted = "Wr0ng-pw-" + "x7Q" * 4
    report_args, paths = reports(tmp_path)
    for fmt in stdout_formats:
        proc = mlgov("check", TARGET, "--tracking-uri", prod_server.url, "--policy", policy,
                     "--format", fmt, *report_args, env=prod_server.env(user, planted), cwd=tmp_path)
        assert proc.returncode == 3, (fmt, proc.stdout, proc.stderr)
        assert planted not in proc.stdout and planted not in proc.stderr, fmt
        assert TARGET in proc.stdout, fmt
        if fmt == "text":
            lines = [ln for ln in proc.stdout.splitlines() if "access denied" in ln]
            assert len(lines) == 1, proc.stdout
            assert TARGET in lines[0] and prod_server.url in lines[0] and "HTTP 401" in lines[0]
        for path in paths:
            text = path.read_text(encoding="utf-8")
            assert TARGET in text, (fmt, path.name)
            assert planted not in text, (fmt, path.name)
            path.unlink()


@pytest.mark.parametrize("right", [True, False], ids=["right-password", "wrong-password"])
def test_credentials_in_the_uri_are_masked(prod_server, policy, tmp_path, right):
    """user:password@ in the URI authenticates (requests sends it as basic auth) and is never shown."""
    planted = prod_server.admin_password if right else "Wr0ng-in-uri-" + "z5" * 5
    uri = prod_server.url.replace("://", f"://{ADMIN}:{planted}@")
    report_args, paths = reports(tmp_path)
    env = prod_server.env(ADMIN, "")
    del env["MLFLOW_TRACKING_USERNAME"], env["MLFLOW_TRACKING_PASSWORD"]
    proc = mlgov("check", TARGET, "--tracking-uri", uri, "--policy", policy, "--verbose",
                 *report_args, env=env, cwd=tmp_path)
    assert proc.returncode == (0 if right else 3), proc.stdout + proc.stderr
    outputs = [proc.stdout, proc.stderr, *(p.read_text(encoding="utf-8") for p in paths)]
    assert all(planted not in text for text in outputs)
    if not right:
        assert "access denied (HTTP 401)" in proc.stdout
        assert f"(tracking URI http://***@{prod_server.url.removeprefix('http://')})" in proc.stdout


def test_no_permission_on_the_model_is_not_a_pass(prod_server, policy, tmp_path):
    """A user the registry grants nothing cannot be judged compliant: exit 3, never 0."""
    from tests.integration.production.conftest import create_user

    password = "Outsider-pw-" + "k9" * 5
    create_user(prod_server.url, prod_server.admin_password, "outsider", password)
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


# -- governance: the admin approves, promotes and audits; the READ user audits and is refused writes --

ROLES_POLICY = """\
version: 1
roles:
  members:
    admin: [admin]
"""


def version_state(prod_server) -> tuple[dict, dict]:
    """The version's tags and the model's aliases, read by the admin through the normal client."""
    from mlflow import MlflowClient

    from tests.integration.production.conftest import _credentials

    with _credentials(ADMIN, prod_server.admin_password):
        client = MlflowClient(tracking_uri=prod_server.url, registry_uri=prod_server.url)
        tags = dict(client.get_model_version(MODEL, "1").tags)
        aliases = dict(client.get_registered_model(MODEL).aliases)
    return tags, aliases


@pytest.fixture(scope="module")
def governed(prod_server, tmp_path_factory):
    """The admin approves v1 and promotes it to @staging through mlgov; the reader may read the log."""
    from mlflow import MlflowClient

    from mlgov_checks.backend import DECISIONS_EXPERIMENT
    from tests.integration.production.conftest import _credentials, grant

    cwd = tmp_path_factory.mktemp("governed")
    policy = cwd / "mlgov.yaml"
    policy.write_text("version: 1\n", encoding="utf-8")
    env = prod_server.admin_env
    approved = mlgov("approve", TARGET, "--comment", "risk review passed", "--tracking-uri",
                     prod_server.url, "--policy", str(policy), env=env, cwd=cwd)
    promoted = mlgov("promote", TARGET, "--alias", "staging", "--tracking-uri", prod_server.url,
                     "--policy", str(policy), env=env, cwd=cwd)
    with _credentials(ADMIN, prod_server.admin_password):
        client = MlflowClient(tracking_uri=prod_server.url, registry_uri=prod_server.url)
        log = client.get_experiment_by_name(DECISIONS_EXPERIMENT)
        if log is not None:  # readers of a model read its decision log too: a deployment step
            grant(prod_server.url, prod_server.admin_password, READER, "experiment", log.experiment_id, "READ")
    return approved, promoted


def test_admin_approves_and_promotes_with_credentials(prod_server, governed):
    approved, promoted = governed
    assert approved.returncode == 0, approved.stdout + approved.stderr
    assert promoted.returncode == 0, promoted.stdout + promoted.stderr
    tags, aliases = version_state(prod_server)
    assert "mlgov.approval.admin" in tags
    assert aliases.get("staging") == "1"
    for proc in governed:
        assert prod_server.admin_password not in proc.stdout + proc.stderr


@pytest.mark.parametrize("who", [ADMIN, READER])
def test_audit_with_credentials(prod_server, governed, tmp_path, who):
    env = prod_server.admin_env if who == ADMIN else prod_server.reader_env
    proc = mlgov("audit", MODEL, "--format", "json", "--tracking-uri", prod_server.url, env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr  # @staging came through `mlgov promote`
    doc = json.loads(proc.stdout)
    assert doc["model"] == MODEL and doc["bypassed"] == []
    rows = doc["versions"]
    assert [str(r["version"]) for r in rows] == ["1"]
    assert "admin" in json.dumps(rows[0]["approvals"])
    assert env["MLFLOW_TRACKING_PASSWORD"] not in proc.stdout + proc.stderr


READER_WRITES = {
    "approve": ("approve", TARGET, "--comment", "looks fine to me"),
    "promote": ("promote", TARGET, "--alias", "champion"),
    "check --record": ("check", TARGET, "--record"),
}
# What the registry's refusal names: the version, its alias, or the decision log `--record` writes first.
# promote logs its intent first (all or nothing): the decision log is the first write refused
REFUSED_WRITE = {"approve": TARGET, "promote": "decision log", "check --record": "decision log"}


@pytest.mark.parametrize("command", READER_WRITES, ids=list(READER_WRITES))
def test_reader_is_refused_by_the_registry(prod_server, governed, policy, tmp_path, command):
    """No roles in the policy: mlgov tries, the registry answers 403, mlgov exits 3 and nothing moved."""
    before = version_state(prod_server)
    proc = mlgov(*READER_WRITES[command], "--tracking-uri", prod_server.url, "--policy", policy,
                 env=prod_server.reader_env, cwd=tmp_path)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 3, out
    refusal = [ln for ln in out.splitlines() if "access denied (HTTP 403)" in ln]
    assert len(refusal) == 1, out
    assert REFUSED_WRITE[command] in refusal[0] and prod_server.url in refusal[0], out
    assert prod_server.reader_password not in out
    assert version_state(prod_server) == before


@pytest.mark.parametrize("command", READER_WRITES, ids=list(READER_WRITES))
def test_reader_is_refused_by_the_policy_roles(prod_server, governed, tmp_path, command):
    """Roles in the policy: mlgov refuses the reader itself (exit 1) and writes nothing."""
    policy = tmp_path / "mlgov.yaml"
    policy.write_text(ROLES_POLICY, encoding="utf-8")
    before = version_state(prod_server)
    proc = mlgov(*READER_WRITES[command], "--tracking-uri", prod_server.url, "--policy", str(policy),
                 env=prod_server.reader_env, cwd=tmp_path)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "refused" in out and "'reader' is not a member of any role" in out, out
    assert version_state(prod_server) == before
