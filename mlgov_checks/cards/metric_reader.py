"""Metrics as teams write them: `name: number`, nested per split/segment/model, lists of records, prose."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mlgov_checks.cards.keys import norm
from mlgov_checks.cards.model import Issue, IssueKind, Metric, Origin
from mlgov_checks.cards.values import Number, looks_like_metric, parse_number
from mlgov_checks.yamlio.loader import Path

NAME_KEYS = ("name", "type", "metric", "metricname", "metrictype", "measure", "key", "id")
VALUE_KEYS = ("value", "score", "result", "metricvalue", "val", "mean", "estimate")
SLICE_KEYS = ("slice", "split", "dataset", "segment", "subset", "group", "subgroup", "set", "data", "on",
              "model", "task")
# Keys that describe a metric rather than measure one.
_DESCRIPTIVE = ("description", "notes", "note", "comment", "comments", "unit", "units", "definition", "link",
                "url", "source", "verified", "threshold", "thresholds", "decisionthreshold", "date", "args",
                "config", "revision", "higherisbetter", "greaterisbetter", "direction", "goal", "target", "weight",
                "weights", "priority", "importance", "minvalue", "maxvalue", "displayname", "category", "enabled",
                "isprimary", "step", "measurement")

_DESCRIPTIVE_PARTS = ("threshold", "description", "runid", "trainedat", "timestamp", "updated")

Locate = Callable[[Path], Origin]


@dataclass
class Collected:
    metrics: list[Metric] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    texts: int = 0  # text values that named no number


def _first(value: dict[Any, Any], names: tuple[str, ...]) -> tuple[Any, Any] | None:
    for want in names:
        for k, v in value.items():
            if norm(k) == want:
                return k, v
    return None


def slice_text(v: Any) -> str | None:
    if isinstance(v, str) and v.strip():
        return v.strip()
    if isinstance(v, dict):
        named = next((str(v[k]) for k in ("name", "type") if isinstance(v.get(k), (str, int))), None)
        parts = [p for p in (named, v.get("split")) if isinstance(p, (str, int))]
        return "/".join(str(p) for p in dict.fromkeys(parts)) or None
    return None


def record(out: Collected, name: str, raw: Any, path: Path, locate: Locate, slices: list[str]) -> None:
    """One `{name, value}` record's value: a metric, or an issue quoting what is not a number."""
    _metric(out, name, raw, path, locate, slices, record=True)


def _metric(out: Collected, name: str, raw: Any, path: Path, locate: Locate, slices: list[str],
            *, record: bool = False, extra: Number | None = None) -> None:
    num = parse_number(raw)
    origin = locate(path)
    if num is not None:
        unc = extra.uncertainty if extra is not None and num.uncertainty is None else num.uncertainty
        out.metrics.append(Metric(name, num.value, _written(raw), origin, "/".join(slices) or None, unc,
                                  num.percent))
    elif isinstance(raw, str) and (record or looks_like_metric(name)):
        if raw.strip():
            found = from_text(raw, origin, slices)
            if found:
                out.metrics.extend(found)
                return
        shown = raw.strip()[:60] or "an empty string"
        out.issues.append(Issue(IssueKind.NOT_A_NUMBER, "performance_metrics",
                                f"{origin.where}: metric {name!r} is {shown!r}, which is not a number", origin))
    elif isinstance(raw, str):
        found = from_text(raw, origin, slices)
        out.metrics.extend(found)
        out.texts += not found
    elif raw is None and (record or looks_like_metric(name)):
        out.issues.append(Issue(IssueKind.EMPTY, "performance_metrics",
                                f"performance_metrics: {origin.where} has no value (metric {name!r})", origin))


def _written(raw: Any) -> str:
    return raw.strip() if isinstance(raw, str) else repr(raw)


def collect(value: Any, path: Path, locate: Locate, out: Collected | None = None) -> Collected:
    """Every metric under `value` (which stands at `path`); values that cannot be read are issues."""
    out = out if out is not None else Collected()
    stack: list[tuple[Path, Any, list[str], str]] = [(path, value, [], str(path[-1]) if path else "")]
    steps = 0
    while stack and steps < 10_000:
        steps += 1
        p, v, slices, name = stack.pop()
        if isinstance(v, dict):
            named, valued = _first(v, NAME_KEYS), _first(v, VALUE_KEYS)
            if named is not None and valued is not None and isinstance(named[1], str):
                sl = _first(v, SLICE_KEYS)
                here = [*slices, *([s] if sl is not None and (s := slice_text(sl[1])) else [])]
                _metric(out, named[1], valued[1], (*p, valued[0]), locate, here, record=True,
                        extra=_interval(v))
                continue
            if named is None and valued is not None and looks_like_metric(name) and \
                    not isinstance(valued[1], (dict, list)):  # `accuracy: {value: 0.91, ci: [...]}`
                here = slices[:-1] if slices and slices[-1] == name else slices
                _metric(out, name, valued[1], (*p, valued[0]), locate, here, record=True, extra=_interval(v))
                continue
            for k, x in reversed(list(v.items())):
                if norm(k) in _DESCRIPTIVE or any(d in norm(k) for d in _DESCRIPTIVE_PARTS):
                    continue
                kp = (*p, k if isinstance(k, (str, int)) and not isinstance(k, bool) else str(k))
                if isinstance(x, (dict, list)):
                    stack.append((kp, x, [*slices, str(k)] if isinstance(x, dict) else slices, str(k)))
                else:
                    stack.append((kp, x, slices, str(k)))
        elif isinstance(v, list):
            if v and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in v):
                continue  # a curve or a list of thresholds, not one measured value
            for i, x in reversed(list(enumerate(v))):
                stack.append(((*p, i), x, slices, name))
        else:
            _metric(out, name, v, p, locate, slices[:-1] if slices and slices[-1] == name else slices)
    return out


def _interval(v: dict[Any, Any]) -> Number | None:
    """The uncertainty beside a value: a standard deviation, or half a confidence interval
    (`{lower_bound, upper_bound}` or `[low, high]`)."""
    spread = _first(v, ("std", "stdev", "stddev", "sd", "standarddeviation", "stderr", "se"))
    if spread is not None and (n := parse_number(spread[1])) is not None:
        return Number(0.0, abs(n.value))
    ci = _first(v, ("confidenceinterval", "ci", "interval"))
    if ci is None:
        return None
    if isinstance(ci[1], list) and len(ci[1]) == 2:
        a, b = parse_number(ci[1][0]), parse_number(ci[1][1])
    elif isinstance(ci[1], dict):
        lo, hi = _first(ci[1], ("lowerbound", "lower", "low")), _first(ci[1], ("upperbound", "upper", "high"))
        a = parse_number(lo[1]) if lo else None
        b = parse_number(hi[1]) if hi else None
    else:
        return None
    if a is None or b is None:
        return None
    return Number(0.0, round(abs(b.value - a.value) / 2, 12))


_NUM = r"[-+]?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?"
_VAL = rf"(?P<num>{_NUM}\s*%?(?:\s*(?:±|\+/-)\s*{_NUM}\s*%?)?)"
_NAME_FIRST = re.compile(rf"(?P<name>[A-Za-z][\w@\-]*(?:[ \-][A-Za-z][\w@\-]*){{0,3}})\)?[ \t]*(?:\*\*)?[ \t]*"
                         rf"(?:[:=]|\bof\b|\bis\b|\bwas\b|\bat\b|\bachieves\b|\breaches\b|\()?[ \t]*(?:\*\*)?[ \t]*"
                         rf"(?:about |around |approximately |~|an? )?{_VAL}")
_NAME_ENDS = ("score", "rate", "value", "overall", "average", "mean")
_LINKS = ("of", "is", "was", "at", "achieves", "achieved", "reaches", "reached", "scores", "scored", "reaching",
          "achieving", "yields", "gives", "has", "with", "to", "equal", "equals", "about", "around", "approximately",
          "an", "a")
# `91% top-1 accuracy`: the number first, its name on the same line.
_NUM_FIRST = re.compile(rf"{_VAL}[ \t]+(?:\w+[ \t]+)?(?P<name>[A-Za-z][\w@\-]*(?:[ \-][A-Za-z0-9][\w@\-]*)?)")


def from_text(text: str, origin: Origin, slices: list[str] | None = None) -> list[Metric]:
    """`accuracy of 93.4%`, `F1: 0.88`, `91% top-1 accuracy`: metrics stated in prose."""
    found: list[Metric] = []
    seen: set[tuple[str, float]] = set()
    used: list[tuple[int, int]] = []  # the numbers a name before them claimed: `Precision 0.74 Recall 0.60`
    for rx in (_NAME_FIRST, _NUM_FIRST):
        for m in rx.finditer(text[:20_000]):
            words = m["name"].split()
            while rx is _NAME_FIRST and len(words) > 1 and words[-1].lower() in _LINKS:
                words.pop()  # `F1 score of 0.88`
            if rx is _NAME_FIRST and not (looks_like_metric(words[-1]) or words[-1].lower() in _NAME_ENDS):
                continue  # `accuracy and 0.88 F1`: the number is not the named metric's
            name = next((" ".join(words[i:]) for i in range(len(words)) if looks_like_metric(" ".join(words[i:]))
                         and looks_like_metric(words[i])), None)
            num = parse_number(m["num"])
            a, b = m.span("num")
            if name is None or num is None or (name.lower(), num.value) in seen:
                continue
            if rx is _NUM_FIRST and (any(x < b and a < y for x, y in used) or
                                     any(n == name.lower() for n, _ in seen)):
                continue
            seen.add((name.lower(), num.value))
            used.append((a, b))
            found.append(Metric(name, num.value, m["num"].strip(), origin, "/".join(slices or []) or None,
                                num.uncertainty, num.percent))
    return found
