"""The card family's checks on a logged card: valid, and its metrics match the run's.

Run with the evidence of a model version (the backend downloads the card with it).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from mlgov_checks.checks import card
from mlgov_checks.checks.card.ids import CARD_METRICS, CARD_VALID, SIGNATURE
from mlgov_checks.checks.card.signature import check_signature
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
    found = list(card.check_document(_parse(version, policy), policy, target=version.target))
    yield from found
    if not any(f.status in (Status.FAIL, Status.ERROR) for f in found):
        yield CARD_VALID.passed(version.target, f"model card {path!r} is valid",
                                file=version.card.display_path)


def _parse(version: ModelVersionRecord, policy: Policy) -> yamldoc.Document:
    if version.card is None:  # invariant
        raise AssertionError("version.card is unset")
    conf = policy.section("card")
    size = version.card.size
    if size is not None and size > conf["max_bytes"]:  # refused from the listing: never downloaded
        doc = yamldoc.Document(version.card.display_path)
        doc.problems.append(yamldoc.Problem(yamldoc.ProblemKind.TOO_LARGE,
                                            f"file is over the {conf['max_bytes']}-byte limit ({size} bytes)",
                                            yamldoc.Mark(1, 1)))
        return doc
    return yamldoc.parse_bytes(version.card.content, version.card.display_path, max_bytes=conf["max_bytes"],
                             max_depth=conf["max_depth"], max_nodes=conf["max_nodes"])


def _number(v: Any) -> float | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    try:
        return float(v)
    except OverflowError:  # a 400-digit integer: card-field-type reports it
        return None


def check_card_metrics(version: ModelVersionRecord, policy: Policy) -> Iterator[Finding]:
    """card-metrics-match on one version (the check is the card family's)."""
    if version.run is None or version.card is None:
        return
    doc = _parse(version, policy)
    claims = doc.data.get("performance_metrics") if isinstance(doc.data, dict) else None
    if not isinstance(claims, dict) or not claims:
        return  # the card checks already report a missing or malformed performance_metrics
    tolerance = float(policy.section("metrics")["card_tolerance"])
    logged = version.run.metrics
    shown = version.card.display_path
    bad = 0
    for name, claimed in claims.items():
        mark = doc.mark_of(("performance_metrics", name))
        loc = {"file": shown, "line": mark.line, "column": mark.column}
        value = _number(claimed)
        actual = logged.get(str(name))
        if value is None:
            continue  # card-field-type reports a non-number
        if actual is None or math.isnan(actual):
            bad += 1
            yield CARD_METRICS.failed(version.target, f"card claims {name}={value:g} but the run did not log "
                                      f"{name!r}", **loc)
        elif not abs(value - actual) <= tolerance:
            bad += 1
            yield CARD_METRICS.failed(version.target, f"card claims {name}={value:g} but the run logged "
                                      f"{name}={actual:g} (tolerance {tolerance:g})", **loc)
    if not bad:
        yield CARD_METRICS.passed(version.target, f"{len(claims)} card metric(s) match the run", file=shown)


def check_card_signature(version: ModelVersionRecord, policy: Policy) -> Iterator[Finding]:
    """card-signature-match on one version: the logged card's columns against the MLmodel signature."""
    if version.run is None or version.card is None:
        return  # card-artifact-valid reports the missing card
    doc = _parse(version, policy)
    if doc.fatal or not isinstance(doc.data, dict):
        return  # the card checks report it
    if version.model_file is None:
        yield SIGNATURE.warned(version.target, "no MLmodel file found for the version's source: the card's "
                               "columns were not compared with a signature",
                               hint="register the version from a logged model (runs:/ID/PATH or models:/m-...)")
        return
    model = yamldoc.parse_bytes(version.model_file.content, version.model_file.display_path, timestamps=False)
    if model.fatal or not isinstance(model.data, dict):
        yield SIGNATURE.errored(version.target, f"{version.model_file.artifact_path} is not a readable MLmodel "
                                "file: the signature could not be compared")
        return
    signature = model.data.get("signature")
    yield from check_signature(doc, signature if isinstance(signature, dict) else None, target=version.target)
