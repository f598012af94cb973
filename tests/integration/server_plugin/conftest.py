"""Real `mlflow server` processes started with the mlgov plugin, once per session.

- `guarded["3.x"]`: MLflow 3 (uvicorn, FastAPI front), `--app-name mlgov-basic-auth`, two workers,
  basic-auth users: the admin, an EDIT user (`edith`) and the gate's identity (`mlgov-ci`);
  break-glass enabled for the admin only.
- `guarded["2.22"]`: MLflow 2.22 (gunicorn), `--app-name mlgov`, two workers, no users;
  break-glass enabled for anyone who gives a reason.

The plugin is found the way `mlflow server` finds any: through the `mlflow.app` entry points the
package declares in pyproject.toml, published here in a metadata directory on the server's
PYTHONPATH (the checkout itself is imported, as in every other integration test).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from cryptography.fernet import Fernet

from tests.conftest import REPO_ROOT
from tests.integration.conftest import CARD, Spec, _create_version, compliant_tags, running_server
from tests.integration.production.conftest import _credentials

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ADMIN, EDITOR, GATE = "admin", "edith", "mlgov-ci"
APPROVERS = ("carol", "dave")
POLICY = {"approval": {"min_approvals": 2}}


def plugin_metadata(base: Path) -> str:
    """A distribution's metadata directory declaring pyproject's `mlflow.app` entry points."""
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    apps = project["entry-points"]["mlflow.app"]
    dist = base / "mlgov_checks_server_plugin-0.0.0.dist-info"
    dist.mkdir(parents=True, exist_ok=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: mlgov-checks-server-plugin\nVersion: 0.0.0\n")
    (dist / "entry_points.txt").write_text("[mlflow.app]\n" + "".join(f"{k} = {v}\n" for k, v in apps.items()))
    return os.pathsep.join([str(base), str(REPO_ROOT)])


def write_config(base: Path, policy: dict, **server: object) -> Path:
    """The server's policy (a directory, as a git checkout would be) and its configuration file."""
    checkout = base / "governance"
    checkout.mkdir(parents=True, exist_ok=True)
    (checkout / ".mlgov.yaml").write_text(yaml.safe_dump(policy, sort_keys=False))
    config = base / "mlgov-server.yaml"
    config.write_text(yaml.safe_dump({"policy": "governance", **server}, sort_keys=False))
    return config


@dataclass
class Guarded:
    kind: str
    url: str
    base: Path
    log: Path
    policy_file: Path
    passwords: dict[str, str] = field(default_factory=dict)  # user -> password (3.x only)

    @property
    def authenticated(self) -> bool:
        return bool(self.passwords)

    def headers(self, user: str | None) -> dict[str, str]:
        if user is None or not self.passwords:
            return {}
        token = base64.b64encode(f"{user}:{self.passwords[user]}".encode()).decode()
        return {"Authorization": f"Basic {token}"}

    def http(self, method: str, path: str, payload: dict | None = None, *, user: str | None = EDITOR,
             headers: dict | None = None, query: str = "") -> tuple[int, dict]:
        """A raw HTTP request, as an attacker sends it: (status, JSON body)."""
        data = json.dumps(payload).encode() if payload is not None else None
        req = urllib.request.Request(f"{self.url}{path}{query}", data=data, method=method,
                                     headers={"Content-Type": "application/json", **self.headers(user),
                                              **(headers or {})})
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                body = r.read()
                return r.status, (json.loads(body) if body.strip() else {})
        except urllib.error.HTTPError as e:
            body = e.read()
            try:
                return e.code, json.loads(body)
            except ValueError:
                return e.code, {"raw": body.decode(errors="replace")[:500]}

    @contextlib.contextmanager
    def as_user(self, user: str | None):
        """The MLflow client's basic-auth variables for `user` (nothing on a server without users)."""
        if user is None or not self.passwords:
            yield
            return
        with _credentials(user, self.passwords[user]):
            yield

    def client(self):
        from mlflow import MlflowClient

        return MlflowClient(tracking_uri=self.url, registry_uri=self.url)


def _basic_auth(base: Path) -> tuple[dict[str, str], dict[str, str]]:
    """basic-auth's configuration (every user EDIT by default) and the passwords: (env, passwords)."""
    passwords = {u: secrets.token_urlsafe(12) for u in (ADMIN, EDITOR, GATE)}
    ini = base / "basic_auth.ini"
    ini.write_text("[mlflow]\ndefault_permission = EDIT\n"
                   f"database_uri = sqlite:///{base / 'basic_auth.db'}\n"
                   f"admin_username = {ADMIN}\nadmin_password = {passwords[ADMIN]}\n"
                   "authorization_function = mlflow.server.auth:authenticate_request_basic_auth\n"
                   "auth_cache_ttl_seconds = 600\n")
    env = {"MLFLOW_AUTH_CONFIG_PATH": str(ini), "MLFLOW_FLASK_SERVER_SECRET_KEY": secrets.token_hex(16)}
    return env, passwords


def _create_users(srv: Guarded) -> None:
    """edith has EDIT (the default); the gate's identity administers the registry (it deletes too)."""
    for user in (EDITOR, GATE):
        status, body = srv.http("POST", "/api/2.0/mlflow/users/create",
                                {"username": user, "password": srv.passwords[user]}, user=ADMIN)
        assert status == 200, body
    status, body = srv.http("PATCH", "/api/2.0/mlflow/users/update-admin", {"username": GATE, "is_admin": True},
                            user=ADMIN)
    assert status == 200, body


@contextlib.contextmanager
def guarded_server(base: Path, kind: str, *, policy: dict | None = None, extra_env: dict | None = None):
    authenticated = kind == "3.x"
    config = write_config(base, policy if policy is not None else POLICY, gate_users=[GATE],
                          break_glass={"enabled": True, "users": [ADMIN] if authenticated else []})
    env, passwords = _basic_auth(base) if authenticated else ({}, {})
    env.update(MLGOV_SERVER_CONFIG=str(config), PYTHONPATH=plugin_metadata(base / "plugin"), **(extra_env or {}))
    app = "mlgov-basic-auth" if authenticated else "mlgov"
    args = ("--workers", "2") if kind == "3.x" else ("--workers", "2", "--gunicorn-opts", "--access-logfile -")
    with running_server(base, kind=kind, app_name=app, env_extra=env, args_extra=args) as srv:
        guarded = Guarded(kind=kind, url=srv.url, base=base, log=srv.log,
                          policy_file=base / "governance" / ".mlgov.yaml", passwords=passwords)
        if authenticated:
            _create_users(guarded)
        yield guarded


# MLflow caches each worker's webhook list per event for this many seconds (whole seconds only): a
# webhook made less than this after an alias event of another test is not seen until it expires.
WEBHOOK_CACHE_TTL = 1


@pytest.fixture(scope="session", params=["3.x", "2.22"], ids=lambda k: f"guarded={k}")
def guarded(request, tmp_path_factory):
    """Each guarded server in turn (pytest finishes one before starting the next)."""
    with guarded_server(tmp_path_factory.mktemp(f"guarded-{request.param}"), request.param,
                        extra_env={"MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS": "true",  # loopback receivers
                                   "MLFLOW_WEBHOOK_ALLOWED_SCHEMES": "http,https",
                                   "MLFLOW_WEBHOOK_CACHE_TTL": str(WEBHOOK_CACHE_TTL),
                                   # without it each worker encrypts webhook secrets with a key of its
                                   # own, and a worker that did not create the webhook cannot deliver it
                                   "MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY": Fernet.generate_key().decode()}) as srv:
        yield srv


_EXPERIMENTS: dict[str, str] = {}


def new_version(srv: Guarded, name: str, *, new_model: bool = True) -> str:
    """A compliant version (no evidence yet) of model `name`, made by the EDIT user: its number."""
    with srv.as_user(EDITOR):
        client = srv.client()
        if srv.url not in _EXPERIMENTS:
            _EXPERIMENTS[srv.url] = client.create_experiment("plugin-tests")
        files = {**Spec().artifacts, "model/model.pkl": "weights\n"}  # approvals name the model's files
        _create_version(client, _EXPERIMENTS[srv.url], name, Spec(tags=compliant_tags("a" * 40), card=dict(CARD),
                                                                  artifacts=files), new_model=new_model)
        return str(max(int(v.version) for v in client.search_model_versions(f"name = '{name}'")))


def give_evidence(srv: Guarded, name: str, version: str) -> None:
    """What the server's policy requires: the gate's recorded pass (as the gate's identity) and two
    approvals, made with the project's own commands' code against the server."""
    from mlgov_checks import gate
    from mlgov_checks.backend import connect
    from mlgov_checks.governance.approve import approve
    from mlgov_checks.governance.record import record_result
    from mlgov_checks.policy.load import load_policy

    policy = load_policy(str(srv.policy_file))
    target = f"models:/{name}/{version}"
    with srv.as_user(GATE):
        backend = connect(srv.url)
        result = gate.run([target], policy, gate.GateOptions(), backend.reader)
        outcome = record_result(result, policy=policy, writer=backend.writer, actor=GATE,
                                        report=lambda found: json.dumps([f.to_dict() for f in found]))
        assert not outcome.refused and any("recorded pass" in a for a in outcome.actions), [
            f for f in outcome.findings if f.status.value in ("fail", "error")]
    for approver in APPROVERS:
        with srv.as_user(EDITOR):
            backend = connect(srv.url)
            done = approve(target, actor=approver, comment="reviewed", revoke=False, policy=policy,
                                   reader=backend.reader, writer=backend.writer)
            assert not done.refused, done
