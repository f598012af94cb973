"""The protected surface: every MLflow request that can put a version into production or take its
evidence away, keyed by the MLflow handler that serves it (so every path and verb that reaches the
handler is covered: `api/2.0`, the UI's `ajax-api/2.0`, any static prefix).

A new MLflow endpoint is one entry in `SURFACE`, and one row in the integration test's table.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from mlgov_checks.governance import stages

GOVERNANCE_PREFIX = "mlgov."  # the tags the gate writes: recorded results, approvals, decisions


class Rule(str, enum.Enum):
    """What a refused request would have done; the JSON error names it."""

    PRODUCTION_ALIAS = "production-alias"  # point a production alias at a version
    PRODUCTION_ALIAS_DELETE = "production-alias-delete"  # delete a production alias
    PRODUCTION_STAGE = "production-stage"  # move a version into the Production stage
    PRODUCTION_STAGE_EXIT = "production-stage-exit"  # move a Production version to another stage
    GOVERNANCE_TAG = "governance-tag"  # write or delete an `mlgov.` tag of a production version
    PRODUCTION_VERSION_DELETE = "production-version-delete"  # delete a version in production
    PRODUCTION_MODEL_DELETE = "production-model-delete"  # delete a model holding a production version
    PRODUCTION_MODEL_RENAME = "production-model-rename"  # rename a model holding a production version


class Need(str, enum.Enum):
    """What lets a protected request through."""

    EVIDENCE = "evidence"  # the version has what the policy requires (or the gate's identity asks)
    EVIDENCE_AFTER = "evidence-after"  # the version still has it after the change (or the gate asks)
    GATE = "gate"  # only the gate's identity (or break-glass)


normalized = stages.fold  # how production aliases, stages and tag keys are compared


@dataclass(frozen=True)
class Demand:
    """What one request asks, as far as the rules care: decided by `verdict.decide`."""

    rule: Rule
    need: Need
    model: str
    version: str | None = None  # the version that must carry evidence
    label: str = ""  # `@champion`, `stage:Production`, `tag mlgov.status`: how messages name the move
    tag: tuple[str, str | None] | None = None  # (key, new value, None when deleted): GOVERNANCE_TAG
    whole_model: bool = False  # the rule applies when any version of `model` is in production


# A request's fields (as MLflow itself parses them) -> the Demand, or None when no rule applies.
Classifier = Callable[[Mapping[str, Any], frozenset[str]], "Demand | None"]


def _s(fields: Mapping[str, Any], key: str) -> str:
    value = fields.get(key)
    return value if isinstance(value, str) else ""


def _set_alias(fields: Mapping[str, Any], production: frozenset[str]) -> Demand | None:
    alias = _s(fields, "alias")
    if normalized(alias) not in production:
        return None
    return Demand(Rule.PRODUCTION_ALIAS, Need.EVIDENCE, _s(fields, "name"), _s(fields, "version"),
                  label=f"@{alias.strip()}")


def _delete_alias(fields: Mapping[str, Any], production: frozenset[str]) -> Demand | None:
    alias = _s(fields, "alias")
    if normalized(alias) not in production:
        return None
    return Demand(Rule.PRODUCTION_ALIAS_DELETE, Need.GATE, _s(fields, "name"), label=f"@{alias.strip()}")


def _transition(fields: Mapping[str, Any], production: frozenset[str]) -> Demand | None:
    stage = _s(fields, "stage")
    name, version = _s(fields, "name"), _s(fields, "version")
    if stages.is_production_stage(stage):
        return Demand(Rule.PRODUCTION_STAGE, Need.EVIDENCE, name, version, label="stage:Production")
    # Leaving Production is decided once the version's stage is known (verdict.decide).
    return Demand(Rule.PRODUCTION_STAGE_EXIT, Need.GATE, name, version, label=f"stage:{stage.strip() or 'None'}")


def _set_tag(fields: Mapping[str, Any], production: frozenset[str]) -> Demand | None:
    key = _s(fields, "key")
    if not normalized(key).startswith(GOVERNANCE_PREFIX):
        return None
    return Demand(Rule.GOVERNANCE_TAG, Need.EVIDENCE_AFTER, _s(fields, "name"), _s(fields, "version"),
                  label=f"tag {key}", tag=(key, _s(fields, "value")))


def _delete_tag(fields: Mapping[str, Any], production: frozenset[str]) -> Demand | None:
    key = _s(fields, "key")
    if not normalized(key).startswith(GOVERNANCE_PREFIX):
        return None
    return Demand(Rule.GOVERNANCE_TAG, Need.EVIDENCE_AFTER, _s(fields, "name"), _s(fields, "version"),
                  label=f"tag {key} (deleted)", tag=(key, None))


def _delete_version(fields: Mapping[str, Any], production: frozenset[str]) -> Demand | None:
    return Demand(Rule.PRODUCTION_VERSION_DELETE, Need.GATE, _s(fields, "name"), _s(fields, "version"),
                  label="version deleted")


def _delete_model(fields: Mapping[str, Any], production: frozenset[str]) -> Demand | None:
    return Demand(Rule.PRODUCTION_MODEL_DELETE, Need.GATE, _s(fields, "name"), label="model deleted",
                  whole_model=True)


def _rename_model(fields: Mapping[str, Any], production: frozenset[str]) -> Demand | None:
    return Demand(Rule.PRODUCTION_MODEL_RENAME, Need.GATE, _s(fields, "name"),
                  label=f"renamed to {_s(fields, 'new_name')!r}", whole_model=True)


@dataclass(frozen=True)
class Entry:
    message: str  # the request message class in mlflow.protos.model_registry_pb2
    classify: Classifier


SURFACE: dict[str, Entry] = {  # MLflow handler name (Flask endpoint) -> how its request is judged
    "_set_registered_model_alias": Entry("SetRegisteredModelAlias", _set_alias),
    "_delete_registered_model_alias": Entry("DeleteRegisteredModelAlias", _delete_alias),
    "_transition_stage": Entry("TransitionModelVersionStage", _transition),
    "_set_model_version_tag": Entry("SetModelVersionTag", _set_tag),
    "_delete_model_version_tag": Entry("DeleteModelVersionTag", _delete_tag),
    "_delete_model_version": Entry("DeleteModelVersion", _delete_version),
    "_delete_registered_model": Entry("DeleteRegisteredModel", _delete_model),
    "_rename_registered_model": Entry("RenameRegisteredModel", _rename_model),
}

# Registry handlers served with a verb other than GET that are deliberately not in SURFACE, each with
# why. A test holds SURFACE plus this list equal to those handlers of every MLflow server it supports.
UNPROTECTED: dict[str, str] = {
    "_get_latest_versions": "a read (its POST form is the same query)",
    "_create_registered_model": "a new model holds no production version",
    "_update_registered_model": "the description is not evidence the server requires",
    "_set_registered_model_tag": "model tags are not evidence (the gate's records are version tags)",
    "_delete_registered_model_tag": "model tags are not evidence (the gate's records are version tags)",
    "_create_model_version": ("a new version is in no alias or stage; a copy (copy_model_version) carries the "
                              "source's tags, and the evidence check refuses records made for another version"),
    "_update_model_version": "the description is not evidence the server requires",
}
