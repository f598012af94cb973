"""The registry as the hook sees it: the project's backend Reader on the server's own store.

Inside the server, the Reader is pointed at the backend store the server itself serves (the
`mlflow server --backend-store-uri` and `--registry-store-uri` the workers are given), so a
protected request is judged without a request back to the server and without credentials.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from mlgov_checks.errors import EvaluationError, NotFoundError
from mlgov_checks.records import ModelVersionRecord, RunRecord
from mlgov_checks.targets import Target

if TYPE_CHECKING:
    from mlgov_checks.backend import Backend
    from mlgov_checks.policy.load import Policy


class StoreState:
    """One backend for the worker; each protected request starts with a fresh circuit breaker."""

    def __init__(self, tracking_uri: str, registry_uri: str | None = None) -> None:
        from mlgov_checks.backend import connect

        # the server's workers are given its --artifacts-destination in this variable (MLflow 2.x and 3.x)
        destination = os.environ.get("_MLFLOW_SERVER_ARTIFACT_DESTINATION")
        self.backend: Backend = connect(tracking_uri, registry_uri=registry_uri or tracking_uri, timeout=30.0,
                                        workers=1, artifacts_destination=destination)

    def fresh(self) -> StoreState:
        """A failed read of one request says nothing about the next: reset the client's breaker."""
        self.backend.writer.try_again()
        return self

    def version(self, name: str, number: str, policy: Policy) -> ModelVersionRecord:
        from mlgov_checks.backend import FetchSpec
        from mlgov_checks.checks import approvals

        target = Target(text=f"models:/{name}/{number}", name=name, version=number)
        # what approvals are bound to: the card, and the model files' digest (of approved versions only),
        # read from the server's own artifact destination (see __init__)
        (found,) = self.backend.reader.resolve([target], FetchSpec(**approvals.needs(policy)))
        if not isinstance(found.record, ModelVersionRecord):
            raise EvaluationError(found.error or f"{target.text} could not be read", hint=found.hint)
        return found.record

    def versions(self, name: str) -> Mapping[str, ModelVersionRecord]:
        try:
            return self.backend.reader.versions_of(name)
        except NotFoundError:
            return {}

    def aliases(self, name: str) -> Mapping[str, str]:
        try:
            return self.backend.reader.model_aliases(name)
        except NotFoundError:
            return {}

    def decision(self, run_id: str) -> RunRecord | None:
        """The run, when it is one of the decision log's (a run elsewhere is no decision)."""
        reader = self.backend.reader
        run = reader.run(run_id)
        if run is None or run.experiment_id != reader.decisions_experiment():
            return None
        return run

    def record_break_glass(self, tags: Mapping[str, str], run_name: str) -> str:
        """A finished decision-log run holding the break-glass decision (tags only): its id."""
        writer = self.backend.writer
        run_id = writer.open_decision(tags, run_name=run_name)
        writer.close_decision(run_id, {}, status="FINISHED")
        return run_id
