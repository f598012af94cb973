"""What the decision log vouches for now: each alias and stage by its latest decision, each status by its record.

A decision counts only when its record is intact in the hash chain, its run FINISHED, its outcome
done and, for a move, its decision file says what its tags say. Each alias is judged by the latest
decision that moved it: pointing it back by hand at a version mlgov once promoted there is a
bypass. A move made under a policy other than the one in force is reported. A version's
`mlgov.status` is recorded only when the `check --record` decision its `mlgov.report` names says so.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from mlgov_checks.governance import chain, decisions
from mlgov_checks.governance.decisions import Decision, Field, Kind, Outcome
from mlgov_checks.governance.stages import GATED, Stage, alias_label, stage_label
from mlgov_checks.records import ModelVersionRecord
from mlgov_checks.secrets import mask

Documents = Callable[[Decision], "bytes | None"]  # a decision's file (decision.json), None when it has none
Signatures = Callable[[Decision], "str | None"]  # what is wrong with a record's signature (signed_decisions.judge)
STATUS_TAG, REPORT_TAG = "mlgov.status", "mlgov.report"


@dataclass(frozen=True)
class Standing:
    bypassed: dict[str, list[str]] = field(default_factory=dict)  # version -> @alias / stage:S not vouched for
    flags: list[str] = field(default_factory=list)  # every problem, one line each (each one is exit 1)
    notes: list[str] = field(default_factory=list)  # the flags that are not bypasses: chain breaks, other policies
    statuses: dict[str, str] = field(default_factory=dict)  # version -> its recorded status, when vouched for


def refusal(d: Decision, verdict: chain.Verdict, documents: Documents | None,
            signatures: Signatures | None = None) -> str | None:
    """Why decision `d` does not count, or None when it does (`documents` None: its file is not read;
    `signatures` None: signatures are not judged)."""
    if d.run_id not in verdict.intact:
        return "its record is not intact in the decision chain"
    if signatures is not None and (unsigned := signatures(d)) is not None:
        return f"its record {unsigned}"
    if d.status != "FINISHED":
        return f"its run is {d.status or 'in no state'}, not FINISHED"
    if d.outcome != Outcome.DONE.value:
        return f"its outcome is {d.outcome or 'missing'}, not done"
    if d.action == Kind.RECORD.value or documents is None:
        return None
    raw = documents(d)
    try:
        doc = json.loads(raw) if raw is not None else None
    except (ValueError, UnicodeDecodeError):
        doc = None
    if not isinstance(doc, dict):
        return f"it has no readable {decisions.DOCUMENT}"
    for name, value in d.fields.items():
        if name not in chain.UNCHAINED and mask(str(doc.get(name, "")))[: decisions.MAX_TAG] != value:
            return f"its {decisions.DOCUMENT} does not match its tags ({name})"
    return None


def judge(model: str, versions: Sequence[ModelVersionRecord], aliases: Mapping[str, str], log: Sequence[Decision],
          *, policy_sha256: str, head: str | None, documents: Documents | None,
          signatures: Signatures | None = None) -> Standing:
    """Every alias and gated stage of `model`, and every recorded status, against its decision log.

    `documents` reads a decision's file; None leaves the files unread (the inventory: one search for
    every model's log, no request per model; `mlgov audit MODEL` reads them). `signatures` judges
    each chained record's signature: every problem is a flag naming the record."""
    verdict = chain.verify(model, log, head)
    chained = chain.order([d for d in log if d.get(Field.DIGEST)])
    ordered = [*[d for d in log if d.run_id in verdict.legacy], *chained]
    cache: dict[str, str | None] = {}

    def why_not(d: Decision) -> str | None:
        if d.run_id not in cache:
            cache[d.run_id] = refusal(d, verdict, documents, signatures)
        return cache[d.run_id]

    problems = [*verdict.problems, *(f"{chain.shown(model, d)} {p}" for d in chained
                                     if signatures is not None and (p := signatures(d)) is not None)]
    out = Standing(flags=list(problems), notes=list(problems))
    for alias, number in sorted(aliases.items()):
        label = alias_label(alias)
        moves = [d for d in ordered if d.action == Kind.PROMOTE.value and d.to == label]
        _judge(out, model, number, label, moves, why_not, policy_sha256)
    for v in versions:
        stage = Stage.of(v.current_stage)
        if stage in GATED:
            label = stage_label(stage)
            moves = [d for d in ordered if d.to.startswith("stage:") and (d.version == v.version or (
                d.to == label and v.version in _archived(d, documents)))]
            _judge(out, model, v.version, label, moves, why_not, policy_sha256)
    for v in versions:
        status = _recorded(v, ordered, why_not)
        if status:
            out.statuses[v.version] = status
    return out


def _judge(out: Standing, model: str, number: str, label: str, moves: Sequence[Decision],
           why_not: Callable[[Decision], str | None], policy_sha256: str) -> None:
    latest = next((d for d in reversed(moves) if why_not(d) is None), None)
    where = f"{model}: {label} points at version {number}"
    if latest is None or latest.version != number or latest.to != label:
        refused = [f"runs:/{d.run_id} ({why_not(d)})" for d in moves if d.version == number and why_not(d)]
        if latest is None:
            why = "with no recorded `mlgov promote` decision"
            why += f" that counts: {'; '.join(refused)}" if refused else ""
        else:
            why = (f"but its latest decision (runs:/{latest.run_id}) moved version {latest.version} to "
                   f"{latest.to}: it was moved by hand")
        out.bypassed.setdefault(number, []).append(label)
        out.flags.append(f"{where} {why}")
    elif latest.get(Field.POLICY_SHA256) != policy_sha256:
        note = (f"{where}, promoted by runs:/{latest.run_id} under another policy (sha256 "
                f"{latest.get(Field.POLICY_SHA256)[:12] or 'none'}..., not the one in force, {policy_sha256[:12]}...)")
        out.flags.append(note)
        out.notes.append(note)


def _archived(d: Decision, documents: Documents | None) -> list[str]:
    """The versions a stage promotion archived (in its decision file only)."""
    if documents is None:
        return []
    try:
        doc = json.loads(documents(d) or b"{}")
    except (ValueError, UnicodeDecodeError):
        return []
    archived = doc.get("archived") if isinstance(doc, dict) else None
    return [str(n) for n in archived] if isinstance(archived, list) else []


def _recorded(v: ModelVersionRecord, ordered: Sequence[Decision], why_not: Callable[[Decision], str | None]) -> str:
    status = v.tags.get(STATUS_TAG, "")
    report = v.tags.get(REPORT_TAG, "")
    if not status:
        return ""
    run_id = report.removeprefix("runs:/").partition("/")[0] if report.startswith("runs:/") else ""
    match = next((d for d in ordered if d.run_id == run_id), None)
    if (match is None or match.action != Kind.RECORD.value or match.version != v.version
            or match.to != decisions.status_label(status) or why_not(match) is not None):
        return ""
    return status
