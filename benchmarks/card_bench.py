"""Benchmark: `mlgov card` against check-jsonschema (same cards, equivalent schema), side by side.

Generates 1 card (the template; alone, then with the policy template beside it, which mlgov
validates on every run) and 1,000 cards (the realistic test corpus in turn, in mixed schema
notations) in a temporary directory and times, in one run, each command as a user runs it (a
fresh process per invocation, as pre-commit does), reporting the median wall time of several runs
and the ratio. Usage:

    python benchmarks/card_bench.py [--runs 7] [--markdown]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import resources

CARD = """\
purpose: >-
  Predict the probability that customer {i} churns within 30 days so the retention
  team can prioritise outreach; scores are refreshed nightly.
input_schema:
  - {{name: tenure_months, type: integer}}
  - {{name: monthly_charges, type: float}}
  - {{name: contract_type, type: string}}
  - {{name: support_calls_90d, type: integer}}
  - {{name: region, type: string}}
output_schema:
  - {{name: churn_probability, type: float}}
training_data:
  source: warehouse.analytics.customer_snapshots_v{i}
  period: "2025-01-01 to 2025-12-31"
  rows: {rows}
  preprocessing: deduplicated by customer id; accounts younger than 30 days removed
performance_metrics:
  accuracy: 0.8{d}
  precision: 0.7{d}
  recall: 0.6{d}
  drift_score: 0.0{d}
limitations:
  - Not validated for business (B2B) accounts.
  - Customers with less than one month of history get unreliable scores.
  - Retrain at least quarterly; drift above 0.1 invalidates the scores.
owners:
  - team-{i}@example.com
"""


REALISTIC = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "tests", "data", "cards",
                         "realistic")


def realistic_cards() -> list[str]:
    """The test corpus: cards as different teams write them, in every schema notation."""
    names = sorted(n for n in os.listdir(REALISTIC) if n.endswith(".yaml"))
    texts = []
    for name in names:
        with open(os.path.join(REALISTIC, name), encoding="utf-8") as fh:
            texts.append(fh.read())
    return texts


def make_cards(root: str, n: int, mixed: list[str] | None = None) -> list[str]:
    """n cards: the template card, or (with `mixed`) the realistic cards in turn, each file distinct."""
    paths = []
    for i in range(n):
        d = os.path.join(root, f"model_{i:04d}")
        os.makedirs(d, exist_ok=True)
        p = os.path.join(d, "model_card.yaml")
        with open(p, "w", encoding="utf-8") as fh:
            if mixed:
                fh.write(f"# card {i}\n" + mixed[i % len(mixed)])
            else:
                fh.write(CARD.format(i=i, rows=100000 + i, d=i % 10))
        paths.append(p)
    return paths


def timed_pair(a: list[str], b: list[str], runs: int, cwd: str) -> tuple[float, float, int, int]:
    """Median wall times of two commands, run alternately so that machine noise hits both alike."""
    samples: tuple[list[float], list[float]] = ([], [])
    codes = [0, 0]
    for _ in range(runs):
        for i, cmd in enumerate((a, b)):
            t0 = time.perf_counter()
            proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            samples[i].append(time.perf_counter() - t0)
            codes[i] = proc.returncode
    return statistics.median(samples[0]), statistics.median(samples[1]), codes[0], codes[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    # The console scripts beside this interpreter, not shims in front of them: both tools get the
    # same launcher, so the comparison measures the tools.
    bindir = os.path.dirname(sys.executable)
    cjs = shutil.which("check-jsonschema", path=bindir) or shutil.which("check-jsonschema")
    mlgov = shutil.which("mlgov", path=bindir) or shutil.which("mlgov")
    if not cjs or not mlgov:
        print("needs both `mlgov` and `check-jsonschema` on PATH (pip install -e '.[test]')", file=sys.stderr)
        return 2
    schema_text = resources.files("mlgov_checks").joinpath("schemas/model_card.schema.json").read_text()
    rows = []
    mixed = realistic_cards()
    with tempfile.TemporaryDirectory() as tmp:
        schema = os.path.join(tmp, "model_card.schema.json")
        with open(schema, "w") as fh:
            fh.write(schema_text)
        # no policy file in reach: both tools see only their built-in rules; then one card with the
        # policy template beside it (mlgov validates it on every run: nothing is cached between runs)
        for n, with_policy in ((1, False), (1000, False), (1, True)):
            root = os.path.join(tmp, f"cards_{n}" + ("_policy" if with_policy else ""))
            # 1 card: the template; 1,000 cards: the realistic corpus in turn (mixed notations)
            files = [os.path.relpath(p, root) for p in make_cards(root, n, mixed if n > 1 else None)]
            if with_policy:
                with open(os.path.join(root, ".mlgov.yaml"), "w", encoding="utf-8") as fh:
                    fh.write(resources.files("mlgov_checks").joinpath("templates/mlgov.yaml").read_text())
            runs = args.runs if n == 1 else max(3, args.runs // 2)
            t_m, t_c, c_m, c_c = timed_pair([mlgov, "card", *files], [cjs, "--schemafile", schema, *files],
                                            runs, root)
            if c_m != 0 or c_c != 0:
                print(f"unexpected exit codes: mlgov={c_m} check-jsonschema={c_c}", file=sys.stderr)
                return 1
            rows.append((f"{n:,}" + (" (policy file)" if with_policy else ""), t_m, t_c))
    print(f"Python {platform.python_version()}, {os.cpu_count()} CPUs, median of {args.runs} runs "
          f"(1 card) / {max(3, args.runs // 2)} runs (1,000 cards), fresh process each run,"
          " the two tools alternating\n")
    print("| cards | mlgov card | check-jsonschema | mlgov / check-jsonschema |")
    print("|---:|---:|---:|---:|")
    for n, t_m, t_c in rows:
        print(f"| {n} | {t_m * 1000:.0f} ms | {t_c * 1000:.0f} ms | {t_m / t_c:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
