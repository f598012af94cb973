"""A card whose fields are keys of a mapping (YAML or JSON), read into the canonical card by name."""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mlgov_checks.cards import keys, metric_reader, purpose, values
from mlgov_checks.cards.model import FIELDS, CanonicalCard, Issue, IssueKind, Options, Value
from mlgov_checks.cards.source import Located
from mlgov_checks.yamlio.loader import Path


@dataclass
class Builder:
    """Collects the canonical fields of one card as its reader finds them."""

    loc: Located
    options: Options
    fields: dict[str, Value] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    metrics: list[Any] = field(default_factory=list)

    def text_field(self, name: str, path: Path, value: Any, *, label: str | None = None) -> None:
        """A text field (purpose, training data, limitations) from text, a list, or a mapping of texts."""
        origin = self.loc.origin(path, where=label)
        found = [(p, t) for p, t in values.texts(value, path)]
        kept = [t for _, t in found if not self.options.is_filler(t)]
        fillers = [(p, t) for p, t in found if self.options.is_filler(t)]
        for p, t in fillers:
            o = self.loc.origin(p, where=label)
            self.issues.append(Issue(IssueKind.PLACEHOLDER, name, f"{name}: {o.where} is a placeholder ({t})", o))
        if kept:
            self.fields[name] = Value(tuple(kept), origin, value if isinstance(value, (dict, list)) else None)
        elif not fillers:
            self.issues.append(Issue(IssueKind.EMPTY, name, f"{name}: {origin.where} is empty", origin))

    def metrics_from(self, path: Path, value: Any, *, label: str | None = None) -> None:
        got = metric_reader.collect(value, path, lambda p: self.loc.origin(p))
        self.metrics.extend(got.metrics)
        self.issues.extend(got.issues)
        if not got.metrics and not got.issues:
            origin = self.loc.origin(path, where=label)
            what = "is empty" if values.is_blank(value) else "gives no measured value (no number)"
            self.issues.append(Issue(IssueKind.EMPTY, "performance_metrics",
                                     f"performance_metrics: {origin.where} {what}", origin))

    def card(self, *, name: str, label: str, hints: Mapping[str, str], typed_io: bool,
             meta: Mapping[str, Value] | None = None, problems: tuple[Any, ...] = ()) -> CanonicalCard:
        if self.metrics:
            first = self.metrics[0]
            self.fields["performance_metrics"] = Value(tuple(f"{m.key}={m.value:g}" for m in self.metrics),
                                                       first.origin)
        return CanonicalCard(format=name, label=label, path=self.loc.doc.path, fields=dict(self.fields),
                             metrics=tuple(self.metrics), issues=tuple(dict.fromkeys(self.issues)), problems=problems,
                             hints=hints, typed_io=typed_io, meta=dict(meta or {}), data=self.loc.data)


_PURPOSE_INNER = ("primaryintendeduses", "primaryintendeduse", "primaryuses", "primaryuse", "intendeduses",
                  "intendeduse", "usecases", "purpose", "overview", "description", "summary")
_TRAIN_INNER = ("train", "training", "trainingdata", "trainingset", "trainset")
_NOT_PURPOSE = ("outofscope", "limitation", "user", "caveat", "risk")


def _purpose_value(path: Path, value: Any) -> tuple[Path, Any]:
    inner = keys.sub(value, _PURPOSE_INNER)
    if inner is not None and not values.is_blank(inner[1]):
        return (*path, inner[0]), inner[1]
    if isinstance(value, dict):
        kept = {k: v for k, v in value.items() if not any(s in keys.norm(k) for s in _NOT_PURPOSE)}
        return path, kept or value
    return path, value


def _purpose(b: Builder, data: Any) -> None:
    """The first key naming the purpose that states one; a descriptive key that does not is passed over."""
    unstated: list[tuple[Path, str]] = []
    for path, value in itertools.islice(keys.candidates(data, "purpose"), 50):
        path, value = _purpose_value(path, value)
        said = "\n".join(t for _, t in values.texts(value) if not b.options.is_filler(t))
        why = purpose.unstated(path, said) if said and purpose.descriptive(path) else None
        if why is None:
            b.text_field("purpose", path, value)
            return
        unstated.append((path, why))
    for path, why in unstated[:1]:
        o = b.loc.origin(path)
        b.issues.append(Issue(IssueKind.NOT_STATED, "purpose", f"purpose: {o.where} {why}", o))


def read_fields(b: Builder, *, io: bool = True) -> None:
    """Every canonical field of `b.loc`'s mapping, by the team's names (policy) or the known ones."""
    data = b.loc.data
    for name in FIELDS:
        if name in ("input_schema", "output_schema") and not io:
            continue
        own = b.options.fields.get(name)
        if name == "performance_metrics":
            hits = [keys.lookup(data, own)] if own else list(keys.find_all(data, name))
            found = [h for h in hits if h is not None]
            for path, value in found:
                b.metrics_from(path, value)
            if not b.metrics:  # `metrics: {}` beside `test_accuracy: 0.81`: the values are where they are
                for parent in dict.fromkeys([(), *(path[:-1] for path, _ in found)]):
                    flat(b, _at(data, parent), parent)
                if b.metrics:
                    b.issues[:] = [i for i in b.issues if i.field != name or i.kind is not IssueKind.EMPTY]
            continue
        if name == "purpose" and not own:
            _purpose(b, data)
            continue
        hit = keys.lookup(data, own) if own else keys.find(data, name)
        if hit is None:
            continue
        path, value = hit
        if name == "purpose":
            path, value = _purpose_value(path, value)
        elif name == "training_data" and (inner := keys.sub(value, _TRAIN_INNER)) is not None:
            path, value = (*path, inner[0]), inner[1]
        if name in ("input_schema", "output_schema"):
            if not values.is_blank(value):
                b.fields[name] = Value(tuple(t for _, t in values.texts(value)), b.loc.origin(path), value)
            continue
        b.text_field(name, path, value)


def _at(data: Any, path: Path) -> Any:
    for p in path:
        data = data[p] if isinstance(data, dict) and p in data else None
    return data


def flat(b: Builder, data: Any, base: Path = ()) -> None:
    """Metrics written as top-level keys (`test_accuracy: 0.93`), or metric-named values in a top-level
    mapping of another name (`classification_report: {"0": {precision: 0.91}}`)."""
    if not isinstance(data, dict):
        return
    for k, v in data.items():
        nested = isinstance(v, (dict, list))
        if not nested and not values.looks_like_metric(str(k)):
            continue
        if nested and keys.SKIP_METRICS_PART in keys.norm(k):
            continue
        got = metric_reader.collect(v, (*base, str(k)), lambda p: b.loc.origin(p))
        b.metrics.extend(m for m in got.metrics if not nested or values.looks_like_metric(m.name))
        b.issues.extend(i for i in got.issues if not nested or i.kind is not IssueKind.EMPTY)


def styled(title: str, sample: Any, *, json: bool) -> str:
    """`Intended Use` written the way the card writes its own keys: `intended_use`, `intendedUse`, ..."""
    names = [str(k) for k in sample] if isinstance(sample, dict) else []
    words = title.split()
    if names and all(re.fullmatch(r"[a-z0-9_]+", n) for n in names):
        key = "_".join(w.lower() for w in words)
    elif names and all(re.fullmatch(r"[a-z][a-zA-Z0-9]*", n) for n in names) and any(
            c.isupper() for n in names for c in n):
        key = words[0].lower() + "".join(w.capitalize() for w in words[1:])
    elif names and all(re.fullmatch(r"[a-z0-9\-]+", n) for n in names):
        key = "-".join(w.lower() for w in words)
    else:
        key = title
    return f'add "{key}" to the JSON object' if json else f"add `{key}:` to the card"
