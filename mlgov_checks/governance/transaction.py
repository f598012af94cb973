"""All or nothing: a command's writes, each with its undo, logged as intended and then done or failed.

A decision is logged as intended before anything else is written; each later write registers its
undo before it is made (a write that failed, a timeout or a reset connection, may still have
reached the server, and undoing what did not happen is harmless). When a write fails, what was
written is undone, newest first, and every decision of the transaction ends FAILED with the reason,
so the registry never holds half a change and `mlgov audit` never counts a failed one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mlgov_checks.errors import EvaluationError
from mlgov_checks.governance import chain, decisions
from mlgov_checks.governance.decisions import Field, Outcome

if TYPE_CHECKING:
    from mlgov_checks.backend import Writer


@dataclass(frozen=True)
class Undo:
    what: str  # the manual fix, shown when the undo itself fails
    run: Callable[[], None]


class WriteFailedError(EvaluationError):
    """A change that did not happen (exit 3); `undone` says whether the registry is as before."""

    def __init__(self, message: str, *, undone: bool, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.undone = undone


class AllOrNothing:
    """The writes of one command; `commit` marks its decisions done, `rollback` undoes them."""

    def __init__(self, writer: Writer, sign: Callable[[bytes], str] | None = None) -> None:
        self.writer = writer
        self.sign = sign  # signs each decision's chained fields as its actor (governance/signed_decisions.py)
        self._undo: list[Undo] = []
        self._opened: list[str] = []
        self._heads: dict[str, tuple[str | None, str | None]] = {}  # model -> (newest digest, head tag read)

    def open_decision(self, decision: Mapping[str, Any],
                      documents: Mapping[str, str | Callable[[Mapping[str, Any]], str]]) -> str:
        """Log `decision` as intended, chained to the model's previous record, with its documents
        (already masked; a callable is given the chained decision); then move the model's head to it.
        The run id."""
        model = str(decision[Field.MODEL.value])
        if model not in self._heads:
            self._heads[model] = (chain.newest(decisions.read(self.writer.reader, model)),
                                  self.writer.reader.model_tags(model).get(chain.HEAD_TAG))
        prev, head = self._heads[model]
        linked = chain.link(decision, prev)
        signed = {Field.SIGNATURE.value: self.sign(chain.payload(chain.stored(linked)))} if self.sign else {}
        tags = decisions.tags({**linked, **signed, Field.OUTCOME.value: Outcome.INTENDED.value})
        run_id = self.writer.open_decision(tags, run_name=decisions.run_name(linked))
        self._opened.append(run_id)
        # The record stays in the log whatever happens next (a failed one ends FAILED), so the head
        # moves to it and is never moved back; a rollback sets it again when a write failed first.
        new = str(linked[Field.DIGEST.value])
        self._heads[model] = (new, head)
        self.writer.attach_documents(run_id, {path: doc if isinstance(doc, str) else doc(linked)
                                              for path, doc in documents.items()})
        self.writer.set_model_tag(model, chain.HEAD_TAG, new)
        return run_id

    def step(self, undo: Undo, do: Callable[[], None]) -> None:
        """Register `undo`, then make the write `do`."""
        self._undo.append(undo)
        do()

    def set_version_tags(self, name: str, version: str, tags: Mapping[str, str],
                         before: Mapping[str, str]) -> None:
        """Set each tag, undone by restoring its value in `before` (or deleting it when absent)."""
        for key, value in tags.items():
            self.step(self._restore_tag(name, version, key, before.get(key)),
                       lambda k=key, v=value: self.writer.set_version_tags(name, version, {k: v}))  # type: ignore[misc]

    def _restore_tag(self, name: str, version: str, key: str, previous: str | None) -> Undo:
        if previous is not None:
            return Undo(f"restore the version tag {key} of models:/{name}/{version}",
                        lambda: self.writer.set_version_tags(name, version, {key: previous}))
        return Undo(f"delete the version tag {key} of models:/{name}/{version}",
                    lambda: self.writer.delete_version_tag_if_present(name, version, key))

    def commit(self) -> None:
        for run_id in self._opened:
            self.writer.close_decision(run_id, decisions.tags({Field.OUTCOME.value: Outcome.DONE.value}),
                                       status="FINISHED")

    def abandon(self, bug: Exception, head: str) -> None:
        """A bug of ours stopped the command halfway: undo what was written and end its decisions
        FAILED, as for a failed write; the caller re-raises `bug` (an internal error, exit 3)."""
        self.rollback(EvaluationError(f"internal error: {type(bug).__name__}: {bug}"), head)

    def rollback(self, error: EvaluationError, head: str) -> WriteFailedError:
        """Undo what was written, newest first, then record the failure: the error to raise."""
        left = []
        for step in reversed(self._undo):
            self.writer.try_again()
            try:
                step.run()
            except EvaluationError:
                left.append(step.what)
        for model, (newest, _) in self._heads.items():
            self.writer.try_again()
            try:
                if newest:
                    self.writer.set_model_tag(model, chain.HEAD_TAG, newest)
            except EvaluationError:
                left.append(f"set the tag {chain.HEAD_TAG} of {model} to {newest}")
        unrecorded = []
        failed = decisions.tags({Field.OUTCOME.value: Outcome.FAILED.value, Field.ERROR.value: error.message})
        for run_id in self._opened:
            self.writer.try_again()
            try:
                self.writer.close_decision(run_id, failed, status="FAILED")
            except EvaluationError:
                unrecorded.append(run_id)
        head = f"{head} failed: {error.message}"
        if left:
            return WriteFailedError(f"{head}; it could NOT be moved back: {'; '.join(left)} by hand",
                                    undone=False, hint="then run `mlgov audit` to see the registry's state")
        runs = ", ".join(f"runs:/{r}" for r in self._opened)
        if not self._opened:
            state = "nothing was changed"
        elif not unrecorded:
            state = f"nothing was left changed; the decision log records the failure ({runs})"
        else:
            state = f"nothing was left changed; the decision log could not record the failure ({runs})"
        return WriteFailedError(f"{head}; {state}", undone=True, hint=error.hint)
