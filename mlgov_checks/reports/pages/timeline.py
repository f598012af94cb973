"""What happened to a model, in order: registrations, approvals, decisions and detected bypasses."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from mlgov_checks.checks import approvals
from mlgov_checks.governance.decisions import Kind, confirmed, iso_ms
from mlgov_checks.governance.stages import Stage, stage_label
from mlgov_checks.records import ModelVersionRecord


@dataclass(frozen=True)
class Event:
    """One dated event in a model's history."""

    time: str  # ISO 8601 UTC, or "" when unknown (a bypass is detected now, not dated)
    kind: str  # registered | approved | revoked | promoted | failed | archived | recorded | bypass
    version: str
    actor: str
    detail: str


def _kind(action: str, to: str) -> str:
    if action == Kind.PROMOTE.value:
        return "archived" if to == stage_label(Stage.ARCHIVED) else "promoted"
    return {Kind.RECORD.value: "recorded", Kind.ARCHIVE.value: "archived"}.get(action, action or "decision")


def events(versions: Sequence[ModelVersionRecord], decisions: Iterable[Mapping[str, str]],
           flags: Mapping[str, Sequence[str]]) -> list[Event]:
    """Every event, oldest first; undated bypasses (detected by this audit) come last."""
    out: list[Event] = []
    for v in versions:
        out.append(Event(iso_ms(v.creation_timestamp), "registered", v.version, v.user_id or "",
                         f"version {v.version} registered" + (f" from run {v.run_id}" if v.run_id else "")))
        for _key, approval, _problem in approvals.recorded(v.tags):
            if approval is None:
                continue
            out.append(Event(approval.time, "approved", v.version, approval.approver, approval.comment))
            if approval.revoked:
                out.append(Event(approval.revoked_time or "", "revoked", v.version, approval.approver,
                                 approval.revoke_comment or "approval withdrawn"))
    for d in decisions:
        action, to = d.get("action", ""), d.get("to", "")
        moved = f"{d.get('from') or '-'} -> {to}" if action == Kind.PROMOTE.value else to
        gate = f" (gate: {d['gate']})" if d.get("gate") else ""
        outcome = d.get("outcome", "")
        failed = not confirmed(outcome)  # failed, or never confirmed
        out.append(Event(d.get("time", ""), "failed" if failed else _kind(action, to), d.get("version", ""),
                         d.get("actor", ""), f"{action} {moved}{gate}" + (f": {outcome}" if failed else "")
                         + (f" ({d['error']})" if failed and d.get("error") else "")))
    for number, dests in flags.items():
        for dest in dests:
            out.append(Event("", "bypass", number, "",
                             f"{dest} points at version {number} with no recorded `mlgov promote` decision"))
    return sorted(out, key=lambda e: (e.time == "", e.time))
