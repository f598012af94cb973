"""What each kind of model registry supports: Unity Catalog has aliases and three-level names only."""

from __future__ import annotations

import os

from mlgov_checks.errors import UsageError

_UNITY_CATALOG = ("databricks-uc", "uc:")


def chosen_registry_uri(registry_uri: str | None) -> str | None:
    """The registry a command names: --registry-uri, else MLFLOW_REGISTRY_URI (None: MLflow's default)."""
    return registry_uri or os.environ.get("MLFLOW_REGISTRY_URI") or None


def is_unity_catalog(uri: str | None) -> bool:
    return bool(uri) and str(uri).startswith(_UNITY_CATALOG)


def refuse_stage(stage: str | None, registry_uri: str | None) -> None:
    """Unity Catalog has no stages (https://docs.databricks.com/en/mlflow/manage-model-lifecycle.html):
    a stage there is a usage error before any call, with the alias to use instead."""
    if stage and is_unity_catalog(registry_uri):
        raise UsageError(f"--stage {stage}: the Unity Catalog registry has no stages",
                         hint=f"use an alias instead, e.g. --alias {stage.lower()}")
