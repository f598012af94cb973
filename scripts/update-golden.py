"""Rewrite tests/data/golden/* from the current reporters (review the diff like any other change).

The golden tests always compare; this script is the only way the golden files change.
Usage: python scripts/update-golden.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "reporters")]

from sample import GOLDEN, make_repo, render_golden  # noqa: E402


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in render_golden(make_repo(Path(tmp) / "repo")).items():
            (GOLDEN / name).write_bytes(text.encode("utf-8"))
            print(f"wrote {(GOLDEN / name).relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
