"""MLflow entities -> our frozen records: nothing above the backend sees an MLflow object."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from mlgov_checks.records import SEMVER_TAG, ModelVersionRecord, RunRecord

_LOGGED_MODEL = re.compile(r"^models:/(m-[0-9a-f]{32})/?$")


def run_record(run: Any) -> RunRecord:
    """A RunRecord from an MLflow Run entity."""
    info, data = run.info, run.data
    tags = dict(data.tags)
    return RunRecord(
        run_id=info.run_id, experiment_id=str(info.experiment_id),
        user=tags.get("mlflow.user") or getattr(info, "user_id", None) or None,
        status=info.status, start_time=info.start_time, end_time=info.end_time,
        artifact_uri=info.artifact_uri, params=dict(data.params), metrics=dict(data.metrics), tags=tags,
        lifecycle_stage=getattr(info, "lifecycle_stage", None) or None,
    )


def version_record(mv: Any, run: RunRecord | None = None) -> ModelVersionRecord:
    """A ModelVersionRecord from an MLflow ModelVersion entity and its (already fetched) run."""
    return ModelVersionRecord(
        name=mv.name, version=str(mv.version), run_id=mv.run_id or None, source=mv.source,
        description=mv.description or None, current_stage=mv.current_stage,
        aliases=tuple(getattr(mv, "aliases", None) or ()), tags=dict(mv.tags or {}),
        user_id=mv.user_id or None, creation_timestamp=mv.creation_timestamp,
        last_updated_timestamp=mv.last_updated_timestamp, status=mv.status, run=run,
        model_id=getattr(mv, "model_id", None) or logged_model_id(mv.source),
    )


def earlier_semvers(versions: Mapping[str, ModelVersionRecord],
                    number: str) -> tuple[tuple[str, str | None], ...]:
    """(number, semantic_version tag) of the versions registered before `number`."""
    return tuple(
        (v, mv.tags.get(SEMVER_TAG))
        for v, mv in sorted(versions.items(), key=lambda kv: int(kv[0]))
        if v.isdigit() and number.isdigit() and int(v) < int(number)
    )


def logged_model_id(source: str | None) -> str | None:
    """MLflow 3 registers logged models as `models:/m-<id>` (the REST answer may omit model_id)."""
    m = _LOGGED_MODEL.match(source or "")
    return m[1] if m else None
