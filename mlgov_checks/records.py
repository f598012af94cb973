"""Plain frozen data that checks read: what MLflow recorded about a run and a model version."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlgov_checks.evidence.digests import ModelDigest

SEMVER_TAG = "semantic_version"  # the model-version tag that holds its semantic version


@dataclass(frozen=True)
class RunRecord:
    """One MLflow run, as fetched once (batched) by the adapter."""

    run_id: str
    experiment_id: str = ""
    user: str | None = None
    status: str | None = None
    start_time: int | None = None  # ms since the epoch, as MLflow stores it
    end_time: int | None = None
    artifact_uri: str | None = None
    params: Mapping[str, str] = field(default_factory=dict)
    metrics: Mapping[str, float] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)
    # Every artifact path under the run (recursively) when listed, else None (not fetched).
    artifacts: tuple[str, ...] | None = None
    lifecycle_stage: str | None = None  # "active", or "deleted" for a run in the trash

    @property
    def target(self) -> str:
        return f"runs:/{self.run_id}"

    def value(self, key: str) -> str | None:
        """A tag, else a param of that name (the source design logs provenance as params)."""
        if key in self.tags:
            return self.tags[key]
        return self.params.get(key)


@dataclass(frozen=True)
class CardArtifact:
    """The model card as downloaded from the run's artifacts."""

    artifact_path: str  # e.g. documentation/model_card.yaml
    display_path: str  # what findings show as file: models:/name/1/documentation/model_card.yaml
    content: bytes  # at most card.max_bytes + 1 bytes; empty when the listed size was already over it
    size: int | None = None  # the size the store lists, when it lists one


@dataclass(frozen=True)
class ModelOrigin:
    """Which run the version's model files come from, and how the backend knows it."""

    run_id: str | None  # None: nothing the registry holds names a run
    via: str  # e.g. "logged model m-...", "source runs:/ID/model"
    run: RunRecord | None = None  # that run, read when it is not the version's own run


@dataclass(frozen=True)
class ModelVersionRecord:
    """One registered model version and its evidence."""

    name: str
    version: str
    run_id: str | None = None
    source: str | None = None
    description: str | None = None
    current_stage: str | None = None
    aliases: tuple[str, ...] = ()
    tags: Mapping[str, str] = field(default_factory=dict)
    user_id: str | None = None
    creation_timestamp: int | None = None
    last_updated_timestamp: int | None = None
    status: str | None = None
    run: RunRecord | None = None
    # Artifact paths reachable for this version: the run's artifacts plus the logged model's files
    # (prefixed by the model's name), None when not listed. The adapter lists only the directories
    # that can hold a path the policy asks for, so other files may be absent from this tuple.
    artifacts: tuple[str, ...] | None = None
    card: CardArtifact | None = None
    # The logged model's MLmodel file (its signature), when the policy's checks asked for it and the
    # version's source has one; None otherwise (`artifacts` tells whether an MLmodel was listed).
    model_file: CardArtifact | None = None
    baseline: ModelVersionRecord | None = None  # the policy's baseline alias, when it exists
    requested_as: str | None = None  # the target as the user wrote it (alias, latest)
    # (version number, semantic_version tag or None) of every lower-numbered version of the model,
    # from the same paged search that found this one: no extra request.
    earlier_semantic_versions: tuple[tuple[str, str | None], ...] = ()
    model_id: str | None = None  # the MLflow 3 logged model behind this version, when there is one
    # The root digest of the version's model files (each streamed once), when the policy's checks
    # asked for it; `model_digest_note` says why there is none (no model files found).
    model_digest: ModelDigest | None = None
    model_digest_note: str | None = None
    model_origin: ModelOrigin | None = None  # where the model files come from (read with the evidence)
    # The model-signing bundle stored for the model (`mlgov sign`), when the policy asks for one.
    model_signature: bytes | None = None
    model_signature_path: str | None = None  # where in the version's run it is (or would be)

    @property
    def target(self) -> str:
        return f"models:/{self.name}/{self.version}"


@dataclass(frozen=True)
class ModelRecord:
    """One registered model as a registry search returns it (its versions are fetched separately)."""

    name: str
    description: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    aliases: Mapping[str, str] = field(default_factory=dict)  # alias -> version number
    creation_timestamp: int | None = None
    last_updated_timestamp: int | None = None
