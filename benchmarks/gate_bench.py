"""Gate N model versions on a real local `mlflow server`: the batched gate against the naive loop.

    python benchmarks/gate_bench.py [--versions 200] [--repeats 3] [--out benchmarks/out/gate.md]
                                    [--server-python .cache/venvs/mlflow-2.22/bin/python]

Starts `mlflow server` (sqlite, served artifacts, loopback only) in a temporary directory, populates
one registered model with N versions (each with its own run, metrics, a model card, a validation
report and a requirements file), then, against the default server (4 workers) and a `--workers 1`
one on the same store, times in the same process:

- naive: per version `get_model_version`, `get_run`, `list_artifacts`, `download_artifacts` (card);
- batched: `mlgov_checks.gate.run` (one paged version search, `search_runs` on run-id chunks,
  per-version artifact work in a small thread pool), all checks included.

HTTP requests are counted by wrapping `requests.Session.request` in this process only.
Prints a Markdown table (median wall time of the repeats, requests, ratios).
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import requests
import yaml

HOST = "127.0.0.1"
MODEL = "bench-churn"
CARD = {
    "purpose": "Predict which subscription customers are likely to cancel within 30 days.",
    "input_schema": {"tenure_months": "integer", "monthly_charges": "float"},
    "output_schema": {"churn_probability": "float"},
    "training_data": "warehouse.analytics.customer_snapshots",
    "performance_metrics": {"accuracy": 0.87, "drift_score": 0.04},
    "limitations": "Not validated for business accounts.",
}


class Counter:
    """Counts every HTTP request this process makes, by kind (metadata vs artifacts)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counts: collections.Counter[str] = collections.Counter()
        self._orig = requests.Session.request

        counter = self

        def request(session, method, url, *args, **kwargs):
            kind = "artifacts" if "/mlflow-artifacts/" in url else "metadata"
            with counter.lock:
                counter.counts[kind] += 1
            return counter._orig(session, method, url, *args, **kwargs)

        requests.Session.request = request

    def reset(self) -> None:
        with self.lock:
            self.counts.clear()

    def snapshot(self) -> dict[str, int]:
        with self.lock:
            return dict(self.counts)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_server(base: Path, workers: int | None, python: str | None = None) -> tuple[subprocess.Popen, str]:
    """`mlflow server` run by `python` (default: this interpreter; e.g. an MLflow 2.22 environment's)."""
    port = free_port()
    url = f"http://{HOST}:{port}"
    interpreter = os.path.abspath(python) if python else sys.executable
    cmd = [interpreter, "-m", "mlflow", "server", "--host", HOST, "--port", str(port),
           "--backend-store-uri", f"sqlite:///{base / 'mlflow.db'}",
           "--artifacts-destination", str(base / "artifacts"), "--serve-artifacts"]
    if workers:
        cmd += ["--workers", str(workers)]
    env = {**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}
    log = open(base / f"server-{workers or 'default'}.log", "wb")  # noqa: SIM115 - kept open for the server
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=base,
                            start_new_session=True)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"mlflow server exited with {proc.returncode}; see {log.name}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2):
                return proc, url
        except OSError:
            time.sleep(0.5)
    stop_server(proc)
    raise SystemExit("mlflow server did not become healthy in 180 s")


def stop_server(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=20)


# A run that passes provenance: commit, branch, an approved review by someone else.
RUN_TAGS = {"mlflow.user": "alice", "mlflow.source.git.commit": "a" * 40, "mlflow.source.git.branch": "main",
            "code_reviewer": "bob", "review_status": "approved", "review_date": "2024-05-01"}


def populate(url: str, n: int) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from mlflow import MlflowClient
    from mlflow.entities import Metric

    client = MlflowClient(tracking_uri=url, registry_uri=url)
    exp = client.create_experiment("bench")
    client.create_registered_model(MODEL)
    card = yaml.safe_dump(CARD, sort_keys=False)

    def one(i: int) -> str:
        run = client.create_run(exp, tags=RUN_TAGS, run_name=f"train-{i}")
        rid = run.info.run_id
        now = int(time.time() * 1000)
        client.log_batch(rid, metrics=[Metric("accuracy", 0.87, now, 0), Metric("drift_score", 0.04, now, 0)])
        client.log_text(rid, card, "documentation/model_card.yaml")
        client.log_text(rid, "holdout accuracy 0.87\n", "validation/report.txt")
        client.log_text(rid, "scikit-learn==1.5.0\n", "requirements.txt")
        client.set_terminated(rid)
        return rid

    with ThreadPoolExecutor(8) as pool:
        run_ids = list(pool.map(one, range(n)))
    for rid in run_ids:  # versions in order, so that version i is run i
        client.create_model_version(MODEL, f"runs:/{rid}/model", run_id=rid, description="Approved",
                                    await_creation_for=0)


def naive(url: str, n: int) -> int:
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri=url, registry_uri=url)
    ok = 0
    with tempfile.TemporaryDirectory() as tmp:
        for v in range(1, n + 1):
            mv = client.get_model_version(MODEL, str(v))
            run = client.get_run(mv.run_id)
            names = {a.path for a in client.list_artifacts(mv.run_id)}
            path = client.download_artifacts(mv.run_id, "documentation/model_card.yaml",
                                             os.path.join(tmp, str(v)))
            ok += bool(run.data.metrics) and "validation" in names and os.path.exists(path)
    return ok


def batched(url: str, n: int, workers: int | None) -> int:
    from mlgov_checks import backend, gate
    from mlgov_checks.findings import Status
    from mlgov_checks.policy.load import default_policy

    reader = backend.connect(url, timeout=60, workers=workers).reader
    result = gate.run([f"models:/{MODEL}/{v}" for v in range(1, n + 1)], default_policy(), gate.GateOptions(),
                      reader)
    errors = [f for f in result.findings if f.status is Status.ERROR]
    if errors:
        raise SystemExit(f"batched gate could not evaluate: {errors[0].message}")
    return len(result.targets)


def measure(counter: Counter, func, repeats: int) -> tuple[float, dict[str, int], Any]:
    """Median wall time, the requests of the last repeat by kind, and its result."""
    times, counts, result = [], {}, None
    for _ in range(repeats):
        counter.reset()
        t0 = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - t0)
        counts = counter.snapshot()
    return statistics.median(times), counts, result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--versions", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--gate-workers", type=int, default=None, help="mlgov's thread pool (default: 8)")
    ap.add_argument("--server-python", default=None, metavar="PATH",
                    help="interpreter that runs the server, e.g. .cache/venvs/mlflow-2.22/bin/python")
    ap.add_argument("--out", default=None, help="also write the Markdown table here")
    args = ap.parse_args()
    n = args.versions
    counter = Counter()
    rows = []
    with tempfile.TemporaryDirectory(prefix="mlgov-gate-bench-") as tmp:
        base = Path(tmp)
        for workers, label in ((None, "default (4 workers)"), (1, "--workers 1")):
            proc, url = start_server(base, workers, args.server_python)
            try:
                if workers is None:
                    t0 = time.perf_counter()
                    populate(url, n)
                    print(f"populated {n} versions in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
                batched(url, 2, args.gate_workers)  # warm up imports and connections, not measured
                naive(url, 2)
                nt, nc, nok = measure(counter, lambda u=url: naive(u, n), args.repeats)
                bt, bc, bok = measure(counter, lambda u=url: batched(u, n, args.gate_workers), args.repeats)
                if nok != n or bok != n:
                    raise SystemExit(f"sanity: naive saw {nok}, batched {bok} of {n} versions")
                rows.append((label, nt, nc, bt, bc))
                print(f"{label}: naive {nt:.2f} s {nc}, batched {bt:.2f} s {bc}", file=sys.stderr)
            finally:
                stop_server(proc)
    table = render(rows, n, args.repeats)
    print(table)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(table, encoding="utf-8")
    return 0


def render(rows, n: int, repeats: int) -> str:
    lines = [
        f"Gating {n} model versions (median of {repeats} runs; requests counted in the client):",
        "",
        "| server | loop | wall time | metadata requests | artifact requests | all requests |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for label, nt, nc, bt, bc in rows:
        nall, ball = sum(nc.values()), sum(bc.values())
        lines.append(f"| {label} | naive | {nt:.2f} s | {nc.get('metadata', 0)} | {nc.get('artifacts', 0)} | "
                     f"{nall} |")
        lines.append(f"| {label} | mlgov (batched) | {bt:.2f} s | {bc.get('metadata', 0)} | "
                     f"{bc.get('artifacts', 0)} | {ball} |")
        lines.append(f"| {label} | **ratio** | **{nt / bt:.1f}x faster** | "
                     f"{nc.get('metadata', 0) / max(1, bc.get('metadata', 0)):.0f}x fewer | "
                     f"{nc.get('artifacts', 0) / max(1, bc.get('artifacts', 0)):.1f}x fewer | "
                     f"**{nall / max(1, ball):.2f}x fewer** |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
