"""Benchmark: `mlgov card` against check-jsonschema (same cards, equivalent schema), side by side.

Generates 1 card (the template; alone, then with the policy template beside it, which mlgov
validates on every run) and 1,000 cards (the realistic test corpus in turn, in mixed schema
notations, every other one as a `model_card.json`) in a temporary directory and times, in one run,
each command as a user runs it (a fresh process per invocation, as pre-commit does), reporting
the median wall time of several runs and the ratio. mlgov's bytecode is compiled first, as `pip
install` leaves an installed package (check-jsonschema's is): with PYTHONDONTWRITEBYTECODE set, a
source checkout would otherwise be compiled again in every process. check-jsonschema cannot read Hugging Face
READMEs or Model Card Toolkit JSON against our schema, so for those two formats (the complete
cards of the corpus in tests/data/cards/corpus, 1,000 of each) only mlgov's throughput is
reported. Usage:

    python benchmarks/card_bench.py [--runs 7] [--markdown]
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import resources

import yaml

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


CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "tests", "data", "cards", "corpus")


def realistic_cards() -> list[tuple[str, str]]:
    """The test corpus: cards as different teams write them, in every schema notation, as
    (file name, text); every other card is the same card written as JSON."""
    names = sorted(n for n in os.listdir(REALISTIC) if n.endswith(".yaml"))
    cards = []
    for k, name in enumerate(names):
        with open(os.path.join(REALISTIC, name), encoding="utf-8") as fh:
            text = fh.read()
        if k % 2:
            cards.append(("model_card.json", json.dumps(yaml.safe_load(text), indent=2, default=str)))
        else:
            cards.append(("model_card.yaml", text))
    return cards


def corpus_cards(formats: tuple[str, ...]) -> list[tuple[str, str]]:
    """The corpus' complete cards of these formats (SOURCES.yaml), as (file name, text)."""
    with open(os.path.join(CORPUS, "SOURCES.yaml"), encoding="utf-8") as fh:
        entries = yaml.safe_load(fh)["cards"]
    cards = []
    for c in entries:
        if c["format"] in formats and c["expect_exit"] == 0:
            with open(os.path.join(CORPUS, c["path"]), encoding="utf-8") as fh:
                cards.append((os.path.basename(c["path"]), fh.read()))
    return cards


def distinct(name: str, text: str, i: int) -> str:
    """The card text made unique to copy i, in a way its format allows."""
    if name.endswith(".json"):
        return text.rstrip() + "\n" * (1 + i % 1000)
    if name.endswith(".md"):
        return text.rstrip() + f"\n\n<!-- card {i} -->\n"
    return f"# card {i}\n" + text


def make_cards(root: str, n: int, mixed: list[tuple[str, str]] | None = None) -> list[str]:
    """n cards: the template card, or (with `mixed`) the given cards in turn, each file distinct."""
    paths = []
    for i in range(n):
        d = os.path.join(root, f"model_{i:04d}")
        os.makedirs(d, exist_ok=True)
        name, text = mixed[i % len(mixed)] if mixed else ("model_card.yaml", "")
        p = os.path.join(d, name)
        with open(p, "w", encoding="utf-8") as fh:
            fh.write(distinct(name, text, i) if mixed else CARD.format(i=i, rows=100000 + i, d=i % 10))
        paths.append(p)
    return paths


def timed(cmd: list[str], runs: int, cwd: str) -> tuple[float, int]:
    """Median wall time of one command and its last exit code."""
    samples, code = [], 0
    for _ in range(runs):
        t0 = time.perf_counter()
        code = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples), code


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
    spec = importlib.util.find_spec("mlgov_checks")  # the package the `mlgov` processes import
    if spec is not None and spec.submodule_search_locations:
        for where in spec.submodule_search_locations:
            compileall.compile_dir(where, quiet=1)
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
        alone = []
        for label, formats in (("Hugging Face README", ("huggingface-readme",)),
                               ("Model Card Toolkit JSON", ("mct-json-v0.0.1", "mct-json-v0.0.2"))):
            root = os.path.join(tmp, label.split()[0].lower())
            files = [os.path.relpath(p, root) for p in make_cards(root, 1000, corpus_cards(formats))]
            t, code = timed([mlgov, "card", *files], max(3, args.runs // 2), root)
            if code != 0:
                print(f"unexpected exit code: mlgov={code} on 1,000 {label} cards", file=sys.stderr)
                return 1
            alone.append((label, t))
    print(f"Python {platform.python_version()}, {os.cpu_count()} CPUs, median of {args.runs} runs "
          f"(1 card) / {max(3, args.runs // 2)} runs (1,000 cards), fresh process each run,"
          " the two tools alternating\n")
    print("| cards | mlgov card | check-jsonschema | mlgov / check-jsonschema |")
    print("|---:|---:|---:|---:|")
    for n, t_m, t_c in rows:
        print(f"| {n} | {t_m * 1000:.0f} ms | {t_c * 1000:.0f} ms | {t_m / t_c:.2f} |")
    print("\n| format (1,000 cards, mlgov card only) | time | cards/s |")
    print("|---|---:|---:|")
    for label, t in alone:
        print(f"| {label} | {t * 1000:.0f} ms | {1000 / t:,.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
