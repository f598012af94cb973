"""A production-shaped tracking server, started once per session, on loopback only.

PostgreSQL (a throwaway cluster in a temporary directory, run as an unprivileged user) holds the
tracking and registry data; `mlflow server --app-name basic-auth` serves it with HTTP basic
authentication and proxied artifacts. An admin populates it through the normal MLflow client; a
second user is granted READ on the model and its experiment, and nothing else.

The server binaries come from Debian's `postgresql` package (`/usr/lib/postgresql/NN/bin`, not on
PATH) or from PATH. When they are missing the fixture fails with the reason: it never skips.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.integration.conftest import Spec, _create_version, _healthy, compliant_tags, free_port

HOST = "127.0.0.1"
PG_USER_CANDIDATES = ("postgres", "mlgovtest")  # Debian's package creates `postgres`
DB_ROLE = "mlgov"
DB_NAME = "mlflow"
ADMIN = "admin"
READER = "reader"
MODEL = "prod-compliant"
EXPERIMENT = "governance-prod"
PG_START_TIMEOUT = 60
MLFLOW_START_TIMEOUT = 180


def _pg_bin() -> Path:
    """The directory holding initdb and postgres: PATH first, else Debian's versioned directory."""
    found = shutil.which("initdb")
    if found and (Path(found).resolve().parent / "postgres").exists():
        return Path(found).resolve().parent
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                    key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    if debian:
        return debian[-1].parent
    raise RuntimeError("PostgreSQL server binaries not found (no initdb on PATH or in "
                       "/usr/lib/postgresql/*/bin): apt-get install -y postgresql")


def _unprivileged_user() -> pwd.struct_passwd | None:
    """The account that runs initdb/postgres (they refuse root); None when we are not root."""
    if os.geteuid() != 0:
        return None
    for name in PG_USER_CANDIDATES:
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                    PG_USER_CANDIDATES[-1]], check=True, capture_output=True, timeout=30)
    return pwd.getpwnam(PG_USER_CANDIDATES[-1])


def _as_user(user: pwd.struct_passwd | None) -> dict:
    if user is None:
        return {}
    return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}


def _stop(proc: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    """Signal the process's whole group, then kill it if it has not gone within 15 seconds."""
    try:
        os.killpg(proc.pid, sig)
        proc.wait(timeout=15)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=15)


def _tail(path: Path) -> str:
    return path.read_text(errors="replace")[-3000:] if path.exists() else ""


@dataclass
class Postgres:
    port: int
    password: str = field(repr=False)
    log: Path

    def uri(self, db: str = DB_NAME) -> str:
        return f"postgresql://{DB_ROLE}:{self.password}@{HOST}:{self.port}/{db}"

    def connect(self, db: str = "postgres"):
        import psycopg  # SQLAlchemy 2.1's default driver for postgresql:// (what mlflow server uses)

        return psycopg.connect(host=HOST, port=self.port, user=DB_ROLE, password=self.password,
                               dbname=db, connect_timeout=2, autocommit=True)


@contextlib.contextmanager
def _postgres(base: Path) -> Iterator[Postgres]:
    """initdb + postgres on 127.0.0.1:<free port>, socket in `base`, password (scram) auth."""
    bindir = _pg_bin()
    user = _unprivileged_user()
    password = secrets.token_urlsafe(16)
    data, sock, log = base / "data", base / "sock", base / "postgres.log"
    sock.mkdir()
    pwfile = base / "pwfile"
    pwfile.write_text(password + "\n")
    if user is not None:
        for p in (base, sock, pwfile):
            os.chown(p, user.pw_uid, user.pw_gid)
    as_user = _as_user(user)
    init = subprocess.run(
        [str(bindir / "initdb"), "-D", str(data), "-U", DB_ROLE, f"--pwfile={pwfile}",
         "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C"],
        capture_output=True, text=True, timeout=120, cwd=base, **as_user)
    if init.returncode != 0:
        raise RuntimeError(f"initdb failed ({init.returncode}):\n{init.stdout[-2000:]}\n"
                           f"{init.stderr[-2000:]}")
    port = free_port()
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [str(bindir / "postgres"), "-D", str(data), "-p", str(port), "-k", str(sock),
             "-c", f"listen_addresses={HOST}", "-c", "fsync=off", "-c", "synchronous_commit=off",
             "-c", "full_page_writes=off", "-c", "max_connections=60"],
            stdout=out, stderr=subprocess.STDOUT, cwd=base, start_new_session=True, **as_user)
    pg = Postgres(port=port, password=password, log=log)
    try:
        deadline = time.monotonic() + PG_START_TIMEOUT
        while True:
            try:
                conn = pg.connect()
                break
            except Exception as e:  # psycopg.OperationalError until it accepts connections
                if proc.poll() is not None:
                    raise RuntimeError(f"postgres exited with {proc.returncode}:\n{_tail(log)}") from e
                if time.monotonic() > deadline:
                    raise RuntimeError(f"postgres not ready after {PG_START_TIMEOUT}s:\n{_tail(log)}") from e
                time.sleep(0.3)
        with conn:
            conn.execute(f"CREATE DATABASE {DB_NAME}")
        yield pg
    finally:
        _stop(proc, signal.SIGINT)  # SIGINT is postgres's "fast" shutdown


@dataclass
class ProdServer:
    url: str
    admin_password: str = field(repr=False)
    reader_password: str = field(repr=False)
    log: Path
    pg: Postgres

    def env(self, user: str, password: str) -> dict[str, str]:
        """The environment a user runs mlgov with: credentials in MLFLOW_TRACKING_USERNAME/PASSWORD."""
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("MLFLOW_TRACKING_", "DATABRICKS_", "MLGOV_"))}
        env.update(MLFLOW_TRACKING_USERNAME=user, MLFLOW_TRACKING_PASSWORD=password, NO_COLOR="1",
                   PYTHONPATH=str(REPO_ROOT))  # mlgov from this checkout, whatever is installed
        env.pop("GITHUB_ACTIONS", None)
        return env

    @property
    def admin_env(self) -> dict[str, str]:
        return self.env(ADMIN, self.admin_password)

    @property
    def reader_env(self) -> dict[str, str]:
        return self.env(READER, self.reader_password)


@contextlib.contextmanager
def _credentials(user: str, password: str) -> Iterator[None]:
    """Set the MLflow client's basic-auth variables in this process, and restore them after."""
    keys = ("MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD")
    saved = {k: os.environ.get(k) for k in keys}
    os.environ.update(dict(zip(keys, (user, password))))
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def auth_api(url: str, admin_password: str, path: str, payload: dict | None = None,
             query: str = "") -> dict:
    """Call the basic-auth app's REST API as the admin (urllib: no server-side imports in the tests)."""
    token = base64.b64encode(f"{ADMIN}:{admin_password}".encode()).decode()
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(f"{url}{path}{query}", data=data, method="POST" if data else "GET",
                                     headers={"Authorization": f"Basic {token}",
                                              "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as r:
        body = r.read()
    return json.loads(body) if body else {}


def create_user(url: str, admin_password: str, user: str, password: str) -> None:
    auth_api(url, admin_password, "/api/2.0/mlflow/users/create", {"username": user, "password": password})


def grant(url: str, admin_password: str, user: str, resource_type: str, resource_id: str,
          permission: str) -> None:
    auth_api(url, admin_password, "/api/3.0/mlflow/users/permissions/grant",
             {"username": user, "resource_type": resource_type, "resource_id": resource_id,
              "permission": permission})


def _populate(url: str, admin_password: str, reader_password: str) -> None:
    """A compliant version of MODEL, made by the admin; READER gets READ on it and its experiment."""
    from mlflow import MlflowClient

    with _credentials(ADMIN, admin_password):
        client = MlflowClient(tracking_uri=url, registry_uri=url)
        exp = client.create_experiment(EXPERIMENT)
        _create_version(client, exp, MODEL, Spec(tags=compliant_tags("a" * 40)))
    create_user(url, admin_password, READER, reader_password)
    grant(url, admin_password, READER, "registered_model", MODEL, "READ")
    grant(url, admin_password, READER, "experiment", exp, "READ")


@pytest.fixture(scope="session")
def prod_server() -> Iterator[ProdServer]:
    """PostgreSQL + `mlflow server --app-name basic-auth` on 127.0.0.1; both groups killed at the end."""
    base = Path(tempfile.mkdtemp(prefix="mlgov-prod-"))
    os.chmod(base, 0o755)  # the unprivileged postgres user must reach its own subdirectory
    pg_base = base / "pg"
    pg_base.mkdir()
    mlflow_base = base / "mlflow"
    mlflow_base.mkdir(mode=0o700)
    admin_password = secrets.token_urlsafe(18)
    reader_password = secrets.token_urlsafe(18)
    try:
        with _postgres(pg_base) as pg:
            ini = mlflow_base / "basic_auth.ini"
            ini.write_text(
                "[mlflow]\n"
                "default_permission = NO_PERMISSIONS\n"
                f"database_uri = sqlite:///{mlflow_base / 'basic_auth.db'}\n"
                f"admin_username = {ADMIN}\n"
                f"admin_password = {admin_password}\n"
                "authorization_function = mlflow.server.auth:authenticate_request_basic_auth\n"
                # Each request otherwise re-derives the password hash (scrypt, ~0.3 s of CPU):
                # a production server turns the cache on too.
                "auth_cache_ttl_seconds = 600\n")
            ini.chmod(0o600)
            port = free_port()
            url = f"http://{HOST}:{port}"
            log = mlflow_base / "server.log"
            env = {k: v for k, v in os.environ.items()
                   if not k.startswith(("MLFLOW_TRACKING_", "MLFLOW_AUTH_", "DATABRICKS_"))}
            env.update(MLFLOW_SERVER_ENABLE_JOB_EXECUTION="false", MLFLOW_AUTH_CONFIG_PATH=str(ini),
                       MLFLOW_FLASK_SERVER_SECRET_KEY=secrets.token_hex(16))  # CSRF key, required
            cmd = [sys.executable, "-m", "mlflow", "server", "--app-name", "basic-auth",
                   "--host", HOST, "--port", str(port), "--workers", "2",
                   "--backend-store-uri", pg.uri(),
                   "--artifacts-destination", str(mlflow_base / "artifacts"), "--serve-artifacts"]
            with open(log, "wb") as out:
                proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env,
                                        cwd=mlflow_base, start_new_session=True)
            try:
                deadline = time.monotonic() + MLFLOW_START_TIMEOUT
                while not _healthy(url):
                    if proc.poll() is not None:
                        raise RuntimeError(f"mlflow server exited with {proc.returncode}:\n{_tail(log)}")
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"mlflow server not healthy after {MLFLOW_START_TIMEOUT}s:\n"
                                           f"{_tail(log)}")
                    time.sleep(0.5)
                _populate(url, admin_password, reader_password)
                yield ProdServer(url=url, admin_password=admin_password,
                                 reader_password=reader_password, log=log, pg=pg)
            finally:
                _stop(proc)
    finally:
        shutil.rmtree(base, ignore_errors=True)
