"""Hostile files: each gives a finding within seconds and bounded memory, never a traceback."""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
import time

import pytest

from tests.conftest import CARDS

HOSTILE = CARDS / "hostile"


def _generate(tmp_path, name):
    p = tmp_path / name
    p.parent.mkdir(parents=True, exist_ok=True)
    if name == "huge_20mb.yaml":
        with open(p, "w") as fh:
            for i in range(20 * 1024):
                fh.write(f"k{i}: {'x' * 1000}\n")
    elif name == "deep_10000.yaml":
        p.write_text("a: " + "[" * 10000 + "]" * 10000 + "\n")
    elif name == "deep_block_1000.yaml":
        p.write_text("".join(" " * i + f"k{i}:\n" for i in range(1000)) + " " * 1000 + "v: 1\n")
    elif name == "long_line_1mb.yaml":
        p.write_text("purpose: " + "y" * (1024 * 1024 - 100) + "\n")
    elif name == "unclosed/README.md":  # front matter that never closes
        p.write_text("---\nlicense: mit\ndatasets:\n- reviews\npipeline_tag: text-classification\n\n"
                     "# reviews-classifier\n\n## Intended uses & limitations\n\nSorts reviews.\n")
    elif name == "big/README.md":  # a 10 MB README: model front matter, then a body of 10 MB
        with open(p, "w") as fh:
            fh.write("---\nlicense: mit\ndatasets:\n- reviews\n---\n\n# reviews-classifier\n\n")
            for i in range(10 * 1024):
                fh.write(f"| row {i} | {'x' * 1000} |\n")
    elif name == "dup/model_card.json":
        p.write_text('{"purpose": "Rank tickets.", "limitations": "English only.",\n "purpose": "Something else."}\n')
    elif name == "deep/model_card.json":
        p.write_text('{"a": ' * 10000 + "1" + "}" * 10000 + "\n")
    else:
        shutil.copy(HOSTILE / name, p)
    return p


CASES = {
    "empty.yaml": "card-root",
    "binary.yaml": "card-encoding",
    "latin1.yaml": "card-encoding",
    "alias_bomb.yaml": "card-structure",
    "python_tags.yaml": "card-tag",
    "huge_20mb.yaml": "card-size",
    "deep_10000.yaml": "card-structure",
    "deep_block_1000.yaml": "card-structure",
    "long_line_1mb.yaml": "card-required-field",
    "unclosed/README.md": "card-syntax",
    "big/README.md": "card-size",
    "dup/model_card.json": "card-duplicate-key",
    "deep/model_card.json": "card-structure",
}


@pytest.mark.parametrize(("name", "check"), CASES.items())
def test_hostile_file_is_a_finding(tmp_path, name, check):
    path = _generate(tmp_path, name)
    code = (
        "import sys;"
        "sys.argv=['mlgov','card','--format','json',sys.argv[1]];"
        "from mlgov_checks.cli.app import main;"
        "rc=0\n"
        "try:\n main(standalone_mode=False)\n"
        "except SystemExit as e:\n rc=e.code\n"
        # VmHWM is this process's own peak; ru_maxrss would include the parent's peak at fork time.
        "hwm=[l for l in open('/proc/self/status') if l.startswith('VmHWM:')][0].split()[1]\n"
        "sys.stderr.write('MAXRSS=%s RC=%s' % (hwm, rc))"
    )
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=60)
    elapsed = time.monotonic() - t0
    assert "Traceback" not in proc.stderr, proc.stderr
    report = json.loads(proc.stdout)
    assert report["status"] == "fail"
    failed = {f["check"] for f in report["findings"] if f["status"] == "fail"}
    assert check in failed, report["findings"]
    assert all(f["line"] and f["column"] for f in report["findings"] if f["status"] == "fail")
    maxrss_kb = int(proc.stderr.rsplit("MAXRSS=", 1)[1].split()[0])
    assert maxrss_kb < 400 * 1024, f"{name} used {maxrss_kb} KiB"
    assert elapsed < 20, f"{name} took {elapsed:.1f}s"


def test_deep_file_cannot_exhaust_memory_under_a_cap(tmp_path):
    """The same run under a hard 512 MiB address-space cap still produces the finding."""
    path = _generate(tmp_path, "deep_10000.yaml")

    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (1024 * 1024 * 1024, 1024 * 1024 * 1024))

    proc = subprocess.run([sys.executable, "-m", "mlgov_checks", "card", str(path)], capture_output=True,
                          text=True, timeout=60, preexec_fn=cap)
    assert proc.returncode == 1, proc.stderr
    assert "card-structure" in proc.stdout
