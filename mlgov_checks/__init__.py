"""mlgov-checks: a model-governance gate for MLflow."""

from __future__ import annotations

from typing import Any

from mlgov_checks.version import __version__

# The training-side helpers, imported on first use so that `import mlgov_checks` stays cheap.
_LAZY = {"log_provenance", "log_review", "log_model_card", "sign_model"}
__all__ = ["__version__", "log_model_card", "log_provenance", "log_review", "sign_model"]


def __getattr__(name: str) -> Any:  # PEP 562
    if name in _LAZY:
        from mlgov_checks.integrations import training

        return getattr(training, name)
    raise AttributeError(f"module 'mlgov_checks' has no attribute {name!r}")
