"""No borrowed evidence: the version's model comes from the run whose evidence the gate reads."""

from __future__ import annotations

from collections.abc import Iterator

from mlgov_checks.checks._base import check_from
from mlgov_checks.findings import Finding
from mlgov_checks.policy.load import Policy
from mlgov_checks.records import ModelVersionRecord


def check_model_origin(version: ModelVersionRecord, policy: Policy) -> Iterator[Finding]:
    """The version's model files come from the version's own run.

    Metrics, card, provenance, review and author are all read from the run the version names
    (`run_id`); the model that is served is whatever its source points at. MLflow accepts a
    version whose `run_id` is one run while its model is another run's (a logged model
    `models:/m-...` whose source run differs, or a source `runs:/OTHER/...`): the evidence is then
    borrowed from a run that did not train the model. The model's run is its logged model's source
    run (MLflow 3), else the run its source names (`runs:/ID/...`, or a location inside a run's
    artifacts as MLflow 2.x stores it). A source that names no run cannot be traced, and fails.
    """
    origin = version.model_origin
    if not version.run_id or version.run is None or origin is None:
        return  # evidence-source-run says why; nothing was read to compare
    if origin.run_id == version.run_id:
        yield MODEL_ORIGIN.passed(version.target, f"the model comes from run {version.run_id} ({origin.via})")
    elif origin.run_id is None:
        yield MODEL_ORIGIN.failed(version.target, f"the model's origin cannot be traced to a run ({origin.via}); "
                                  f"its evidence is read from run {version.run_id}")
    else:
        author = f", by {origin.run.user}" if origin.run is not None and origin.run.user else ""
        missing = "" if origin.run is not None else ", a run the server does not have"
        yield MODEL_ORIGIN.failed(
            version.target, f"borrowed evidence: the version names run {version.run_id}, but its model comes from "
                            f"run {origin.run_id}{author}{missing} ({origin.via})")


MODEL_ORIGIN = check_from(check_model_origin, "evidence-model-origin", "The model comes from the version's run",
                          hint="register the model from the run that trained it "
                               "(mlflow.register_model(model_info.model_uri, NAME) in that run)")
