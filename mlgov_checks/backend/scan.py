"""Registry-wide searches (every model, the versions of many models) in few requests, and filter quoting."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from mlgov_checks.backend import config
from mlgov_checks.backend.client import Client
from mlgov_checks.backend.convert import version_record
from mlgov_checks.errors import EvaluationError
from mlgov_checks.records import ModelRecord, ModelVersionRecord


def quote(value: str) -> str:
    """A value inside an MLflow search filter."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def model_record(model: Any) -> ModelRecord:
    """A ModelRecord from an MLflow RegisteredModel entity (search results carry its aliases)."""
    raw = getattr(model, "aliases", None) or {}
    pairs = raw.items() if isinstance(raw, dict) else ((a.alias, a.version) for a in raw)
    return ModelRecord(name=model.name, description=model.description or None, tags=dict(model.tags or {}),
                       aliases={str(a): str(v) for a, v in pairs},
                       creation_timestamp=model.creation_timestamp,
                       last_updated_timestamp=model.last_updated_timestamp)


def registered_models(client: Client, filter_string: str | None = None) -> list[ModelRecord]:
    """Every registered model (matching MLflow's search syntax when given), by name: paged, 1,000 a page."""
    c = client.client
    found = client.paged("registered models", lambda tok: c.search_registered_models(
        filter_string=filter_string or None, max_results=config.MODEL_PAGE, order_by=["name ASC"], page_token=tok))
    return sorted((model_record(m) for m in found), key=lambda m: m.name)


def _search(client: Client, what: str, where: str) -> Iterator[Any]:
    c = client.client
    return client.paged(what, lambda tok: c.search_model_versions(
        where, max_results=config.VERSION_PAGE, page_token=tok))


def _rejects_in(err: EvaluationError) -> bool:
    """An older server refused `name IN (...)`: a bad filter (MLflow's INVALID_PARAMETER_VALUE, or a
    400), not a dead or forbidden server."""
    return err.code in ("INVALID_PARAMETER_VALUE", "BAD_REQUEST") or err.status == 400


def versions_of_models(client: Client, names: Sequence[str]) -> dict[str, list[ModelVersionRecord]]:
    """Every version of every named model, without runs: `name IN (...)`, 100 names a request.

    MLflow 3's model-version search accepts a list for `name`; MLflow 2.x refuses IN there and its
    filter grammar has no OR, so against such a server every version of the registry is read in
    one paged search (10,000 a page) and kept for the named models: never a request per model.
    """
    unique = sorted(set(names))
    out: dict[str, list[ModelVersionRecord]] = {n: [] for n in unique}
    found: list[Any] = []
    for i in range(0, len(unique), config.NAME_CHUNK):
        chunk = unique[i:i + config.NAME_CHUNK]
        try:
            found += list(_search(client, "model versions", f"name IN ({', '.join(quote(n) for n in chunk)})"))
        except EvaluationError as e:
            if not _rejects_in(e):
                raise
            found = list(_search(client, "model versions", ""))
            break
    for mv in found:
        if mv.name in out:
            out[mv.name].append(version_record(mv))
    for versions in out.values():
        versions.sort(key=lambda v: int(v.version) if v.version.isdigit() else 0)
    return out
