"""Benchmark: time and peak memory of `mlgov card` on hostile files (generated, not committed).

Each file is checked in a fresh process; wall time and the child's peak RSS (from wait4) are
reported, with the check that caught it. Usage: python benchmarks/hostile_bench.py
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "tests", "data", "cards", "hostile")


def generate(root: str) -> dict[str, str]:
    files = {}

    def put(name: str, data: bytes) -> None:
        p = os.path.join(root, name)
        with open(p, "wb") as fh:
            fh.write(data)
        files[name] = p

    for name in sorted(os.listdir(CORPUS)):
        shutil.copy(os.path.join(CORPUS, name), os.path.join(root, name))
        files[name] = os.path.join(root, name)
    put("huge_20mb.yaml", b"".join(b"k%d: %s\n" % (i, b"x" * 1000) for i in range(20 * 1024)))
    put("deep_flow_10000.yaml", b"a: " + b"[" * 10000 + b"]" * 10000 + b"\n")
    put("deep_block_1000.yaml", b"".join(b" " * i + b"k%d:\n" % i for i in range(1000)) + b" " * 1000 + b"v: 1\n")
    put("long_line_1mb.yaml", b"purpose: " + b"y" * (1024 * 1024 - 100) + b"\n")
    put("many_keys_900kb.yaml", b"".join(b"key_%06d: value\n" % i for i in range(50000)))
    fanout = b",".join([b"*a"] * 1000)
    put("wide_alias_fanout.yaml", b"a: &a [" + b",".join([b"x"] * 1000) + b"]\nb: [" + fanout + b"]\n")
    return files


def run_one(path: str) -> tuple[float, int, str, int]:
    """Wall time, the child's own peak RSS in KiB (wait4), the checks that failed, the exit code."""
    with tempfile.TemporaryFile() as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "mlgov_checks", "card", "--format", "json", path],
                                stdout=out, stderr=subprocess.DEVNULL)
        _pid, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        report = json.loads(out.read())
    caught = sorted({f["check"] for f in report["findings"] if f["status"] != "pass"})
    return elapsed, usage.ru_maxrss, ",".join(caught) or "(passed)", proc.returncode


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        files = generate(tmp)
        print("| file | size | exit | caught by | wall | peak RSS |")
        print("|---|---:|---:|---|---:|---:|")
        for name, path in files.items():
            elapsed, rss_kib, caught, code = run_one(path)
            size = os.path.getsize(path)
            print(f"| {name} | {size:,} B | {code} | {caught} | {elapsed * 1000:.0f} ms | {rss_kib / 1024:.0f} MiB |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
