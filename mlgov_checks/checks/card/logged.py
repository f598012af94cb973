"""The card family's checks on a logged card: valid, and its metrics match the run's.

Run with the evidence of a model version (the backend downloads the card with it).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from mlgov_checks import cards
from mlgov_checks.cards import Reading
from mlgov_checks.checks import card
from mlgov_checks.checks.card import metric_names
from mlgov_checks.checks.card.ids import CARD_METRICS, CARD_VALID, SIGNATURE
from mlgov_checks.checks.card.signature import check_signature, model_specs
from mlgov_checks.findings import Finding, Status
from mlgov_checks.policy.load import Policy
from mlgov_checks.records import ModelVersionRecord
from mlgov_checks.yamlio import loader as yamldoc


def check_card_artifact(version: ModelVersionRecord, policy: Policy) -> Iterator[Finding]:
    """card-artifact-valid on one version (the check is the card family's)."""
    if version.run is None:
        return
    path = policy.section("evidence")["card_artifact"]
    if version.card is None:
        yield CARD_VALID.failed(version.target, f"model card artifact {path!r} is missing",
                                hint="log it: mlflow.log_artifact('model_card.yaml', 'documentation')")
        return
    found = list(card.check_reading(_read(version, policy), policy, target=version.target))
    yield from found
    if not any(f.status in (Status.FAIL, Status.ERROR) for f in found):
        yield CARD_VALID.passed(version.target, f"model card {path!r} is valid",
                                file=version.card.display_path)


def _read(version: ModelVersionRecord, policy: Policy) -> Reading:
    """The logged card, read in its format (a card over the size limit is refused from the listing)."""
    if version.card is None:  # invariant
        raise AssertionError("version.card is unset")
    conf = policy.section("card")
    size = version.card.size
    if size is not None and size > conf["max_bytes"]:  # never downloaded
        return cards.read_bytes(b"", version.card.display_path, conf, size=size)
    return cards.read_bytes(version.card.content, version.card.display_path, conf)


def check_card_metrics(version: ModelVersionRecord, policy: Policy) -> Iterator[Finding]:
    """card-metrics-match on one version (the check is the card family's), for a card in any format."""
    if version.run is None or version.card is None:
        return
    reading = _read(version, policy)
    claims = reading.card.metrics
    if not claims:
        return  # the card checks already report missing or unreadable performance metrics
    tolerance = float(policy.section("metrics")["card_tolerance"])
    logged = version.run.metrics
    shown = version.card.display_path
    bad = 0
    for m in claims:
        loc = {"file": shown, "line": m.origin.line, "column": m.origin.column}
        name, actual = metric_names.logged_value(m, logged)
        claim = f"{m.key}={m.value:g}" + (f" ({m.written} read as {m.value:g})" if m.percent else "")
        if actual is None or math.isnan(actual):
            bad += 1
            tried = "" if reading.strict else f" (looked for {', '.join(metric_names.candidates(m)[:4])})"
            yield CARD_METRICS.failed(version.target, f"card claims {claim} but the run did not log "
                                      f"{m.name!r}{tried}", **loc)
        elif not metric_names.agrees(m, actual, tolerance):
            bad += 1
            yield CARD_METRICS.failed(version.target, f"card claims {claim} but the run logged "
                                      f"{name}={actual:g} (tolerance {tolerance:g})", **loc)
    if not bad:
        yield CARD_METRICS.passed(version.target, f"{len(claims)} card metric(s) match the run "
                                  f"(read as {reading.card.label})", file=shown)


def check_card_signature(version: ModelVersionRecord, policy: Policy) -> Iterator[Finding]:
    """card-signature-match on one version: the logged card's columns against the MLmodel signature.

    A card whose format holds no typed I/O (a README, Model Card Toolkit, Mitchell-style) is
    described by the model's signature instead: the signature is then required.
    """
    if version.run is None or version.card is None:
        return  # card-artifact-valid reports the missing card
    reading = _read(version, policy)
    doc = reading.document
    if reading.strict and (doc is None or doc.fatal or not isinstance(doc.data, dict)):
        return  # the card checks report it
    foreign = not reading.strict
    label = reading.card.label
    if version.model_file is None:
        text = "no MLmodel file found for the version's source"
        hint = "register the version from a logged model (runs:/ID/PATH or models:/m-...)"
        if foreign:
            yield SIGNATURE.failed(version.target, f"{text}: the card (read as {label}) holds no typed input/"
                                   "output, so the logged model's MLflow signature must describe it", hint=hint)
        else:
            yield SIGNATURE.warned(version.target, f"{text}: the card's columns were not compared with a signature",
                                   hint=hint)
        return
    model = yamldoc.parse_bytes(version.model_file.content, version.model_file.display_path, timestamps=False)
    if model.fatal or not isinstance(model.data, dict):
        yield SIGNATURE.errored(version.target, f"{version.model_file.artifact_path} is not a readable MLmodel "
                                "file: the signature could not be compared")
        return
    signature = model.data.get("signature")
    if foreign:
        yield from _typed_by_signature(version, signature if isinstance(signature, dict) else None, label)
        return
    if doc is None:  # invariant: strict readings carry their document
        raise AssertionError("reading.document is unset")
    yield from check_signature(doc, signature if isinstance(signature, dict) else None, target=version.target)


def _typed_by_signature(version: ModelVersionRecord, signature: dict[str, Any] | None, label: str) \
        -> Iterator[Finding]:
    """A foreign card: the model's signature is where typed I/O comes from (`card.typed_io: signature`)."""
    shown = version.card.display_path if version.card is not None else None
    if not signature or not signature.get("inputs"):
        yield SIGNATURE.failed(version.target, f"the card (read as {label}) holds no typed input/output, and the "
                               "logged model has no MLflow signature: nothing describes the model by types",
                               file=shown, hint="log the model with a signature (mlflow.models.infer_signature)")
        return
    try:
        sides = [model_specs(signature, key) for key in ("inputs", "outputs")]
    except (ValueError, TypeError) as e:
        yield SIGNATURE.errored(version.target, f"the model's signature cannot be read: {e}", file=shown)
        return
    described = "; ".join(f"{side}: {len(s.columns)} column(s)" for side, s in zip(("inputs", "outputs"), sides,
                                                                                       strict=True) if s)
    yield SIGNATURE.passed(version.target, f"the card (read as {label}) holds no typed input/output; the logged "
                           f"model's MLflow signature describes it ({described})", file=shown)
