"""The canonical card every format reader produces: six fields, each remembering where it came from."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mlgov_checks.yamlio.loader import Mark, Problem

# Text that fills a template's slot until someone writes the real content.
TEMPLATE_FILLERS = frozenset({"more information needed", "[more information needed]", "needs more information",
                              "[optional]", "[needs more information]", "more info needed", "to be added",
                              "coming soon", "tbd", "todo", "n/a", "none", "-", "--"})


@dataclass(frozen=True)
class Options:
    """What the policy tells a reader: the team's own names for fields, and what counts as a placeholder."""

    fields: Mapping[str, str] = field(default_factory=dict)
    placeholders: frozenset[str] = frozenset()

    def is_filler(self, text: str) -> bool:
        t = text.strip().strip("*_").strip().lower()
        return t in self.placeholders or t in TEMPLATE_FILLERS


FIELDS = ("purpose", "input_schema", "output_schema", "training_data", "performance_metrics", "limitations")
TYPED_IO = ("input_schema", "output_schema")


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a value stands: file, 1-based line and column, and the format's own name for the place."""

    file: str
    line: int
    column: int
    where: str  # `model-index[0].results[0].metrics[1]`, `## Limitations`, `Intended Use.Primary intended uses`

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "column": self.column, "where": self.where}


@dataclass(frozen=True, slots=True)
class Value:
    """One canonical field as the card wrote it: its text (or texts), its data, where it came from."""

    texts: tuple[str, ...]
    origin: Origin
    data: Any = None  # the structured value, for schemas and mappings

    @property
    def text(self) -> str:
        return "\n".join(self.texts)


@dataclass(frozen=True, slots=True)
class Metric:
    """One measured value: `93.4%` is 0.934 with `percent`; `0.84 ± 0.02` keeps its uncertainty."""

    name: str
    value: float
    written: str
    origin: Origin
    slice: str | None = None  # the split, segment, dataset or model the value is for
    uncertainty: float | None = None
    percent: bool = False

    @property
    def key(self) -> str:
        return f"{self.slice}/{self.name}" if self.slice else self.name


class IssueKind(str, enum.Enum):
    """What a reader found wrong with a value it could locate."""

    EMPTY = "empty"  # the field is there but says nothing
    NOT_A_NUMBER = "not-a-number"  # looks like a metric, cannot be read as a number
    TYPE = "type"  # the wrong kind of value
    PLACEHOLDER = "placeholder"
    NOT_STATED = "not-stated"  # a descriptive key that does not say it (`task: text-summarization` for purpose)


@dataclass(frozen=True, slots=True)
class Issue:
    kind: IssueKind
    field: str
    message: str
    origin: Origin


@dataclass(frozen=True)
class CanonicalCard:
    """What mlgov read from one card file, in whatever format it was written."""

    format: str  # the reader's NAME
    label: str  # how findings name the format: "Hugging Face README"
    path: str
    fields: Mapping[str, Value] = field(default_factory=dict)  # the canonical fields the card carries
    metrics: tuple[Metric, ...] = ()
    issues: tuple[Issue, ...] = ()
    problems: tuple[Problem, ...] = ()  # what the loader refused (syntax, size, nesting, duplicates)
    hints: Mapping[str, str] = field(default_factory=dict)  # canonical field -> how to add it, in format terms
    typed_io: bool = True  # whether the format can hold typed input/output schemas
    meta: Mapping[str, Value] = field(default_factory=dict)  # license, base_model, datasets, ...
    data: Any = None  # the structured part as parsed (front matter, JSON object), for extra fields

    @property
    def fatal(self) -> bool:
        from mlgov_checks.yamlio.document import FATAL

        return any(p.kind in FATAL for p in self.problems)

    def to_dict(self) -> dict[str, Any]:
        """The card as `mlgov card --show-canonical` prints it."""
        out: dict[str, Any] = {"file": self.path, "format": self.format, "read_as": self.label,
                               "typed_io": self.typed_io, "fields": {}}
        for name in FIELDS:
            v = self.fields.get(name)
            if name == "performance_metrics" and self.metrics:
                out["fields"][name] = [_metric_dict(m) for m in self.metrics]
            elif v is not None:
                out["fields"][name] = {"value": _shown(v), "from": v.origin.to_dict()}
            else:
                out["fields"][name] = None
        out["metadata"] = {k: {"value": _shown(v), "from": v.origin.to_dict()} for k, v in self.meta.items()}
        out["issues"] = [{"field": i.field, "kind": i.kind.value, "message": i.message,
                          "from": i.origin.to_dict()} for i in self.issues]
        out["problems"] = [{"kind": p.kind.value, "message": p.message, "line": p.mark.line,
                            "column": p.mark.column} for p in self.problems]
        return out


def _shown(v: Value) -> Any:
    if v.data is not None and not isinstance(v.data, str):
        return _jsonable(v.data)
    return v.texts[0] if len(v.texts) == 1 else list(v.texts)


def _jsonable(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_jsonable(x) for x in v]
    if v is None or isinstance(v, (str, int, float, bool)):
        return v
    return str(v)


def _metric_dict(m: Metric) -> dict[str, Any]:
    d: dict[str, Any] = {"name": m.name, "value": m.value, "written": m.written}
    if m.slice:
        d["slice"] = m.slice
    if m.percent:
        d["percent"] = True
    if m.uncertainty is not None:
        d["uncertainty"] = m.uncertainty
    d["from"] = m.origin.to_dict()
    return d


def origin_at(file: str, mark: Mark, where: str, *, line_offset: int = 0) -> Origin:
    return Origin(file, mark.line + line_offset, mark.column, where)
