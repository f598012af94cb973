"""Waivers: a known, justified failure accepted for a limited time, without turning the gate off."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

from mlgov_checks.checks._base import Check, Context
from mlgov_checks.errors import PolicyError
from mlgov_checks.findings import Finding, Status
from mlgov_checks.policy.load import Policy

EXPIRING_DAYS = 14
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

EXPIRED = Check("waiver-expired", "Waivers have not expired", """
A waiver in the policy whose `expires` date has passed. It no longer waives anything: the finding
it covered fails again, and this finding fails too, so that the policy gets cleaned up. A waiver is
valid through the day named in `expires` (in the runner's local date) and expired from the next day.
Reported only when the waiver's check ran on a target its pattern matches.
""".strip(), "fix the underlying problem and remove the waiver, or renew it with a new approval and date")

UNUSED = Check("waiver-unused", "Waivers are still needed", """
A waiver that waived nothing: its check ran on the targets it names and did not fail (the problem
was fixed), or its check id does not exist. A warning, so that stale waivers get removed before
they hide a future regression. Waivers for checks or targets this run did not evaluate are not
reported.
""".strip(), "remove the waiver from the policy")

EXPIRING = Check("waiver-expiring", "Waivers are not about to expire", f"""
A waiver that expires within {EXPIRING_DAYS} days: a warning, so the team fixes the problem (or
renews the approval) before the gate starts failing.
""".strip(), "fix the underlying problem, or renew the waiver with a new approval")

UNAUTHORIZED = Check("waiver-unauthorized", "Waivers are approved by someone allowed to waive", """
When the policy configures roles (`roles.members`), a waiver's `approved_by` must hold the `waive`
permission. A waiver approved by anyone else waives nothing, and this finding fails, so that a
risk is only accepted by someone the team has entrusted with accepting it.
""".strip(), "have a member of a role with the `waive` permission approve the waiver")

CHECKS: tuple[Check, ...] = (EXPIRED, UNUSED, EXPIRING, UNAUTHORIZED)


@dataclass(frozen=True, slots=True)
class Waiver:
    """One entry of the policy's `waivers:` list, its date parsed."""

    index: int
    check: str
    target: str
    reason: str
    approved_by: str
    expires: dt.date

    def covers(self, finding: Finding, names: Mapping[str, Sequence[str]] | None = None) -> bool:
        """Same check id; the finding's target (or a name it was requested by, such as
        `models:/m@candidate` for `models:/m/3`) equals the pattern or matches it as a glob."""
        if finding.check != self.check:
            return False
        spellings = [finding.target, *((names or {}).get(finding.target, ()))]
        return any(t == self.target or glob_match(t, self.target) for t in spellings)

    def expired(self, today: dt.date) -> bool:
        return today > self.expires  # valid through the `expires` day itself

    def describe(self) -> str:
        return f"waiver for {self.check} on {self.target}"


@functools.lru_cache(maxsize=256)
def _glob(pattern: str) -> re.Pattern[str]:
    """`*` and `?` stay within one path segment, `**` crosses `/`, `[...]` is a character class."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[" and (end := pattern.find("]", i + 2)) != -1:
            body = pattern[i + 1:end]
            negate = body.startswith("!")
            body = body[1:] if negate else body
            out.append(f"[{'^' if negate else ''}{body.replace(chr(92), chr(92) * 2)}]")
            i = end + 1
            continue
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out), re.DOTALL)


def glob_match(text: str, pattern: str) -> bool:
    """Whether the whole of `text` matches the waiver glob `pattern` (case-sensitive)."""
    return _glob(pattern).fullmatch(text) is not None


def parse_waivers(policy: Policy, *, today: dt.date) -> list[Waiver]:
    """The policy's waivers; a malformed or too distant date is a PolicyError (exit 2), never skipped."""
    entries: Sequence[Mapping[str, Any]] = policy.section("waivers") or []
    max_days = int(policy.section("waiver_max_days"))
    waivers = []
    for i, entry in enumerate(entries):
        raw = str(entry.get("expires", ""))
        expires = _parse_date(raw)
        if expires is None:
            _raise(policy, i, f"waivers[{i}].expires: {raw!r} is not a date (YYYY-MM-DD)",
                   hint="write the last day the waiver is valid, e.g. expires: 2026-12-01")
        limit = today + dt.timedelta(days=max_days)
        if expires > limit:
            _raise(policy, i, f"waivers[{i}].expires: {expires} is more than waiver_max_days ({max_days}) "
                   f"days ahead (latest allowed today: {limit})",
                   hint="choose an earlier date, or raise waiver_max_days in the policy")
        waivers.append(Waiver(i, str(entry["check"]), str(entry["target"]), str(entry["reason"]),
                              str(entry["approved_by"]), expires))
    return waivers


def _parse_date(raw: str) -> dt.date | None:
    if not _DATE.fullmatch(raw.strip()):  # fromisoformat alone would accept 20261201 and week dates
        return None
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        return None


def _raise(policy: Policy, index: int, message: str, *, hint: str) -> NoReturn:
    file, line, column = policy.mark("waivers", index, "expires")
    raise PolicyError(message, file=file, line=line, column=column, hint=hint)


SUBJECT = "findings"
PREFIXES = ("waiver",)
DEFAULT = False  # run by the runner on every command's findings, after the other families


def evaluate(findings: Sequence[Finding], ctx: Context) -> Iterator[Finding]:
    """The command's findings with the policy's waivers applied."""
    return iter(apply(list(findings), ctx.policy, today=ctx.today or dt.date.today(), names=ctx.requested,
                      known=ctx.known))


def apply(findings: list[Finding], policy: Policy, *, today: dt.date, known: Collection[str],
          names: Mapping[str, Sequence[str]] | None = None) -> list[Finding]:
    """Waive the FAIL findings that an unexpired waiver covers; report expired, unused and expiring ones.

    `names`: target -> the other names it was requested by (an alias, `latest`), which a waiver
    may name instead of the version number; `known`: every check id of the registry.

    Only FAIL is waivable: an ERROR means the check could not be evaluated, and accepting a risk
    nobody could measure is not what a waiver approves. It stays an error.
    """
    waivers = parse_waivers(policy, today=today)
    if not waivers:
        return findings
    from mlgov_checks.governance import roles

    refused = {w.index: why for w in waivers
               for ok, why in [roles.permitted(w.approved_by, roles.Action.WAIVE, policy)] if not ok}
    used: set[int] = set()
    out: list[Finding] = []
    for f in findings:
        if f.status is Status.FAIL:
            matching = [w for w in waivers if not w.expired(today) and w.index not in refused and w.covers(f, names)]
            used.update(w.index for w in matching)  # an overlapping waiver is not stale either
            if matching:
                w = matching[0]  # the first in policy order names itself in the message
                f = f.with_status(Status.WAIVED, f"{f.message}; waived by {w.approved_by} until "
                                                 f"{w.expires}: {w.reason}")
        elif f.status is Status.ERROR:
            used.update(w.index for w in waivers if w.covers(f, names))  # not waived, but not stale either
        out.append(f)
    for w in waivers:
        relevant = any(w.covers(f, names) for f in findings)
        _, line, column = policy.mark("waivers", w.index)
        target = policy.source or "policy"
        loc: dict[str, Any] = {"file": policy.source, "line": line, "column": column}
        if w.index in refused:
            if relevant:
                out.append(UNAUTHORIZED.failed(target, f"{w.describe()} waives nothing: "
                                                       f"{refused[w.index]}", **loc))
        elif w.expired(today):
            if relevant:
                out.append(EXPIRED.failed(target, f"{w.describe()} expired on {w.expires} "
                                                  f"(approved by {w.approved_by}: {w.reason}); "
                                                  "it no longer waives anything", **loc))
        elif w.check not in known:
            out.append(UNUSED.warned(target, f"{w.describe()}: no such check id", **loc))
        elif relevant and w.index not in used:
            out.append(UNUSED.warned(target, f"{w.describe()} matched no failing finding in this run; "
                                             "the check passes now", **loc))
        elif relevant and (w.expires - today).days <= EXPIRING_DAYS:
            days = (w.expires - today).days
            left = "today is its last day" if days == 0 else f"{days} day{'s' if days > 1 else ''} left"
            out.append(EXPIRING.warned(target, f"{w.describe()} is valid through {w.expires} ({left}); "
                                               f"approved by {w.approved_by}", **loc))
    return out
