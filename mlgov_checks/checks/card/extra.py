"""The team's own JSON Schema for cards (`card.extra_schema`): jsonschema is imported only here."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mlgov_checks.errors import PolicyError
from mlgov_checks.policy.files import read_named_file
from mlgov_checks.policy.load import Policy
from mlgov_checks.yamlio import loader as yamldoc
from mlgov_checks.yamlio.loader import Path


def _jsonable(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_jsonable(x) for x in v]
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    return v


def errors(data: Any, policy: Policy) -> list[tuple[Path, str]]:
    """(path, message) of every violation of the policy's extra schema; PolicyError for a bad schema."""
    rel = policy.section("card").get("extra_schema")
    if not rel:
        return []
    named = read_named_file(policy, rel, key="card.extra_schema")  # at REF under --policy-ref
    schema_doc = yamldoc.parse_bytes(named.content, named.shown)
    if schema_doc.fatal or not isinstance(schema_doc.data, dict):
        raise PolicyError(f"card.extra_schema {rel!r} is not a JSON/YAML object", file=policy.source)
    import jsonschema  # deferred: only teams with an extra schema pay for it

    schema = _jsonable(schema_doc.data)
    try:
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
    except jsonschema.SchemaError as e:
        raise PolicyError(f"card.extra_schema {rel!r} is not a valid JSON Schema: {e.message}",
                          file=policy.source) from e
    found = sorted(cls(schema).iter_errors(_jsonable(data)), key=lambda e: list(map(str, e.absolute_path)))
    return [(tuple(err.absolute_path), err.message) for err in found]
