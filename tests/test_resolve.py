"""Target resolution as pure logic: a source of records built in the test, no server."""

from __future__ import annotations

from mlgov_checks.backend.resolve import Resolution
from mlgov_checks.backend.spec import FetchSpec
from mlgov_checks.errors import EvaluationError
from mlgov_checks.records import ModelVersionRecord, RunRecord
from mlgov_checks.targets import parse_targets


class Registry:
    """The reads a resolution makes, answered from records; `broken` aliases fail like a 500 would."""

    shown_uri = "http://127.0.0.1:5000"

    def __init__(self, broken=()):
        self.versions = {"churn": {"3": ModelVersionRecord(name="churn", version="3", run_id="r3")}}
        self.broken = set(broken)

    def versions_of(self, name):
        return dict(self.versions.get(name, {}))

    def version_by_alias(self, name, alias):
        if alias in self.broken:
            raise EvaluationError(f"models:/{name}@{alias}: tracking server answered HTTP 500 to every retry")
        return None

    def runs(self, run_ids, experiments=None):
        return {r: RunRecord(run_id=r) for r in run_ids}

    def add_evidence(self, found, spec, problems):
        pass


def test_a_missing_baseline_is_a_note():
    (got,) = Resolution(Registry(), parse_targets(["models:/churn/3"]), FetchSpec(baseline_alias="champion")).run()
    assert got.record is not None and got.error is None
    assert got.baseline_note == "model 'churn' has no @champion yet"


def test_a_baseline_that_cannot_be_read_is_an_error_not_no_baseline_yet():
    registry = Registry(broken={"champion"})
    (got,) = Resolution(registry, parse_targets(["models:/churn/3"]), FetchSpec(baseline_alias="champion")).run()
    assert got.record is None and got.baseline_note is None
    assert got.error == "models:/churn/3: tracking server answered HTTP 500 to every retry"
