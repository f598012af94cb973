"""The decision log's one vocabulary: its tag names, how a decision becomes tags, and how it is read back.

Each decision is one run of the decision-log experiment whose tags are `mlgov.decision.<field>`
and whose artifact is the decision as JSON; a promoted version also carries the tag
`mlgov.decision.alias.<alias>` (or `.stage.<stage>`) naming the decision that put it there.
Every module that writes or reads the log does so through this one.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mlgov_checks.secrets import mask

if TYPE_CHECKING:
    from mlgov_checks.backend import Reader
    from mlgov_checks.findings import Finding
    from mlgov_checks.records import RunRecord

PREFIX = "mlgov.decision."
DOCUMENT = "decision.json"  # a promotion's decision, as JSON, in its run's artifacts
REPORT_PATH = "mlgov/report.json"  # the gate's JSON report, in a `check --record` decision's artifacts
MAX_TAG = 5000  # MLflow's limit on a tag value (longer values are cut)


class Field(str, enum.Enum):
    """The decision's fields, each the tag `mlgov.decision.<value>`."""

    ACTION = "action"
    MODEL = "model"
    VERSION = "version"
    TO = "to"  # the destination label (`@champion`, `stage:Production`) or `status:<status>`
    FROM = "from"
    ACTOR = "actor"
    TIME = "time"
    GATE = "gate"  # the gate's summary line
    POLICY_SHA256 = "policy_sha256"
    OUTCOME = "outcome"  # how a promotion ended (Outcome)
    ERROR = "error"  # why a promotion failed
    RULE = "rule"  # break-glass: the guarded server's rule it overrode
    REASON = "reason"  # break-glass: the reason its header gave
    PREV = "prev"  # the digest of the model's previous record: the hash chain (governance/chain.py)
    DIGEST = "digest"  # this record's digest over its chained fields
    SIGNATURE = "signature"  # the actor's signature over the chained fields (evidence/keysign.py), JSON

    @property
    def tag(self) -> str:
        return PREFIX + self.value


class Kind(str, enum.Enum):
    """What a decision did (its `action` field)."""

    PROMOTE = "promote"
    ARCHIVE = "archive"
    RECORD = "record"
    BREAK_GLASS = "break-glass"  # a protected request the guarded server let through on a reason


class Outcome(str, enum.Enum):
    """How a promotion ended: logged as intended before the registry moves, then done or failed."""

    INTENDED = "intended"
    DONE = "done"
    FAILED = "failed"


def confirmed(outcome: str | None) -> bool:
    """Whether a promote decision counts as a promotion: done (decisions logged before outcomes
    were recorded were logged only after the move, and count too); intended or failed never do."""
    return (outcome or Outcome.DONE.value) == Outcome.DONE.value


def destination_tag(label: str) -> str:
    """The version tag naming the decision that moved the version to `label` (`@a` or `stage:S`)."""
    kind, name = ("alias", label[1:]) if label.startswith("@") else ("stage", label.removeprefix("stage:"))
    return f"{PREFIX}{kind}.{name}"


def status_label(status: str) -> str:
    """The `to` of a `check --record` decision."""
    return f"status:{status}"


def tags(decision: Mapping[str, Any]) -> dict[str, str]:
    """The decision's known fields as tags, masked and cut to MLflow's limit (the JSON keeps the rest)."""
    values = {f.value: decision[f.value] for f in Field if f.value in decision}
    return {PREFIX + k: mask(str(v))[:MAX_TAG] for k, v in values.items()}


def document(decision: Mapping[str, Any], findings: Sequence[Finding]) -> str:
    """The decision and the findings behind it, as the JSON its run holds (masked)."""
    text = json.dumps({**decision, "findings": [f.to_dict() for f in findings]}, indent=2, ensure_ascii=False)
    return mask(text)


def run_name(decision: Mapping[str, Any]) -> str:
    return f"{decision['action']} {decision['model']}/{decision['version']} -> {decision.get('to', '')}"


@dataclass(frozen=True)
class Decision:
    """One decision as the log holds it: its fields (every `mlgov.decision.*` tag) and its run."""

    run_id: str
    fields: Mapping[str, str] = field(default_factory=dict)
    status: str | None = None  # the run's status: RUNNING, FINISHED, FAILED
    start_time: int | None = None
    artifact_uri: str | None = None  # where its decision file is

    def get(self, name: Field | str, default: str = "") -> str:
        return self.fields.get(name.value if isinstance(name, Field) else name, default)

    @property
    def action(self) -> str:
        return self.get(Field.ACTION)

    @property
    def model(self) -> str:
        return self.get(Field.MODEL)

    @property
    def version(self) -> str:
        return self.get(Field.VERSION)

    @property
    def to(self) -> str:
        return self.get(Field.TO)

    @property
    def outcome(self) -> str:
        return self.get(Field.OUTCOME)

    @property
    def promoted(self) -> bool:
        """A promotion that was carried out (one that failed, or never got past intended, is none)."""
        return self.action == Kind.PROMOTE.value and confirmed(self.outcome)

    def row(self) -> dict[str, str]:
        """The fields, the time (the run's start when the decision names none) and the run id."""
        out = dict(self.fields)
        out.setdefault(Field.TIME.value, iso_ms(self.start_time))
        return {**out, "run_id": self.run_id}


def parse(run: RunRecord) -> Decision:
    """A decision-log run as a Decision."""
    found = {k.removeprefix(PREFIX): v for k, v in run.tags.items() if k.startswith(PREFIX)}
    return Decision(run_id=run.run_id, fields=found, status=run.status, start_time=run.start_time,
                    artifact_uri=run.artifact_uri)


def read(reader: Reader, model: str | None = None) -> list[Decision]:
    """The decisions about `model` (every model when None), oldest first: one paged search."""
    tagged = (Field.MODEL.tag, model) if model is not None else None
    return [parse(r) for r in reader.decisions(tagged)]


def promoted_pairs(decisions: Iterable[Decision]) -> set[tuple[str, str]]:
    """(version, destination label) of every promotion that was carried out."""
    return {(d.version, d.to) for d in decisions if d.promoted}


def by_model(decisions: Iterable[Decision]) -> dict[str, list[Decision]]:
    out: dict[str, list[Decision]] = {}
    for d in decisions:
        out.setdefault(d.model, []).append(d)
    return out


def iso_ms(ms: int | None) -> str:
    """A time MLflow stores (ms since the epoch) as ISO 8601 UTC; "" when unknown."""
    if not ms:
        return ""
    moment = dt.datetime.fromtimestamp(ms / 1000, dt.timezone.utc)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")
