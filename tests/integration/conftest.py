"""A real `mlflow server` on loopback, started once per session, populated with the normal client.

One compliant model version and one version per violated rule, each its own registered model
(`models:/<name>/1`), so that each test names exactly one rule.
"""

from __future__ import annotations

import contextlib
import copy
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from tests.conftest import tool_missing

HOST = "127.0.0.1"
USER = "alice"
REVIEWER = "bob"
START_TIMEOUT = 120

CARD = {
    "purpose": "Predict which subscription customers are likely to cancel within 30 days.",
    "input_schema": [{"name": "tenure_months", "type": "integer"},
                     {"name": "monthly_charges", "type": "float"}],
    "output_schema": [{"name": "churn_probability", "type": "float"}],
    "training_data": {"source": "warehouse.analytics.customer_snapshots", "rows": 184000},
    "performance_metrics": {"accuracy": 0.87, "drift_score": 0.04},
    "limitations": ["Not validated for business accounts."],
}
METRICS = {"accuracy": 0.87, "drift_score": 0.04}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


@dataclass
class Server:
    url: str
    log: Path
    proc: subprocess.Popen
    kind: str = "3.x"
    artifacts: Path | None = None

    def log_size(self) -> int:
        return self.log.stat().st_size

    def requests_since(self, offset: int) -> list[str]:
        """The access-log lines (method and path) the server wrote after `offset`."""
        time.sleep(0.3)  # the workers write their access lines just after answering
        with open(self.log, encoding="utf-8", errors="replace") as fh:
            fh.seek(offset)
            lines = fh.read().splitlines()
        return [ln.split('"')[1] for ln in lines if '" ' in ln and ("GET " in ln or "POST " in ln)]


VENVS = Path(__file__).resolve().parents[2] / ".cache" / "venvs"  # made by scripts/install-test-deps.sh
SERVER_KINDS = {"3.x": None, "2.22": "mlflow-2.22"}  # kind -> its virtual environment (None: this one)


def server_python(kind: str) -> str:
    """The interpreter that runs an `mlflow server` of this kind; missing is a skip, and a failure in CI."""
    venv = SERVER_KINDS[kind]
    if venv is None:
        return sys.executable
    python = VENVS / venv / "bin" / "python"
    if not python.exists():
        why = f"{python} is missing: run scripts/install-test-deps.sh"
        tool_missing(why)
    return str(python)


@contextlib.contextmanager
def running_server(base: Path, *, kind: str = "3.x", serve_artifacts: bool = True,
                   backend: str | None = None, app_name: str | None = None, env_extra: dict | None = None,
                   args_extra: tuple[str, ...] = ()):
    """`mlflow server` on 127.0.0.1:<free port> in its own process group, killed on exit.

    With `serve_artifacts` the server proxies artifacts under `base/artifacts`; without it, the
    artifact root is that directory and clients read and write it themselves. `app_name` is
    `--app-name`; `env_extra` and `args_extra` are added to the server's environment and command.
    """
    base.mkdir(parents=True, exist_ok=True)
    port = free_port()
    url = f"http://{HOST}:{port}"
    log = base / "server.log"
    env = {**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}
    env.pop("MLFLOW_TRACKING_URI", None)
    env.pop("MLFLOW_REGISTRY_URI", None)
    env.update(env_extra or {})
    artifacts = (["--artifacts-destination", str(base / "artifacts"), "--serve-artifacts"] if serve_artifacts
                 else ["--no-serve-artifacts", "--default-artifact-root", str(base / "artifacts")])
    cmd = [server_python(kind), "-m", "mlflow", "server", "--host", HOST, "--port", str(port),
           "--backend-store-uri", backend or f"sqlite:///{base / 'mlflow.db'}", *artifacts,
           *(["--app-name", app_name] if app_name else []), *args_extra]
    if kind != "3.x" and "--gunicorn-opts" not in args_extra:  # MLflow 2.x serves with gunicorn, which
        cmd += ["--gunicorn-opts", "--access-logfile -"]  # keeps no access log unless asked
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=base,
                                start_new_session=True)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _healthy(url):
            tail = log.read_text(errors="replace")[-3000:]
            if proc.poll() is not None:
                raise RuntimeError(f"mlflow server exited with {proc.returncode}:\n{tail}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"mlflow server not healthy after {START_TIMEOUT}s:\n{tail}")
            time.sleep(0.5)
        yield Server(url=url, log=log, proc=proc, kind=kind, artifacts=base / "artifacts")
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=15)


@pytest.fixture(scope="session", params=sorted(SERVER_KINDS, reverse=True),
                ids=lambda kind: f"server={kind}")
def mlflow_server(request, tmp_path_factory):
    """The compatibility matrix: every test that uses the server runs against each server kind.

    sqlite, served artifacts; one server at a time (pytest finishes one kind before the next).
    """
    with running_server(tmp_path_factory.mktemp(f"mlflow-server-{request.param}"), kind=request.param) as srv:
        yield srv


@dataclass
class Spec:
    """One registered model version to create: the compliant one, changed by a violation."""

    tags: dict = field(default_factory=dict)
    metrics: dict = field(default_factory=lambda: dict(METRICS))
    card: dict | str | None = field(default_factory=lambda: copy.deepcopy(CARD))
    artifacts: dict = field(default_factory=lambda: {"validation/report.txt": "holdout accuracy 0.87\n",
                                                     "requirements.txt": "scikit-learn==1.5.0\n"})
    description: str | None = "Approved by the model risk committee on 2024-05-02"
    version_tags: dict = field(default_factory=dict)


def compliant_tags(commit: str) -> dict:
    return {"mlflow.user": USER, "mlflow.source.git.commit": commit, "mlflow.source.git.branch": "main",
            "mlflow.source.git.repoURL": "https://github.com/example/churn.git", "mlgov.git.dirty": "false",
            "code_reviewer": REVIEWER, "review_status": "approved", "review_date": "2024-05-01",
            "team": "data_science", "project": "churn_prediction", "framework": "sklearn"}


def without(d: dict, *keys: str) -> dict:
    return {k: v for k, v in d.items() if k not in keys}


def violations(commit: str) -> dict[str, Spec]:
    """name -> spec; each breaks one rule of the default policy (or of the tags policy)."""
    tags = compliant_tags(commit)
    card_no_limits = without(CARD, "limitations")
    oversell = {**CARD, "performance_metrics": {"accuracy": 0.95, "drift_score": 0.04}}
    extra_metric = {**CARD, "performance_metrics": {**METRICS, "f1": 0.9}}
    low = {**CARD, "performance_metrics": {"accuracy": 0.7, "drift_score": 0.04}}
    no_drift_card = {**CARD, "performance_metrics": {"accuracy": 0.87}}
    high_drift = {**CARD, "performance_metrics": {"accuracy": 0.87, "drift_score": 0.3}}
    default_artifacts = Spec().artifacts
    return {
        "gov-missing-card": Spec(tags=tags, card=None),
        "gov-card-missing-field": Spec(tags=tags, card=card_no_limits),
        "gov-card-placeholder": Spec(tags=tags, card={**CARD, "purpose": "TODO"}),
        "gov-card-bad-yaml": Spec(tags=tags, card="purpose: [unclosed\n"),
        "gov-card-oversell": Spec(tags=tags, card=oversell),
        "gov-card-extra-metric": Spec(tags=tags, card=extra_metric),
        "gov-no-validation": Spec(tags=tags, artifacts=without(default_artifacts, "validation/report.txt")),
        "gov-no-requirements": Spec(tags=tags, artifacts=without(default_artifacts, "requirements.txt")),
        "gov-no-description": Spec(tags=tags, description=None),
        "gov-not-approved": Spec(tags=tags, description="Candidate churn model, retrained on May data"),
        "gov-low-accuracy": Spec(tags=tags, metrics={**METRICS, "accuracy": 0.7}, card=low),
        "gov-no-drift": Spec(tags=tags, metrics={"accuracy": 0.87}, card=no_drift_card),
        "gov-high-drift": Spec(tags=tags, metrics={**METRICS, "drift_score": 0.3}, card=high_drift),
        "gov-no-commit": Spec(tags=without(tags, "mlflow.source.git.commit")),
        "gov-no-branch": Spec(tags=without(tags, "mlflow.source.git.branch")),
        "gov-dirty-tree": Spec(tags={**tags, "mlgov.git.dirty": "true"}),
        "gov-no-reviewer": Spec(tags=without(tags, "code_reviewer")),
        "gov-self-review": Spec(tags={**tags, "code_reviewer": USER}),
        "gov-review-pending": Spec(tags={**tags, "review_status": "pending"}),
        "gov-review-future": Spec(tags={**tags, "review_date": "2999-01-01"}),
        "gov-review-not-a-date": Spec(tags={**tags, "review_date": "last tuesday"}),
        "gov-no-run-tags": Spec(tags=without(tags, "team", "project", "framework")),
        "gov-unknown-commit": Spec(tags={**tags, "mlflow.source.git.commit": "f" * 40}),
    }


@dataclass
class Store:
    """What the populated server holds, for the tests to name."""

    server: Server
    commit: str
    repo: Path
    compliant_run: str
    names: list[str]
    sklearn_model: str | None = None

    @property
    def url(self) -> str:
        return self.server.url


def _create_version(client, experiment_id: str, name: str, spec: Spec, *, new_model: bool = True) -> str:
    from mlflow.entities import Metric

    run = client.create_run(experiment_id, tags=spec.tags, run_name=name)
    rid = run.info.run_id
    now = int(time.time() * 1000)
    client.log_batch(rid, metrics=[Metric(k, float(v), now, 0) for k, v in spec.metrics.items()])
    if spec.card is not None:
        text = spec.card if isinstance(spec.card, str) else yaml.safe_dump(spec.card, sort_keys=False)
        client.log_text(rid, text, "documentation/model_card.yaml")
    for path, text in spec.artifacts.items():
        client.log_text(rid, text, path)
    client.set_terminated(rid)
    if new_model:
        client.create_registered_model(name)
    client.create_model_version(name, f"runs:/{rid}/model", run_id=rid, description=spec.description,
                                tags=spec.version_tags or None)
    return rid


def _git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Ada", "GIT_AUTHOR_EMAIL": "ada@example.com",
           "GIT_COMMITTER_NAME": "Ada", "GIT_COMMITTER_EMAIL": "ada@example.com"}
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                          env=env).stdout.strip()


@pytest.fixture(scope="session")
def store(mlflow_server, tmp_path_factory):
    """Populate the server once: compliant versions, one version per violated rule, aliases, a baseline."""
    from mlflow import MlflowClient

    repo = tmp_path_factory.mktemp("git") / "churn"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    (repo / "train.py").write_text("print('train')\n")
    _git(repo, "add", "train.py")
    _git(repo, "commit", "-q", "-m", "Train the churn model")
    _git(repo, "remote", "add", "origin", "https://github.com/example/churn.git")
    commit = _git(repo, "rev-parse", "HEAD")

    client = MlflowClient(tracking_uri=mlflow_server.url, registry_uri=mlflow_server.url)
    exp = client.create_experiment("governance")
    tags = compliant_tags(commit)
    compliant_run = _create_version(client, exp, "gov-compliant", Spec(tags=tags))
    client.set_registered_model_alias("gov-compliant", "prod", "1")
    names = ["gov-compliant"]
    for name, spec in violations(commit).items():
        _create_version(client, exp, name, spec)
        names.append(name)

    # A model with two versions and a @champion that v2 does not beat.
    base = "gov-baseline"
    champion = Spec(tags=tags, metrics={"accuracy": 0.92, "drift_score": 0.02},
                    card={**CARD, "performance_metrics": {"accuracy": 0.92, "drift_score": 0.02}})
    _create_version(client, exp, base, champion)
    client.set_registered_model_alias(base, "champion", "1")
    _create_version(client, exp, base, Spec(tags=tags, description="Approved for a trial"), new_model=False)

    # Version tags for the tags policy.
    client.set_model_version_tag("gov-compliant", "1", "semantic_version", "1.4.0")
    client.set_model_version_tag("gov-compliant", "1", "owner", "data-science")
    return Store(server=mlflow_server, commit=commit, repo=repo, compliant_run=compliant_run, names=names)


@pytest.fixture(scope="session")
def logged_versions(store):
    """Versions registered from logged models, by the server kind's own client: label -> target.

    3.x: a logged model (`models:/m-...`) and `runs:/ID/deep/path/clf`; 2.22: `runs:/ID/model` and
    `runs:/ID/deep/path/clf`. Each is compliant, its requirements only in the model's own directory.
    """
    import json

    script = Path(__file__).with_name("log_models.py")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    proc = subprocess.run([server_python(store.server.kind), str(script), store.url,
                           json.dumps(compliant_tags(store.commit)), yaml.safe_dump(CARD, sort_keys=False)],
                          capture_output=True, text=True, env=env, timeout=300)
    if proc.returncode != 0:
        raise RuntimeError(f"logging models failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture
def dead_uri():
    """A loopback URI with credentials where nothing listens."""
    return f"http://user:s3cret@{HOST}:{free_port()}"
