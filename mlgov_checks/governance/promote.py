"""`mlgov promote`: plan the move, gate the version, carry the move out all or nothing.

The carry-out logs the decision as intended, moves the alias or stage, tags the version with the
decision and marks it done; when any write fails, what was moved is moved back (the alias to its
previous version or removed, the stages as they were, the version's decision tag as it was) and the
decision ends FAILED with the reason (`transaction.AllOrNothing`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

from mlgov_checks.checks import approvals
from mlgov_checks.errors import EvaluationError
from mlgov_checks.findings import Finding
from mlgov_checks.governance import decisions, roles, signed_decisions
from mlgov_checks.governance.outcome import PROBLEMS, Outcome, fetch_version, gate_summary, iso, refuse, utc_now
from mlgov_checks.governance.stages import Destination, Stage
from mlgov_checks.governance.transaction import AllOrNothing, Undo
from mlgov_checks.policy.load import Policy
from mlgov_checks.records import SEMVER_TAG, ModelVersionRecord
from mlgov_checks.secrets import mask
from mlgov_checks.version import __version__

if TYPE_CHECKING:
    from mlgov_checks.backend import Reader, Resolved, Writer
    from mlgov_checks.evidence.keysign import SigningKey
    from mlgov_checks.gate import GateOptions


@dataclass(frozen=True)
class Request:
    """One `mlgov promote`: which version, where to, by whom."""

    target: str
    dest: Destination
    actor: str
    dry_run: bool = False
    now: dt.datetime | None = None
    key: SigningKey | None = None  # signs the decision; the actor is then the key's principal
    asserted: bool = False  # the actor was named with --as

    @property
    def action(self) -> roles.Action:
        return roles.Action.ARCHIVE if self.dest.archives else roles.Action.PROMOTE


@dataclass(frozen=True)
class Move:
    """One planned move, with what the registry held before it (to move it back)."""

    name: str
    version: str
    dest: Destination
    previous_alias: str | None  # the version the alias pointed at, None when it did not exist
    source_stage: str  # the version's stage before the move ("None" when it had none)
    held: tuple[str, ...]  # the versions in the destination stage, which the move archives
    previous_tag: str | None  # the version's decision tag before, None when it was not set

    @property
    def source(self) -> str:
        """Where the version (or the alias) was: the decision's `from`."""
        if self.dest.alias is not None:
            return f"models:/{self.name}/{self.previous_alias}" if self.previous_alias else "none"
        return self.source_stage

    @property
    def tag(self) -> str:
        return decisions.destination_tag(self.dest.label)


class _Versions:
    """Every version of the model, read once and only when a step needs them."""

    def __init__(self, reader: Reader, name: str) -> None:
        self.reader, self.name = reader, name

    @cached_property
    def all(self) -> Mapping[str, ModelVersionRecord]:
        return self.reader.versions_of(self.name)


def promote(request: Request, *, policy: Policy, options: GateOptions, reader: Reader,
            writer: Writer) -> Outcome:
    """Gate the version, then move the alias or stage and log the decision; refuse and change nothing
    when the gate fails, the actor lacks the permission, or production lacks the approval quorum.

    The move is all or nothing: when a write fails, what was moved is moved back, the decision log
    records the failure, and WriteFailedError (exit 3) says so."""
    from mlgov_checks import gate

    signer = (signed_decisions.Actor(request.actor) if request.dry_run and request.key is None  # writes nothing
              else signed_decisions.actor(request.key, request.actor, policy, asserted=request.asserted))
    request = replace(request, actor=signer.name)
    action = request.action
    ok, why = roles.permitted(request.actor, action, policy)
    if not ok:
        return refuse(approvals.ROLE_PERMISSION, request.target, f"{action.value} refused: {why}")
    # production judges the approvals, whose statements name the card and the model files' digest
    needed = (*options.chosen(), "approvals") if request.dest.is_production(policy) else options.chosen()
    spec = gate.fetch_spec(policy, needed) if action is roles.Action.PROMOTE else None
    version, resolved = fetch_version(reader, request.target, spec)  # fetched once: the gate judges it
    versions = _Versions(reader, version.name)
    findings: list[Finding] = []
    if action is roles.Action.PROMOTE:
        findings = judge(resolved, version, request.dest, policy, options, versions)
    if any(f.status in PROBLEMS for f in findings):
        return Outcome(findings, [f"refused: {version.target} was not moved to {request.dest.label}"],
                       (version.target,))
    move = plan(version, request.dest, reader, versions)
    lines = describe(move, findings, dry_run=request.dry_run, shown=version.target)
    if not request.dry_run:
        decision = _decision(move, request, findings, policy)
        run_id = carry_out(writer, move, decision, findings, signer.sign)  # all or nothing: raises exit 3
        lines.append(f"decision recorded: runs:/{run_id}")
    return Outcome(findings, lines, (version.target,))


def judge(resolved: Resolved, version: ModelVersionRecord, dest: Destination, policy: Policy,
          options: GateOptions, versions: _Versions) -> list[Finding]:
    """The gate's findings, plus the quorum for production and the semantic-version order."""
    from mlgov_checks import gate

    findings = list(gate.judge([resolved], policy, options).findings)
    if dest.is_production(policy) and approvals.QUORUM.id not in {f.check for f in findings}:
        findings += approvals.quorum(version, policy)
    if policy.section("evidence")["require_semantic_version"]:
        tags = {n: mv.tags.get(SEMVER_TAG) for n, mv in versions.all.items()}
        findings += approvals.check_semver_order(version.version, tags, target=version.target)
    return findings


def plan(version: ModelVersionRecord, dest: Destination, reader: Reader, versions: _Versions) -> Move:
    """What the move changes, read from the registry as it is now."""
    previous = reader.model_aliases(version.name).get(dest.alias) if dest.alias is not None else None
    held: tuple[str, ...] = ()
    if dest.displaces:
        held = tuple(sorted((n for n, mv in versions.all.items()
                             if Stage.of(mv.current_stage) is dest.stage and n != version.version), key=int))
    return Move(name=version.name, version=version.version, dest=dest, previous_alias=previous,
                source_stage=version.current_stage or Stage.NONE.value, held=held,
                previous_tag=version.tags.get(decisions.destination_tag(dest.label)))


def describe(move: Move, findings: list[Finding], *, dry_run: bool, shown: str) -> list[str]:
    verb = "would move" if dry_run else "moved"
    lines = [f"gate: {gate_summary(findings)}"] if findings else []
    lines.append(f"{verb} {shown} to {move.dest.label} (from {move.source})")
    if move.dest.displaces and move.held:
        lines.append(f"{'would archive' if dry_run else 'archived'} version(s) {', '.join(move.held)} "
                     f"previously in {move.dest.stage and move.dest.stage.value}")
    return lines


def _decision(move: Move, request: Request, findings: list[Finding], policy: Policy) -> dict[str, Any]:
    return {"action": request.action.value, "model": move.name, "version": move.version,
            "to": move.dest.label, "from": move.source, "actor": request.actor,
            "time": iso(request.now or utc_now()), "gate": gate_summary(findings),
            "policy_sha256": policy.sha256, "policy": policy.source or "(defaults)",
            "archived": list(move.held) if move.dest.displaces else [], "mlgov_version": __version__}


def carry_out(writer: Writer, move: Move, decision: Mapping[str, Any], findings: list[Finding],
              sign: signed_decisions.Sign | None = None) -> str:
    """Log the decision as intended (signed by its actor when `sign`), move, tag the version, mark the
    decision done: its run id."""
    tx = AllOrNothing(writer, sign)
    try:
        run_id = tx.open_decision(decision, {decisions.DOCUMENT: lambda linked: decisions.document(linked, findings)})
        tx.step(_undo_move(writer, move), lambda: _move(writer, move))
        record = json.dumps({**decision, "decision_run": run_id}, sort_keys=True)
        before = {move.tag: move.previous_tag} if move.previous_tag is not None else {}
        tx.set_version_tags(move.name, move.version, {move.tag: mask(record)}, before)
        tx.commit()
        return run_id
    except EvaluationError as e:
        raise tx.rollback(e, f"promotion of models:/{move.name}/{move.version} to {move.dest.label}") from e
    except Exception as e:  # a bug of ours halfway: nothing left half-done, then the internal error
        tx.abandon(e, f"promotion of models:/{move.name}/{move.version} to {move.dest.label}")
        raise


def _move(writer: Writer, move: Move) -> None:
    if move.dest.alias is not None:
        writer.set_alias(move.name, move.dest.alias, move.version)
    elif move.dest.stage is not None:
        writer.transition(move.name, move.version, move.dest.stage.value, archive_existing=move.dest.displaces)


def _undo_move(writer: Writer, move: Move) -> Undo:
    alias = move.dest.alias
    if alias is not None:
        previous = move.previous_alias
        if previous:
            return Undo(f"point @{alias} back at version {previous}",
                        lambda: writer.set_alias(move.name, alias, previous))
        return Undo(f"delete the alias @{alias}", lambda: writer.delete_alias_if_present(move.name, alias))
    stage = move.dest.stage.value if move.dest.stage is not None else ""

    def restore() -> None:
        writer.transition(move.name, move.version, move.source_stage, archive_existing=False)
        for number in move.held:
            writer.transition(move.name, number, stage, archive_existing=False)

    held = f"; move version(s) {', '.join(move.held)} back to {stage}" if move.held else ""
    return Undo(f"move version {move.version} back to stage {move.source_stage}{held}", restore)
