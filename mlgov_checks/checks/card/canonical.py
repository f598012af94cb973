"""The card checks on a card read in a foreign format (README, Model Card Toolkit, Mitchell-style, team JSON).

The same check ids as the native card; every finding says which format the card was read as and
names what is missing in that format's own terms.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from mlgov_checks.cards import keys
from mlgov_checks.cards.model import TYPED_IO, CanonicalCard, IssueKind
from mlgov_checks.checks._base import Check
from mlgov_checks.checks.card import schemas as card_schemas
from mlgov_checks.checks.card.ids import (
    DUPLICATE,
    ENCODING,
    EXTRA,
    METADATA,
    PLACEHOLDER,
    PROBLEM_CHECK,
    REQUIRED,
    ROOT,
    SIZE,
    STRUCTURE,
    SYNTAX,
    TAG,
    TYPE,
)
from mlgov_checks.checks.card.metadata import check_metadata
from mlgov_checks.checks.card.native_metrics import percent_note
from mlgov_checks.findings import Finding
from mlgov_checks.policy.load import CARD_FIELDS, Policy

_ISSUE_CHECK = {IssueKind.EMPTY: REQUIRED, IssueKind.NOT_A_NUMBER: TYPE, IssueKind.TYPE: TYPE,
                IssueKind.PLACEHOLDER: PLACEHOLDER, IssueKind.NOT_STATED: REQUIRED}
_UNWRITTEN = (IssueKind.EMPTY, IssueKind.NOT_STATED)  # the field is not there: another place may carry it


def required_fields(card: CanonicalCard, policy: Policy) -> list[str]:
    """The six fields (typed I/O only where the format can hold it, or the policy says the card must)."""
    conf = policy.section("card")
    io_from_card = conf.get("typed_io", "signature") == "card"
    fields = [f for f in CARD_FIELDS if f not in TYPED_IO or card.typed_io or io_from_card]
    return list(dict.fromkeys([*fields, *conf["required_fields"]]))


class _Out:
    def __init__(self, card: CanonicalCard, target: str) -> None:
        self.card, self.target = card, target
        self.failed: set[str] = set()
        self.findings: list[Finding] = []
        self.said = f" (read as {card.label})"

    def fail(self, check: Check, message: str, *, line: int = 1, column: int = 1, hint: str | None = None) -> None:
        self.failed.add(check.id)
        self.findings.append(check.failed(self.target, message + self.said, file=self.card.path, line=line,
                                          column=column, hint=hint))


def check_canonical(card: CanonicalCard, policy: Policy, *, target: str | None = None) -> Iterator[Finding]:
    """Every card check on a card read in a foreign format; a PASS for each check that found nothing."""
    out = _Out(card, target or card.path)
    for p in card.problems:
        out.fail(PROBLEM_CHECK[p.kind], p.message, line=p.mark.line, column=p.mark.column)
    ran: list[Check] = [SYNTAX, ENCODING, SIZE, STRUCTURE]
    if not card.fatal:
        ran += [DUPLICATE, TAG, ROOT, REQUIRED, TYPE, PLACEHOLDER]
        _required(out, policy)
        for issue in card.issues:
            if issue.kind in _UNWRITTEN and issue.field in card.fields:
                continue  # another place carries the field
            if issue.kind in _UNWRITTEN and issue.field not in required_fields(card, policy):
                continue
            o = issue.origin
            out.fail(_ISSUE_CHECK[issue.kind], issue.message, line=o.line, column=o.column,
                     hint=card.hints.get(issue.field) if issue.kind in _UNWRITTEN else None)
        _typed_io(out, policy)
        conf = policy.section("card")
        if conf.get("governance"):
            ran.append(METADATA)
            for message, line, column in check_metadata(card, conf["governance"]):
                out.fail(METADATA, message, line=line, column=column)
        if conf.get("extra_schema") and isinstance(card.data, dict):
            ran.append(EXTRA)
            _extra(out, card.data, policy)
    yield from sorted(out.findings, key=lambda f: (f.line or 0, f.column or 0))
    for check in ran:
        if check.id not in out.failed:
            yield check.passed(out.target, "ok" + out.said + _percent_note(card, check), file=card.path)


def _percent_note(card: CanonicalCard, check: Check) -> str:
    if check is not TYPE:
        return ""
    return percent_note([f"{m.key} {m.written} = {m.value:g}" for m in card.metrics if m.percent])


def _required(out: _Out, policy: Policy) -> None:
    card = out.card
    empty = {i.field for i in card.issues}  # there, but unreadable: the issue is the finding
    for name in required_fields(card, policy):
        if name in card.fields or name in empty:
            continue
        if name not in CARD_FIELDS:
            if _extra_field(card, name):
                continue
            hint = f"add `{name}` to the card"
        else:
            hint = card.hints.get(name, f"add `{name}` to the card")
        out.fail(REQUIRED, f"required field {name!r} is missing: {hint}", hint=hint)


def _extra_field(card: CanonicalCard, name: str) -> bool:
    """A field the policy adds (`owners`): a key of that name anywhere near the top, or metadata."""
    if name in card.meta:
        return True
    hit = keys.lookup(card.data, name) if isinstance(card.data, dict) else None
    if hit is None and isinstance(card.data, dict):
        hit = keys.find(card.data, name, names=(keys.norm(name),))
    from mlgov_checks.cards.values import is_blank

    return hit is not None and not is_blank(hit[1])


def _typed_io(out: _Out, policy: Policy) -> None:
    """Typed I/O a foreign card does carry must be readable; the policy may demand it from the card."""
    card = out.card
    from_card = policy.section("card").get("typed_io", "signature") == "card"
    for name in TYPED_IO:
        value = card.fields.get(name)
        if value is None or value.data is None:
            continue
        schema = card_schemas.recognise(value.data, (name,))
        if (schema.issues or not schema.columns) and from_card:
            o = value.origin
            reason = schema.issues[0].message if schema.issues else "it names no typed columns"
            out.fail(TYPE, f"{o.where} is not a typed schema ({reason}); the policy's `card.typed_io: card` "
                     "needs one", line=o.line, column=o.column, hint=card_schemas.HINT)


def _extra(out: _Out, data: Mapping[str, Any], policy: Policy) -> None:
    from mlgov_checks.cards.source import render
    from mlgov_checks.checks.card import extra as card_extra

    for epath, message in card_extra.errors(data, policy):
        out.fail(EXTRA, f"{render(tuple(epath))}: {message}")
