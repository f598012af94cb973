"""What the registry guard costs: one store served by `mlflow server` and by `mlflow server --app-name mlgov`.

    python benchmarks/server_plugin_bench.py [--requests 400] [--protected 100] [--steps 500] [--repeats 3]
                                             [--server-python .cache/venvs/mlflow-2.22/bin/python]
                                             [--out benchmarks/out/server_plugin.md]

Starts both servers (loopback, sqlite, served artifacts, two workers each) on the same backend store
and the same artifacts, populates one model whose version 1 carries the server policy's evidence
(a recorded pass and two approvals), then, alternating the two servers request by request:

- unprotected: `GET registered-models/get` (the hook's cost outside the protected surface);
- protected, allowed: `POST registered-models/alias` setting @champion on the evidenced version
  (the guard reads the version, its run, the model's aliases and the decision log; warm);
- training loop: `MlflowClient.log_metric` for `--steps` steps in a fresh run, metrics per second.

Prints a Markdown table: medians per server, the difference, the ratio.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.integration.conftest import running_server  # noqa: E402
from tests.integration.server_plugin.conftest import (  # noqa: E402
    POLICY,
    give_evidence,
    new_version,
    plugin_metadata,
    write_config,
)

MODEL = "bench-guarded"


def timed(method: str, url: str, **kw: object) -> float:
    """One request on a fresh connection: on a kept-alive one, uvicorn's two writes per response meet
    the client's delayed ACK, and either server's median jumps by 40 ms at random."""
    t0 = time.perf_counter()
    r = requests.request(method, url, timeout=60, **kw)
    elapsed = time.perf_counter() - t0
    if r.status_code != 200:
        raise SystemExit(f"{method} {url}: {r.status_code} {r.text[:300]}")
    return elapsed


def alternate(urls: dict[str, str], n: int, method: str, path: str, **kw: object) -> dict[str, float]:
    """Median seconds per server, the two servers' requests interleaved (after 20 warm-up requests)."""
    times: dict[str, list[float]] = {k: [] for k in urls}
    for i in range(n + 20):
        for k, url in urls.items():
            t = timed(method, url + path, **kw)
            if i >= 20:
                times[k].append(t)
    return {k: statistics.median(v) for k, v in times.items()}


def training_loop(url: str, steps: int, repeats: int) -> float:
    """Median metrics per second of a run logging one metric per step."""
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri=url)
    exp = client.get_experiment_by_name("bench-training") or client.get_experiment(
        client.create_experiment("bench-training"))
    rates = []
    for _ in range(repeats):
        run = client.create_run(exp.experiment_id)
        t0 = time.perf_counter()
        for step in range(steps):
            client.log_metric(run.info.run_id, "loss", 1.0 / (step + 1), step=step)
        rates.append(steps / (time.perf_counter() - t0))
        client.set_terminated(run.info.run_id)
    return statistics.median(rates)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=400)
    ap.add_argument("--protected", type=int, default=100)
    ap.add_argument("--steps", type=int, default=500)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--server-python", default=None, help="e.g. .cache/venvs/mlflow-2.22/bin/python")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    kind = "2.22" if args.server_python and "2.22" in args.server_python else "3.x"
    with tempfile.TemporaryDirectory(prefix="mlgov-plugin-bench-") as tmp:
        base = Path(tmp)
        store = f"sqlite:///{base / 'mlflow.db'}"
        config = write_config(base, POLICY, gate_users=[])
        env = {"MLGOV_SERVER_CONFIG": str(config), "PYTHONPATH": plugin_metadata(base / "plugin")}
        workers = ("--workers", "2") + (("--gunicorn-opts", "--log-level warning") if kind == "2.22" else ())
        with running_server(base / "plain", kind=kind, backend=store, args_extra=workers) as plain, \
                running_server(base / "guarded", kind=kind, backend=store, app_name="mlgov", env_extra=env,
                               args_extra=workers) as guarded:
            from tests.integration.server_plugin.conftest import Guarded

            srv = Guarded(kind=kind, url=guarded.url, base=base, log=guarded.log,
                          policy_file=base / "governance" / ".mlgov.yaml")
            new_version(srv, MODEL)
            give_evidence(srv, MODEL, "1")
            urls = {"mlflow server": plain.url, "--app-name mlgov": guarded.url}
            unprotected = alternate(urls, args.requests, "GET", f"/api/2.0/mlflow/registered-models/get?name={MODEL}")
            protected = alternate(urls, args.protected, "POST", "/api/2.0/mlflow/registered-models/alias",
                                  json={"name": MODEL, "alias": "champion", "version": "1"})
            loop = {k: training_loop(u, args.steps, args.repeats) for k, u in urls.items()}
    a, b = urls
    rows = [("unprotected request (GET registered-models/get), median ms", unprotected, 1000.0),
            ("protected request, allowed (POST alias @champion), median ms", protected, 1000.0),
            (f"training loop: log_metric x {args.steps}, metrics/s (median of {args.repeats})", loop, 1.0)]
    lines = [f"MLflow {kind} server, two workers, sqlite; {args.requests} unprotected and {args.protected} "
             "protected requests per server, interleaved", "",
             f"| measure | `{a}` | `{b}` | difference | ratio |", "|---|---:|---:|---:|---:|"]
    for label, values, scale in rows:
        x, y = values[a] * scale, values[b] * scale
        lines.append(f"| {label} | {x:.2f} | {y:.2f} | {y - x:+.2f} | {y / x:.2f}x |")
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
