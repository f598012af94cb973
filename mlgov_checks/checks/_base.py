"""What a check is: a stable id, a title and user-facing explanation; and finding helpers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mlgov_checks.findings import Finding, Status

if TYPE_CHECKING:
    from mlgov_checks.integrations.gitrepo import LazyRepository
    from mlgov_checks.policy.load import Policy
    from mlgov_checks.records import ModelVersionRecord

# What a family's `evaluate(subject, ctx)` is given: a run, a model version, a card file's path,
# a working-tree policy (compared with the judging one), or the findings of a whole command.
SUBJECTS = ("run", "version", "card", "policy", "findings")


@dataclass(frozen=True)
class Context:
    """Everything a family may read besides its subject; built once per target by the runner."""

    policy: Policy
    target: str = ""
    now: dt.datetime | None = None
    repository: LazyRepository | None = None  # --repo, opened once per command on first use
    baseline: ModelVersionRecord | None = None  # the version holding the policy's baseline alias
    baseline_note: str | None = None  # why there is no baseline, when there is none
    ref: str | None = None  # --policy-ref: where the judging policy came from
    today: dt.date | None = None
    requested: Mapping[str, Sequence[str]] = field(default_factory=dict)  # target -> alias/latest names asked
    known: frozenset[str] = frozenset()  # every check id of the registry (for the findings families)


def cleandoc(text: str) -> str:
    """inspect.cleandoc without importing inspect (~8 ms on the card hook's path)."""
    lines = text.expandtabs().strip("\n").splitlines()
    if not lines:
        return ""
    rest = [ln for ln in lines[1:] if ln.strip()]
    indent = min((len(ln) - len(ln.lstrip()) for ln in rest), default=0)
    out = [lines[0].strip(), *(ln[indent:].rstrip() for ln in lines[1:])]
    return "\n".join(out).strip("\n")


@dataclass(frozen=True, slots=True)
class Check:
    """A registered check. `explanation` is what `mlgov explain ID` prints."""

    id: str
    title: str
    explanation: str
    hint: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "explanation", cleandoc(self.explanation))

    def finding(
        self, status: Status, target: str, message: str, *, file: str | None = None,
        line: int | None = None, column: int | None = None, hint: str | None = None,
    ) -> Finding:
        return Finding(self.id, status, target, message, file, line, column, hint if hint is not None else self.hint)

    def passed(self, target: str, message: str = "ok", *, file: str | None = None) -> Finding:
        """A PASS (a file, never a line: a pass points at nothing); built directly, as a card's dozen are."""
        return Finding(self.id, Status.PASS, target, message, file, None, None, self.hint)

    def failed(self, target: str, message: str, **loc: Any) -> Finding:
        return self.finding(Status.FAIL, target, message, **loc)

    def warned(self, target: str, message: str, **loc: Any) -> Finding:
        return self.finding(Status.WARN, target, message, **loc)

    def errored(self, target: str, message: str, **loc: Any) -> Finding:
        return self.finding(Status.ERROR, target, message, **loc)


def check_from(func: Callable[..., Any], check_id: str, title: str, hint: str | None = None) -> Check:
    """A Check whose explanation is the function's docstring (yamllint renders rule docs alike)."""
    return Check(check_id, title, cleandoc(func.__doc__ or title), hint)
