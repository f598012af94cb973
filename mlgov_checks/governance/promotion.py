"""All-or-nothing promotion: the decision is logged as intended, the registry moves, the decision is done.

When any write fails, what was moved is moved back (the alias to its previous version or removed,
the stages as they were, the version's decision tag as it was) and the decision-log run ends FAILED
with the reason, so the registry never holds half a promotion and `mlgov audit` never counts a
failed one as a promotion.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mlgov_checks.errors import EvaluationError
from mlgov_checks.secrets import mask

if TYPE_CHECKING:
    from mlgov_checks.backend import Writer
    from mlgov_checks.findings import Finding

DECISION_TAG = "mlgov.decision."  # the backend's DECISION_TAG (kept here: no mlflow import needed)
OUTCOME = "outcome"  # the decision tag saying how a promotion ended
INTENDED, DONE, FAILED = "intended", "done", "failed"
ERROR = "error"  # the decision tag holding why a promotion failed
_KEYS = ("action", "model", "version", "to", "from", "actor", "time", "gate", "policy_sha256")
_MAX_TAG = 5000


def confirmed(outcome: str | None) -> bool:
    """Whether a promote decision counts as a promotion: done (decisions logged before outcomes
    were recorded were logged only after the move, and count too); intended or failed never do."""
    return (outcome or DONE) == DONE


@dataclass(frozen=True)
class Move:
    """One promotion, with what the registry held before it (to move it back)."""

    name: str
    version: str
    alias: str | None
    stage: str | None
    previous_alias: str | None  # the version the alias pointed at, None when it did not exist
    source_stage: str  # the version's stage before the move ("None" when it had none)
    held: tuple[str, ...]  # the versions in the destination stage, which the move archives
    tag: str  # the version tag that records the decision
    previous_tag: str | None  # that tag's value before, None when it was not set

    @property
    def label(self) -> str:
        return f"@{self.alias}" if self.alias else f"stage:{self.stage}"


@dataclass(frozen=True)
class _Undo:
    what: str  # the manual fix, shown when the undo itself fails
    run: Callable[[], None]


class PromotionError(EvaluationError):
    """A promotion that did not happen (exit 3); `undone` says whether the registry is as before."""

    def __init__(self, message: str, *, undone: bool, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.undone = undone


def decision_tags(decision: Mapping[str, Any]) -> dict[str, str]:
    keys = (*_KEYS, OUTCOME, ERROR)
    return {DECISION_TAG + k: mask(str(decision[k]))[:_MAX_TAG] for k in keys if k in decision}


def _move_registry(writer: Writer, move: Move) -> None:
    if move.alias:
        writer.set_alias(move.name, move.alias, move.version)
        return
    if move.stage is None:  # invariant: a Move has an alias or a stage
        raise AssertionError("a move without alias or stage")
    writer.transition(move.name, move.version, move.stage, archive_existing=move.stage != "Archived")


def _undo_registry(writer: Writer, move: Move) -> _Undo:
    if move.alias:
        alias, previous = move.alias, move.previous_alias
        if previous:
            return _Undo(f"point @{alias} back at version {previous}",
                         lambda: writer.set_alias(move.name, alias, previous))
        return _Undo(f"delete the alias @{alias}", lambda: writer.delete_alias_if_present(move.name, alias))
    stage = move.stage or ""

    def restore() -> None:
        writer.transition(move.name, move.version, move.source_stage, archive_existing=False)
        for number in move.held:
            writer.transition(move.name, number, stage, archive_existing=False)

    held = f"; move version(s) {', '.join(move.held)} back to {stage}" if move.held else ""
    return _Undo(f"move version {move.version} back to stage {move.source_stage}{held}", restore)


def _undo_tag(writer: Writer, move: Move) -> _Undo:
    previous = move.previous_tag
    if previous is not None:
        return _Undo(f"restore the version tag {move.tag}",
                     lambda: writer.set_version_tags(move.name, move.version, {move.tag: previous}))
    return _Undo(f"delete the version tag {move.tag}",
                 lambda: writer.delete_version_tag_if_present(move.name, move.version, move.tag))


def carry_out(writer: Writer, move: Move, decision: Mapping[str, Any], findings: Sequence[Finding]) -> str:
    """Log the decision as intended, move, tag the version, mark the decision done: its run id.

    Each undo is registered before its write: a write that failed (a timeout, a reset connection)
    may still have reached the server, and moving back is harmless when it did not.
    """
    document = json.dumps({**decision, "findings": [f.to_dict() for f in findings]}, indent=2,
                          ensure_ascii=False)
    run_name = f"{decision['action']} {move.name}/{move.version} -> {move.label}"
    run_id: str | None = None
    undo: list[_Undo] = []
    try:
        run_id = writer.open_decision(decision_tags({**decision, OUTCOME: INTENDED}), run_name=run_name)
        writer.attach_documents(run_id, {"decision.json": mask(document)})
        undo.append(_undo_registry(writer, move))
        _move_registry(writer, move)
        undo.append(_undo_tag(writer, move))
        record = json.dumps({**decision, "decision_run": run_id}, sort_keys=True)
        writer.set_version_tags(move.name, move.version, {move.tag: mask(record)})
        writer.close_decision(run_id, decision_tags({OUTCOME: DONE}), status="FINISHED")
        return run_id
    except EvaluationError as e:
        raise _failed(writer, move, run_id, undo, e) from e


def _failed(writer: Writer, move: Move, run_id: str | None, undo: Sequence[_Undo],
            error: EvaluationError) -> PromotionError:
    """Move back what was moved, newest first, then record the failure; the error to raise."""
    left = []
    for step in reversed(undo):
        writer.try_again()
        try:
            step.run()
        except EvaluationError:
            left.append(step.what)
    recorded = False
    if run_id is not None:
        writer.try_again()
        try:
            writer.close_decision(run_id, decision_tags({OUTCOME: FAILED, ERROR: error.message}), status="FAILED")
            recorded = True
        except EvaluationError:
            pass
    head = f"promotion of models:/{move.name}/{move.version} to {move.label} failed: {error.message}"
    if left:
        return PromotionError(f"{head}; it could NOT be moved back: {'; '.join(left)} by hand",
                              undone=False, hint="then run `mlgov audit` to see the registry's state")
    if run_id is None:
        state = "nothing was changed"
    elif recorded:
        state = f"nothing was left changed; the decision log records the failure (runs:/{run_id})"
    else:
        state = f"nothing was left changed; the decision log could not record the failure (runs:/{run_id})"
    return PromotionError(f"{head}; {state}", undone=True, hint=error.hint)
