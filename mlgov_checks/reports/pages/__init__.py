"""Audit and inventory pages: HTML (Jinja2 + matplotlib, the [report] extra) and inventory csv/json/markdown."""

from __future__ import annotations

import importlib

from mlgov_checks.errors import MissingExtraError

EXTRA = "pip install 'mlgov-checks[report]'"


def require_html() -> None:
    """Exit 2 naming the extra before any server is asked, when Jinja2 or matplotlib cannot be imported."""
    missing = []
    for module in ("jinja2", "matplotlib"):
        try:
            importlib.import_module(module)
        except ImportError:
            missing.append(module)
    if missing:
        raise MissingExtraError(f"--format html needs {' and '.join(missing)}: {EXTRA}")
