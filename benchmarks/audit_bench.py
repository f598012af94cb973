"""Audit N model versions on a real local `mlflow server`: `mlgov audit`'s batched reads vs the naive loop.

    python benchmarks/audit_bench.py [--versions 1000] [--repeats 3] [--naive-repeats 1] [--out FILE]
                                     [--server-python .cache/venvs/mlflow-2.22/bin/python]

Starts `mlflow server` (sqlite, served artifacts, loopback only; the server helpers are
gate_bench.py's) in a temporary directory and populates one registered model with N versions
(8 client threads: each run has tags, params and metrics), two aliases and 50 decision-log runs.
Then, in the same process and against the same server:

- naive: the source design's audit, per version `get_model_version` and `get_run` (after one
  listing search), plus the same alias and decision reads mlgov makes;
- batched: `mlgov_checks.reports.pages.audit.build` (one paged version search, `search_runs` on run-id chunks of
  100, one alias read, one decision-log search).

Both produce a row per version; the script checks they agree on versions, run ids and metrics.
Prints a Markdown table: median wall time of the repeats and the HTTP requests this process made.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from gate_bench import RUN_TAGS, Counter, measure, start_server, stop_server

MODEL = "bench-audit"
GOAL_SECONDS = 10.0
GOAL_RATIO = 5.0


def populate(url: str, n: int) -> None:
    from mlflow import MlflowClient
    from mlflow.entities import Metric, Param

    from mlgov_checks import backend
    from mlgov_checks.governance.decisions import PREFIX as DECISION_TAG

    client = MlflowClient(tracking_uri=url, registry_uri=url)
    exp = client.create_experiment("bench-audit")
    client.create_registered_model(MODEL)

    def one(i: int) -> str:
        run = client.create_run(exp, tags=RUN_TAGS, run_name=f"train-{i}")
        rid = run.info.run_id
        now = int(time.time() * 1000)
        client.log_batch(rid, metrics=[Metric("accuracy", 0.8 + (i % 100) / 1000, now, 0),
                                       Metric("drift_score", 0.04, now, 0)],
                         params=[Param("C", str(i % 7)), Param("max_iter", "200")])
        return rid

    def register(rid: str) -> None:
        for attempt in range(10):  # concurrent creators can collide on the next version number
            try:
                client.create_model_version(MODEL, f"runs:/{rid}/model", run_id=rid, description="Approved",
                                            await_creation_for=0)
                return
            except Exception:
                if attempt == 9:
                    raise
                time.sleep(0.05 * (attempt + 1))

    with ThreadPoolExecutor(8) as pool:
        run_ids = list(pool.map(one, range(n)))
        list(pool.map(register, run_ids))
    client.set_registered_model_alias(MODEL, "champion", str(n))
    client.set_registered_model_alias(MODEL, "challenger", str(n - 1))
    writer = backend.connect(url).writer
    for v in range(1, 51):
        rid = writer.open_decision({DECISION_TAG + "model": MODEL, DECISION_TAG + "version": str(v),
                                    DECISION_TAG + "action": "promote", DECISION_TAG + "to": "@champion"},
                                   run_name=f"promote {v}")
        writer.attach_documents(rid, {"decision.json": "{}"})
        writer.close_decision(rid, {DECISION_TAG + "outcome": "done"}, status="FINISHED")


def naive(url: str) -> list[tuple[str, str, float]]:
    from mlflow import MlflowClient

    from mlgov_checks.backend import DECISIONS_EXPERIMENT
    from mlgov_checks.governance.decisions import PREFIX as DECISION_TAG

    client = MlflowClient(tracking_uri=url, registry_uri=url)
    listed = client.search_model_versions(f"name = '{MODEL}'", max_results=10000)
    aliases = client.get_registered_model(MODEL).aliases
    exp = client.get_experiment_by_name(DECISIONS_EXPERIMENT)
    decisions = client.search_runs([exp.experiment_id], f"tags.`{DECISION_TAG}model` = '{MODEL}'")
    rows = []
    for listed_version in listed:
        mv = client.get_model_version(MODEL, listed_version.version)
        run = client.get_run(mv.run_id)
        rows.append((str(mv.version), run.info.run_id, run.data.metrics["accuracy"]))
    assert aliases and decisions
    return sorted(rows, key=lambda r: int(r[0]))


def batched(url: str) -> list[tuple[str, str, float]]:
    from mlgov_checks import backend
    from mlgov_checks.policy.load import default_policy
    from mlgov_checks.reports.pages import audit

    report = audit.build(MODEL, reader=backend.connect(url, timeout=60).reader, policy=default_policy())
    assert report.flags, "the challenger alias was set without a decision: it must be flagged"
    return [(r["version"], r["run_id"], r["metrics"]["accuracy"]) for r in report.rows]




def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--versions", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=3, help="timed runs of the batched audit")
    ap.add_argument("--naive-repeats", type=int, default=1, help="timed runs of the naive loop (slow)")
    ap.add_argument("--out", default=None, help="also write the Markdown table here")
    ap.add_argument("--server-python", default=None, metavar="PATH",
                    help="interpreter that runs the server, e.g. .cache/venvs/mlflow-2.22/bin/python")
    args = ap.parse_args()
    n = args.versions
    counter = Counter()
    with tempfile.TemporaryDirectory(prefix="mlgov-audit-bench-") as tmp:
        proc, url = start_server(Path(tmp), None, args.server_python)
        try:
            t0 = time.perf_counter()
            populate(url, n)
            populated = time.perf_counter() - t0
            print(f"populated {n} versions in {populated:.1f} s", file=sys.stderr)
            batched(url)  # warm up imports and connections, not measured
            nt, ncounts, nrows = measure(counter, lambda: naive(url), args.naive_repeats)
            nreq = sum(ncounts.values())
            bt, bcounts, brows = measure(counter, lambda: batched(url), args.repeats)
            breq = sum(bcounts.values())
        finally:
            stop_server(proc)
    if nrows != brows or len(brows) != n:
        raise SystemExit(f"sanity: the two audits disagree ({len(nrows)} vs {len(brows)} rows of {n})")
    ratio = nt / bt
    table = "\n".join([
        f"Auditing one model with {n} versions (median of {args.repeats} batched and {args.naive_repeats} "
        f"naive runs; requests counted in the client; populated in {populated:.0f} s):",
        "",
        "| audit | wall time | HTTP requests |",
        "|---|---:|---:|",
        f"| naive loop (get_model_version + get_run per version) | {nt:.2f} s | {nreq} |",
        f"| `mlgov audit` (batched) | {bt:.2f} s | {breq} |",
        f"| **ratio** | **{ratio:.1f}x faster** | **{nreq / max(1, breq):.0f}x fewer** |",
    ]) + "\n"
    print(table)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(table, encoding="utf-8")
    met = bt < GOAL_SECONDS and ratio >= GOAL_RATIO
    verdict = "met" if met else "NOT met"
    print(f"goal (< {GOAL_SECONDS:g} s and >= {GOAL_RATIO:g}x): {verdict}", file=sys.stderr)
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
