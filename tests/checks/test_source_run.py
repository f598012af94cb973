"""evidence-source-run: a soft-deleted source run (still returned by ViewType.ALL) fails."""

from __future__ import annotations

from dataclasses import replace

from mlgov_checks.checks import evidence
from mlgov_checks.findings import Status
from mlgov_checks.policy.load import policy_from_mapping
from tests.checks.test_evidence import make_version


def test_a_soft_deleted_source_run_fails():
    version = make_version()
    deleted = replace(version, run=replace(version.run, lifecycle_stage="deleted"))
    (found,) = evidence.check_source_run(deleted, policy_from_mapping({}))
    assert found.status is Status.FAIL and found.message == "source run r1 was deleted"


def test_a_live_source_run_passes():
    (found,) = evidence.check_source_run(make_version(), policy_from_mapping({}))
    assert found.status is Status.PASS
