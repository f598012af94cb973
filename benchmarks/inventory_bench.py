"""Inventory a registry of N models x 3 versions on a real local `mlflow server`: batched vs the naive loop.

    python benchmarks/inventory_bench.py [--models 1000] [--versions 3] [--repeats 3] [--naive-repeats 1]
                                         [--out FILE]

Starts `mlflow server` (sqlite, served artifacts, loopback only; gate_bench.py's helpers) in a
temporary directory and fills it once, with 8 client threads: 100 training runs, N registered
models of 3 versions each (every version from one of the runs), two approvals on each third
version, @champion on two models in three (set with the plain client), and a recorded
`mlgov promote` decision for one model in three (so the rest are bypasses). Then, in the same
process and against the same server:

- naive: the per-model loop an inventory script would write: per model `get_registered_model`
  (its aliases) and `search_model_versions(name = ...)`, `get_run` per production version, and a
  decision-log `search_runs` per model (after one experiment lookup);
- mlgov: `mlgov_checks.reports.pages.inventory.build` (paged `search_registered_models`, versions by `name IN`
  chunks of 100, runs of production versions by id chunks, one paged decision-log search), then
  the csv rendered.

Both give, per model, the latest version, the production versions and the bypassed aliases; the
script checks they agree. It also times one `mlgov inventory` process end to end. Prints a
Markdown table: median wall times, and the HTTP requests this process made.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from gate_bench import RUN_TAGS, Counter, measure, start_server, stop_server

ROOT = Path(__file__).resolve().parents[1]
GOAL_SECONDS = 30.0
GOAL_RATIO = 10.0
RUNS = 100


def populate(url: str, models: int, versions: int) -> None:
    from mlflow import MlflowClient
    from mlflow.entities import Metric

    from mlgov_checks import backend
    from mlgov_checks.evidence.approval_record import Record, approval_key
    from mlgov_checks.evidence.statement import Approval
    from mlgov_checks.governance import chain
    from mlgov_checks.governance import decisions as decision_log
    from mlgov_checks.policy.load import default_policy

    client = MlflowClient(tracking_uri=url, registry_uri=url)
    exp = client.create_experiment("bench-inventory")
    decisions = backend.connect(url).writer.decisions_experiment()

    def train(i: int) -> str:
        rid = client.create_run(exp, tags=RUN_TAGS, run_name=f"train-{i}").info.run_id
        client.log_batch(rid, metrics=[Metric("accuracy", 0.8 + (i % 20) / 100, 0, 0),
                                       Metric("drift_score", 0.04, 0, 0)])
        return rid

    def model(i: int) -> None:
        name = f"bench-model-{i:04d}"
        client.create_registered_model(name)
        for v in range(1, versions + 1):
            tags = {}
            if v == versions:
                for who in ("carol", "dave"):
                    stated = Approval(name, str(v), "0" * 64, run_ids[(i + v) % RUNS], "0" * 64, "0" * 64, who,
                                      "2024-06-01T10:00:00Z", comment="reviewed")
                    tags[approval_key(who)] = Record(approval_key(who), stated, stated.payload()).to_json()
            client.create_model_version(name, f"runs:/{run_ids[(i + v) % RUNS]}/model",
                                        run_id=run_ids[(i + v) % RUNS], description="Approved", tags=tags,
                                        await_creation_for=0)
        if i % 3:
            client.set_registered_model_alias(name, "champion", str(versions))
        if i % 3 == 1:  # promoted through mlgov: a decision on record
            linked = chain.link({"action": "promote", "model": name, "version": str(versions), "to": "@champion",
                                 "actor": "carol", "time": "2024-06-02T10:00:00Z",
                                 "policy_sha256": default_policy().sha256}, None)  # chained, as mlgov logs it
            rid = client.create_run(decisions, run_name=f"promote {name}",
                                    tags=decision_log.tags({**linked, "outcome": "done"})).info.run_id
            client.set_registered_model_tag(name, chain.HEAD_TAG, linked["digest"])
            with contextlib.redirect_stdout(io.StringIO()):  # MLflow prints a "View run" line per run
                client.set_terminated(rid)

    with ThreadPoolExecutor(8) as pool:
        run_ids = list(pool.map(train, range(RUNS)))
        list(pool.map(model, range(models)))


Summary = list[tuple[str, str, tuple[str, ...], tuple[str, ...]]]


def naive(url: str) -> Summary:
    from mlflow import MlflowClient

    from mlgov_checks.backend import DECISIONS_EXPERIMENT
    from mlgov_checks.governance.decisions import PREFIX as DECISION_TAG

    client = MlflowClient(tracking_uri=url, registry_uri=url)
    names, token = [], None
    while True:
        page = client.search_registered_models(max_results=1000, page_token=token)
        names += [m.name for m in page]
        token = page.token
        if not token:
            break
    exp = client.get_experiment_by_name(DECISIONS_EXPERIMENT)
    out = []
    for name in sorted(names):
        aliases = dict(client.get_registered_model(name).aliases)
        found = client.search_model_versions(f"name = '{name}'")
        prod = [n for a, n in aliases.items() if a in ("champion", "production", "prod")]
        for number in prod:
            mv = next(v for v in found if str(v.version) == str(number))
            client.get_run(mv.run_id)
        logged = client.search_runs([exp.experiment_id], f"tags.`{DECISION_TAG}model` = '{name}'")
        promoted = {(r.data.tags.get(DECISION_TAG + "version"), r.data.tags.get(DECISION_TAG + "to"))
                    for r in logged if r.data.tags.get(DECISION_TAG + "action") == "promote"}
        latest = str(max(int(v.version) for v in found))
        bypassed = tuple(f"@{a} -> v{n}" for a, n in sorted(aliases.items()) if (str(n), f"@{a}") not in promoted)
        out.append((name, latest, tuple(f"@{a} v{n}" for a, n in sorted(aliases.items())), bypassed))
    return out


def batched(url: str) -> Summary:
    from mlgov_checks import backend
    from mlgov_checks.policy.load import default_policy
    from mlgov_checks.reports.pages import inventory, inventory_formats

    report = inventory.build(reader=backend.connect(url, timeout=60).reader, policy=default_policy())
    inventory_formats.to_csv(report)
    return [(r.model, r.latest_version, tuple(f"{label} v{n}" for label, n in r.production), r.bypassed)
            for r in report.rows]




def cli_seconds(url: str, cwd: Path) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MLFLOW_TRACKING_URI": url}
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "mlgov_checks", "inventory", "--output", str(cwd / "inv.csv")],
                          env=env, cwd=cwd, capture_output=True, text=True, timeout=600)
    elapsed = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise SystemExit(f"mlgov inventory exited {proc.returncode}: {proc.stderr[-2000:]}")
    return elapsed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", type=int, default=1000)
    ap.add_argument("--versions", type=int, default=3)
    ap.add_argument("--repeats", type=int, default=3, help="timed runs of mlgov inventory")
    ap.add_argument("--naive-repeats", type=int, default=1, help="timed runs of the naive loop (slow)")
    ap.add_argument("--out", default=None, help="also write the Markdown table here")
    args = ap.parse_args()
    counter = Counter()
    with tempfile.TemporaryDirectory(prefix="mlgov-inventory-bench-") as tmp:
        proc, url = start_server(Path(tmp), None)
        try:
            t0 = time.perf_counter()
            populate(url, args.models, args.versions)
            populated = time.perf_counter() - t0
            print(f"populated {args.models} models x {args.versions} versions in {populated:.0f} s", file=sys.stderr)
            batched(url)  # warm up imports and connections, not measured
            nt, ncounts, nrows = measure(counter, lambda: naive(url), args.naive_repeats)
            nreq = sum(ncounts.values())
            bt, bcounts, brows = measure(counter, lambda: batched(url), args.repeats)
            breq = sum(bcounts.values())
            ct = statistics.median(cli_seconds(url, Path(tmp)) for _ in range(args.repeats))
        finally:
            stop_server(proc)
    if nrows != brows or len(brows) != args.models:
        raise SystemExit(f"sanity: the two inventories disagree ({len(nrows)} vs {len(brows)} of {args.models})")
    ratio, fewer = nt / bt, nreq / max(1, breq)
    table = "\n".join([
        f"Inventory of {args.models} registered models x {args.versions} versions (median of {args.repeats} mlgov "
        f"and {args.naive_repeats} naive runs; "
        f"requests counted in the client; populated in {populated:.0f} s):",
        "",
        "| inventory | wall time | HTTP requests |",
        "|---|---:|---:|",
        f"| naive per-model loop | {nt:.2f} s | {nreq} |",
        f"| `mlgov inventory` (batched, in process) | {bt:.2f} s | {breq} |",
        f"| `mlgov inventory` (a whole process, csv to a file) | {ct:.2f} s | the same reads |",
        f"| **ratio** | **{ratio:.1f}x faster** | **{fewer:.0f}x fewer** |",
    ]) + "\n"
    print(table)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(table, encoding="utf-8")
    met = ct < GOAL_SECONDS and fewer >= GOAL_RATIO
    print(f"goal (< {GOAL_SECONDS:g} s and >= {GOAL_RATIO:g}x fewer requests): {'met' if met else 'NOT met'}",
          file=sys.stderr)
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
