"""Audit and inventory pages: HTML (Jinja2 + matplotlib, the [report] extra) and inventory csv/json/markdown."""

from __future__ import annotations

import importlib.util

from mlgov_checks.errors import MissingExtraError

EXTRA = "pip install 'mlgov-checks[report]'"


def require_html() -> None:
    """Exit 2 naming the extra before any server is asked, when Jinja2 or matplotlib is missing."""
    missing = [m for m in ("jinja2", "matplotlib") if importlib.util.find_spec(m) is None]
    if missing:
        raise MissingExtraError(f"--format html needs {' and '.join(missing)}: {EXTRA}")
