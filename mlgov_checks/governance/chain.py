"""The decision log as a hash chain: each record carries the digest of the model's previous record.

A record's digest is the sha256 of its chained fields (every `mlgov.decision.*` field as logged,
except how it ended, `outcome` and `error`, written after the move, and the digest itself) as
canonical JSON. Deleting, editing or re-ordering a record breaks the chain, and the audit says
where; the registered model's tag `mlgov.decision.head` names the newest digest, so deleting the
newest record shows too. Anyone can compute a digest, so the chain shows tampering with the records that exist; a
record forged whole is refused by what the audit also demands of a promotion (a finished run, the
outcome done, a decision file that matches its tags), and by the actor's signature where keys are
configured.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mlgov_checks.governance import decisions
from mlgov_checks.governance.decisions import Decision, Field

GENESIS = "genesis"  # the `prev` of a model's first chained record
HEAD_TAG = decisions.PREFIX + "head"  # on the registered model: the digest of its newest record
# Not chained: how it ended (written after the move), the digest itself, and the actor's signature
# (which signs the chained fields, so the digest and the signature cover the same bytes).
UNCHAINED = frozenset({Field.OUTCOME.value, Field.ERROR.value, Field.DIGEST.value, Field.SIGNATURE.value})


def payload(fields: Mapping[str, str]) -> bytes:
    """The bytes a record's digest and its actor's signature cover: its chained fields as canonical JSON."""
    chained = {k: v for k, v in fields.items() if k not in UNCHAINED}
    return json.dumps(chained, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def digest(fields: Mapping[str, str]) -> str:
    """The digest of a record from its fields as the log holds them (tag values, without the prefix)."""
    return hashlib.sha256(payload(fields)).hexdigest()


def stored(decision: Mapping[str, Any]) -> dict[str, str]:
    """A decision's fields as the log will hold them (masked, cut to MLflow's limit, no prefix)."""
    return {k.removeprefix(decisions.PREFIX): v for k, v in decisions.tags(decision).items()}


def link(decision: Mapping[str, Any], prev: str | None) -> dict[str, Any]:
    """The decision with `prev` (GENESIS for the model's first record) and its own digest."""
    linked = {**decision, Field.PREV.value: prev or GENESIS}
    return {**linked, Field.DIGEST.value: digest(stored(linked))}


def newest(log: Sequence[Decision]) -> str | None:
    """The digest the next record of this log chains from: its newest chained record's."""
    ordered = order([d for d in log if d.get(Field.DIGEST)])
    return ordered[-1].get(Field.DIGEST) if ordered else None


def order(chained: Sequence[Decision]) -> list[Decision]:
    """Records oldest first: by start time, records of one millisecond by their links."""
    rest = sorted(chained, key=lambda d: d.start_time or 0)
    out: list[Decision] = []
    while rest:
        first = rest[0].start_time or 0
        tied = [d for d in rest if (d.start_time or 0) == first]
        expected = out[-1].get(Field.DIGEST) if out else GENESIS
        pick = next((d for d in tied if d.get(Field.PREV) == expected), tied[0])
        out.append(pick)
        rest.remove(pick)
    return out


@dataclass(frozen=True)
class Verdict:
    """What the chain says about one model's log."""

    intact: frozenset[str]  # run ids of the records whose digest holds and whose link is unbroken
    problems: tuple[str, ...] = ()  # where it breaks, one line each
    legacy: tuple[str, ...] = field(default_factory=tuple)  # unchained records logged before the chain began


def verify(model: str, log: Sequence[Decision], head: str | None = None) -> Verdict:
    """Check every record's digest, its link to the record before it and the model's `head`; a break
    names the record, and why. A record counts as intact when its digest holds and it chains from the
    record logged before it."""
    first = next((i for i, d in enumerate(log) if d.get(Field.DIGEST)), len(log))
    legacy = tuple(d.run_id for d in log[:first])
    problems = [f"{model}: record runs:/{d.run_id} ({_what(d)}) carries no digest: it was logged around the "
                "chain, or its digest was removed" for d in log[first:] if not d.get(Field.DIGEST)]
    chained = order([d for d in log if d.get(Field.DIGEST)])
    by_digest = {d.get(Field.DIGEST): d for d in chained}
    intact: set[str] = set()
    expected = GENESIS
    for d in chained:
        named = shown(model, d)
        edited = digest(d.fields) != d.get(Field.DIGEST)
        prev = d.get(Field.PREV)
        if edited:
            problems.append(f"{named} was edited: its content no longer matches its digest")
        if prev != expected:
            if prev in by_digest:
                problems.append(f"{named} is out of order: it chains from runs:/{by_digest[prev].run_id}, "
                                "not from the record logged before it")
            elif prev == GENESIS:
                problems.append(f"{named} starts a second chain: the records before it are not its history")
            else:
                problems.append(f"{named} chains from a record that is no longer in the log (deleted): "
                                f"digest {prev[:12]}...")
        elif not edited:
            intact.add(d.run_id)
        expected = d.get(Field.DIGEST)
    newest_digest = chained[-1].get(Field.DIGEST) if chained else None
    if newest_digest and head != newest_digest:
        older = by_digest.get(head or "")
        why = (f"names the older record runs:/{older.run_id}" if older is not None and head
               else "names a record that is no longer in the log (the newest records were deleted)" if head
               else "is missing")
        problems.append(f"{model}: the model's decision head {why}; the log ends at runs:/{chained[-1].run_id}")
    return Verdict(intact=frozenset(intact), problems=tuple(problems), legacy=legacy)


def shown(model: str, d: Decision) -> str:
    """How a finding names a record: `MODEL: record runs:/ID (promote v1 -> @champion)`."""
    return f"{model}: record runs:/{d.run_id} ({_what(d)})"


def _what(d: Decision) -> str:
    return f"{d.action} v{d.version} -> {d.to}"
