"""What the server requires of a version before it may be in production, under the server's policy.

The gate's own code decides: the approvals family's quorum (`checks.approvals.quorum`), and the
gate result that `mlgov check --record` recorded on the version, which must be a pass, under the
server's policy digest, backed by its record decision in the decision log for this very version
(a result copied from another version, or tags written by hand, have no such decision), signed by
its actor when it is signed or `approval.require_signed_decisions` asks.
"""

from __future__ import annotations

import re
from typing import Protocol

from mlgov_checks.checks import approvals
from mlgov_checks.findings import Status
from mlgov_checks.governance import decisions, signed_decisions
from mlgov_checks.governance.decisions import Field, Kind
from mlgov_checks.policy.load import Policy
from mlgov_checks.records import ModelVersionRecord, RunRecord

RECORD = "gate-record"  # how a missing recorded result is named in a refusal
STATUS_TAG, POLICY_TAG, REPORT_TAG = "mlgov.status", "mlgov.policy_sha256", "mlgov.report"
_REPORT = re.compile(r"^runs:/(?P<run>[0-9a-zA-Z_-]{1,64})/")
_PROBLEMS = (Status.FAIL, Status.ERROR)


class Decisions(Protocol):
    def decision(self, run_id: str) -> RunRecord | None:
        """A run of the decision log by id; None when the log holds no such run."""


def missing(version: ModelVersionRecord, policy: Policy, log: Decisions) -> list[str]:
    """Every piece of evidence `version` lacks under `policy`, each naming its check; [] when complete."""
    # Signatures, signers, subjects, eligibility, and that the approvals still match the model files
    # and card as they are now; the gate's recorded pass is required below.
    found = [f"{f.check}: {f.message}" for f in approvals.quorum(version, policy) if f.status in _PROBLEMS]
    return found + recorded_result(version, policy, log)


def recorded_result(version: ModelVersionRecord, policy: Policy, log: Decisions) -> list[str]:
    """[] when the version carries a passing gate result recorded for it under `policy`."""
    tags = version.tags
    fix = f"run: mlgov check --record {version.target} (with the server's policy)"
    status = tags.get(STATUS_TAG)
    if status != Status.PASS.value:
        return [f"{RECORD}: no passing gate result is recorded ({STATUS_TAG} is {status or 'absent'}); {fix}"]
    recorded = tags.get(POLICY_TAG) or "none"
    if recorded != policy.sha256:
        return [f"{RECORD}: the result was recorded under policy {recorded[:12]}, the server's policy is "
                f"{policy.sha256[:12]}; {fix}"]
    m = _REPORT.match(tags.get(REPORT_TAG) or "")
    run = log.decision(m["run"]) if m else None
    expected = {Field.ACTION: Kind.RECORD.value, Field.MODEL: version.name, Field.VERSION: version.version,
                Field.TO: decisions.status_label(Status.PASS.value), Field.POLICY_SHA256: policy.sha256}
    decision = decisions.parse(run) if run is not None else None
    if decision is None or decision.status != "FINISHED" or any(
            decision.get(k) != v for k, v in expected.items()):
        return [f"{RECORD}: the recorded result has no record decision for {version.target} in the decision "
                f"log (copied from another version, or written by hand); {fix}"]
    unsigned = signed_decisions.judge(policy)(decision)  # signed by its actor, when signed or required
    if unsigned is not None:
        return [f"{RECORD}: the record decision runs:/{decision.run_id} {unsigned}; {fix} --sign-with KEY"]
    return []

