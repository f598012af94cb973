"""The audit report: every version of a model, its lineage, approvals, status, and bypassed moves."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from mlgov_checks.checks import approvals
from mlgov_checks.errors import UsageError
from mlgov_checks.findings import Finding, group_by_target, overall_status
from mlgov_checks.governance import chain, decisions, signed_decisions, standing
from mlgov_checks.governance.decisions import Decision, Field, Kind, iso_ms
from mlgov_checks.policy.load import Policy
from mlgov_checks.records import SEMVER_TAG, ModelVersionRecord
from mlgov_checks.reports import tables
from mlgov_checks.reports.pages import approval_evidence

if TYPE_CHECKING:
    from mlgov_checks.backend import Reader
    from mlgov_checks.gate import GateOptions

FORMATS = ("csv", "json", "markdown")
COLUMNS = ("version", "semantic_version", "stage", "aliases", "creator", "created", "run_id",
           "training_start", "params", "metrics", "artifact_uri", "git_commit", "reviewer", "approvals",
           "approval_evidence", "recorded_status", "recorded_at", "status_now", "bypassed")
BYPASSED = "Moves that bypassed the gate"


@dataclass(frozen=True)
class Audit:
    model: str
    rows: list[dict[str, Any]]
    flags: list[str]  # every alias or stage that bypassed the gate, over all versions
    evaluated: bool
    # What the HTML page shows besides the rows (the csv/json/markdown formats ignore these).
    versions: tuple[ModelVersionRecord, ...] = ()  # the shown versions, with their runs
    aliases: Mapping[str, str] = field(default_factory=dict)  # alias -> version number
    decisions: tuple[Decision, ...] = ()  # the model's decision log, oldest first
    bypassed: Mapping[str, list[str]] = field(default_factory=dict)  # version -> @alias / stage:NAME
    findings: Mapping[str, tuple[Finding, ...]] = field(default_factory=dict)  # target -> gate findings
    policy: Policy | None = None
    generated_at: str = ""  # ISO 8601 UTC


def parse_when(text: str, *, end: bool) -> dt.datetime:
    """`YYYY-MM-DD` (the whole day, UTC, for --until) or an ISO date-time (UTC when no offset)."""
    try:
        if len(text.strip()) == 10:
            day = dt.date.fromisoformat(text.strip())
            moment = dt.datetime.combine(day, dt.time(), dt.timezone.utc)
            return moment + dt.timedelta(days=1) - dt.timedelta(milliseconds=1) if end else moment
        moment = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as e:
        raise UsageError(f"not a date: {text!r}",
                         hint="use YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][+HH:MM]") from e
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def _ms(moment: dt.datetime) -> int:
    return int(moment.timestamp() * 1000)


def break_glass_flags(name: str, log: Sequence[Decision]) -> list[str]:
    """Every break-glass the guarded server let through (`mlflow server --app-name mlgov`): always flagged."""
    return [f"{name}: break-glass by {d.get(Field.ACTOR)} at {d.get(Field.TIME)}: {d.to} on version "
            f"{d.version or '-'} ({d.get('rule')}), reason: {d.get('reason')}"
            for d in log if d.action == Kind.BREAK_GLASS.value]


def event_flags(name: str, events: Sequence[Mapping[str, Any]], log: Sequence[Decision]) -> list[str]:
    """Alias events MLflow's webhooks delivered (`mlgov webhook-receiver`) with no carried-out promotion."""
    promoted = decisions.promoted_pairs(log)
    out = []
    for e in events:
        data = e.get("data") or {}
        if e.get("entity") != "model_version_alias" or data.get("name") != name:
            continue
        alias, when = str(data.get("alias", "")), e.get("timestamp", "")
        if e.get("action") == "created" and (str(data.get("version", "")), f"@{alias}") not in promoted:
            out.append(f"{name}: webhook at {when}: @{alias} set on version {data.get('version')} with no "
                       "recorded `mlgov promote` decision")
        elif e.get("action") == "deleted":
            out.append(f"{name}: webhook at {when}: @{alias} deleted")
    return out


def documents_of(reader: Reader) -> Callable[[Decision], bytes | None]:
    """A decision's file, read on first use (only the decisions the judgement asks about)."""
    def read(d: Decision) -> bytes | None:
        return reader.run_file(d.run_id, d.artifact_uri, decisions.DOCUMENT) if d.artifact_uri else None

    return read


def standing_of(name: str, versions: Sequence[ModelVersionRecord], aliases: Mapping[str, str],
                log: Sequence[Decision], *, reader: Reader, policy: Policy) -> standing.Standing:
    """What the decision log vouches for: the model's head tag read, each decision file on demand."""
    head = reader.model_tags(name).get(chain.HEAD_TAG)
    return standing.judge(name, versions, aliases, log, policy_sha256=policy.sha256, head=head,
                          documents=documents_of(reader), signatures=signed_decisions.judge(policy))


def build(name: str, *, reader: Reader, policy: Policy, since: dt.datetime | None = None,
          until: dt.datetime | None = None, evaluate: GateOptions | None = None,
          events: Sequence[Mapping[str, Any]] = ()) -> Audit:
    """One paged version search, runs by id in chunks, one alias read, one decision-log search."""
    found = reader.existing_versions(name)  # a model that is not there: exit 3, as in every command
    runs = reader.runs([mv.run_id for mv in found.values() if mv.run_id])
    aliases = reader.model_aliases(name)
    by_version: dict[str, list[str]] = {}
    for alias, number in aliases.items():
        by_version.setdefault(number, []).append(alias)
    versions = sorted((replace(mv, run=runs.get(mv.run_id or "")) for mv in found.values()),
                      key=lambda v: int(v.version))
    log = decisions.read(reader, name)
    vouched = standing_of(name, versions, aliases, log, reader=reader, policy=policy)
    flagged = vouched.bypassed
    lo, hi = (_ms(since) if since else None), (_ms(until) if until else None)
    shown = [v for v in versions if (lo is None or (v.creation_timestamp or 0) >= lo)
             and (hi is None or (v.creation_timestamp or 0) <= hi)]
    now: dict[str, str] = {}
    grouped: dict[str, list[Finding]] = {}
    known: dict[str, ModelVersionRecord] = {}
    if evaluate is not None and shown:
        from mlgov_checks import gate

        result = gate.run([v.target for v in shown], policy, evaluate, reader)
        grouped = group_by_target(result.findings)
        now = {t: overall_status(f) for t, f in grouped.items()}
        known = {r.target: r for r in result.records if isinstance(r, ModelVersionRecord)}
    judged = approval_evidence.judge(shown, policy, reader, known)  # as promote judges them
    shown = [judged.record(v) for v in shown]
    commit_keys = policy.section("provenance")["commit_keys"]
    rows = []
    for v in shown:
        run = v.run
        rows.append({
            "version": v.version,
            "semantic_version": v.tags.get(SEMVER_TAG, ""),
            "stage": v.current_stage or "",
            "aliases": sorted(by_version.get(v.version, [])),
            "creator": v.user_id or (approvals.authors(v) or [""])[0],
            "created": iso_ms(v.creation_timestamp),
            "run_id": v.run_id or "",
            "training_start": iso_ms(run.start_time if run else None),
            "params": dict(run.params) if run else {},
            "metrics": dict(run.metrics) if run else {},
            "artifact_uri": (run.artifact_uri or "") if run else "",
            "git_commit": next((run.value(k) or "" for k in commit_keys if run and run.value(k)), ""),
            "reviewer": approvals.reviewer(v, policy) or "",
            "approvals": judged.counted(v),
            "approval_evidence": judged.shown(v),
            "recorded_status": vouched.statuses.get(v.version, ""),
            "recorded_at": v.tags.get("mlgov.checked_at", "") if v.version in vouched.statuses else "",
            "status_now": now.get(v.target, "") if evaluate is not None else "",
            "bypassed": flagged.get(v.version, []),
        })
    flags = [*vouched.flags, *break_glass_flags(name, log), *event_flags(name, events, log)]
    return Audit(model=name, rows=rows, flags=flags, evaluated=evaluate is not None, versions=tuple(shown),
                 aliases=aliases, decisions=tuple(log), bypassed=flagged,
                 findings={t: tuple(f) for t, f in grouped.items()}, policy=policy,
                 generated_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z"))


def _columns(audit: Audit) -> tuple[str, ...]:
    return tables.shown_columns(COLUMNS, evaluated=audit.evaluated)


def to_csv(audit: Audit) -> str:
    cols = _columns(audit)
    return tables.csv_text(cols, ([row[c] for c in cols] for row in audit.rows))


def to_json(audit: Audit) -> str:
    cols = _columns(audit)
    doc = {"model": audit.model, "bypassed": audit.flags,
           "versions": [{c: row[c] for c in cols} for row in audit.rows]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def to_markdown(audit: Audit) -> str:
    cols = _columns(audit)
    lines = [f"# Audit: {tables.md_escape(audit.model)}", "", *tables.md_list(BYPASSED, audit.flags)]
    lines += tables.md_table(cols, ([row[c] for c in cols] for row in audit.rows))
    return "\n".join(lines) + "\n"


RENDER = {"csv": to_csv, "json": to_json, "markdown": to_markdown}
