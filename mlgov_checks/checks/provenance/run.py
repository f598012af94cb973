"""What the provenance checks read from one run: its recorded commit, reviewer, authors and dates."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mlgov_checks.governance import identity
from mlgov_checks.integrations import gitrepo
from mlgov_checks.records import RunRecord

SHA = re.compile(r"[0-9a-fA-F]{40}")
_ISO = re.compile(
    r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"
    r"(?:[T ](?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<f>\d{1,9}))?)?"
    r"(?P<tz>Z|[+-]\d{2}(?::?\d{2})?)?)?",
    re.IGNORECASE,
)
TRUE_VALUES = {"true", "1", "yes", "y", "dirty"}
FALSE_VALUES = {"false", "0", "no", "n", "clean"}
# The last time zone to reach a date (UTC+14): a value without an offset is only "in the future"
# when it is in the future everywhere.
_LATEST_OFFSET = dt.timedelta(hours=14)


@dataclass(frozen=True)
class Run:
    """What the provenance checks read from one run, resolved once."""

    run: RunRecord
    conf: Mapping[str, Any]
    target: str
    now: dt.datetime
    people: identity.People = field(default_factory=identity.People)  # one identity per person

    @property
    def review(self) -> Mapping[str, Any]:
        return self.conf["review"]  # type: ignore[no-any-return]

    def recorded(self, keys: Sequence[str]) -> list[tuple[str, str]]:
        """(key, value) for every key with a non-blank value, in policy order."""
        found = [(k, self.run.value(k)) for k in keys]
        return [(k, v.strip()) for k, v in found if v is not None and v.strip()]

    def commit(self) -> str | None:
        """The recorded commit when it is one unambiguous 40-hex SHA, else None."""
        values = {v.lower() for _, v in self.recorded(self.conf["commit_keys"])}
        if len(values) == 1 and SHA.fullmatch(v := next(iter(values))):
            return v
        return None

    def reviewer(self) -> str | None:
        found = self.recorded([self.review["reviewer_key"]])
        return found[0][1] if found else None

    def authors(self) -> list[tuple[str, str]]:
        found = self.recorded(["mlflow.user"])
        if self.run.user and self.run.user.strip():
            found.append(("run user", self.run.user.strip()))
        return found

    def repo_urls(self) -> list[tuple[str, str]]:
        return [(k, gitrepo.normalize_repo_url(v)) for k, v in self.recorded(self.conf["repo_url_keys"])]


def keys_text(keys: Sequence[str]) -> str:
    return ", ".join(keys)


def parse_review_date(text: str) -> dt.date | dt.datetime | None:
    """An ISO 8601 date or date-time (`2024-05-31`, `2024-05-31T14:00Z`), None when it is not one."""
    m = _ISO.fullmatch(text.strip())
    if not m:
        return None
    try:
        day = dt.date(int(m["y"]), int(m["m"]), int(m["d"]))
        if m["H"] is None:
            return day
        tz = m["tz"]
        tzinfo: dt.tzinfo | None = None
        if tz and tz.upper() == "Z":
            tzinfo = dt.timezone.utc
        elif tz:
            digits = tz[1:].replace(":", "")
            delta = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
            tzinfo = dt.timezone(delta if tz[0] == "+" else -delta)
        micro = int((m["f"] or "0")[:6].ljust(6, "0"))
        return dt.datetime(day.year, day.month, day.day, int(m["H"]), int(m["M"]), int(m["S"] or 0),
                           micro, tzinfo=tzinfo)
    except ValueError:  # 2024-02-30, 25:00, an offset of 24 hours or more
        return None


def in_future(value: dt.date | dt.datetime, now: dt.datetime) -> bool:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            return value > now
        return value > (now + _LATEST_OFFSET).replace(tzinfo=None)
    return value > (now + _LATEST_OFFSET).date()
