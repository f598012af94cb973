"""What to fetch besides metadata: computed from the policy by the gate, read by the backend."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FetchSpec:
    """The backend's whole view of the policy: paths and names, never the policy itself."""

    evidence: bool = False  # artifact listings and the card, per model version
    artifacts: tuple[str, ...] = ()  # artifact paths that must exist
    requirements: tuple[str, ...] = ()  # any one of these paths is the requirements file
    card_artifact: str | None = None  # where the card is logged; downloaded when evidence is wanted
    card_max_bytes: int = 1 << 20  # a larger logged card is refused without reading it whole
    model_file: bool = False  # also read the logged model's MLmodel file (its signature)
    model_digest: bool = False  # stream every version's model files once into their root digest
    model_digest_tag_prefix: str | None = None  # ... or only the versions carrying a tag with this prefix
    model_signature: bool = False  # read the model's stored signature (mlgov/signatures/ in the run)
    baseline_alias: str | None = None  # resolve this alias of each model as the metrics baseline
