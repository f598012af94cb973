"""Which run a version's model comes from: its logged model's source run, or the run its source names."""

from __future__ import annotations

import re

from mlgov_checks.records import ModelOrigin, ModelVersionRecord

_RUNS = re.compile(r"^runs:/([^/]+)(?:/|$)")
# MLflow 2.x stores the resolved location: `mlflow-artifacts:/<experiment>/<run>/artifacts/...`,
# or the store's own path of the same shape (file, s3, gs, dbfs ...).
_RESOLVED = re.compile(r"(?:^|[:/])([0-9a-f]{32})/artifacts(?:/|$)")


def origin_of(version: ModelVersionRecord, *, artifact_uri: str, logged: tuple[str, str | None] | None) -> ModelOrigin:
    """Where the model files of `version` come from.

    `logged`: (model id, its source run id) of the MLflow 3 logged model behind the version, when
    it has one: that is the authority (the source `models:/m-...` names no run). Otherwise the run
    in a `runs:/ID/...` source, a source inside the version's own run's artifact location, or the
    run id in a resolved `.../<run>/artifacts/...` location.
    """
    source = (version.source or "").strip()
    if logged is not None:
        model_id, run_id = logged
        return ModelOrigin(run_id or None, f"logged model {model_id}")
    m = _RUNS.match(source)
    if m:
        return ModelOrigin(m[1], f"source {source}")
    root = artifact_uri.rstrip("/")
    if version.run_id and root and (source == root or source.startswith(root + "/")):
        return ModelOrigin(version.run_id, f"source {source}")
    found = _RESOLVED.findall(source)
    if found:
        return ModelOrigin(found[-1], f"source {source}")
    return ModelOrigin(None, f"source {source or '(empty)'}")
