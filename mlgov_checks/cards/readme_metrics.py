"""A README's measured values: `model-index` in its front matter, else its results sections' tables and lists."""

from __future__ import annotations

import re
from typing import Any

from mlgov_checks.cards import markdown, metric_reader, values
from mlgov_checks.cards.keyed import Builder
from mlgov_checks.cards.keys import norm
from mlgov_checks.cards.model import Issue, IssueKind, Metric, Origin

RESULTS = ("evaluation", "result", "performance", "metric", "benchmark", "score", "accuracy", "comparison")
_VALUE_COLUMNS = ("value", "values", "score", "scores", "result", "results", "")
NOT_RESULTS = ("hyperparam", "trainingresult", "trainingprocedure", "trainingdetail", "framework", "environment")


def _origin(path: str, s: markdown.Section) -> Origin:
    return Origin(path, s.line, s.column, f"section `{s.heading}`")


def model_index(b: Builder, index: Any) -> None:
    """`model-index[].results[].metrics[]`: the metric's `type` (else `name`), for the result's dataset."""
    got = metric_reader.Collected()
    entries = index if isinstance(index, list) else []
    for i, entry in enumerate(entries):
        results = entry.get("results") if isinstance(entry, dict) else None
        for j, res in enumerate(results if isinstance(results, list) else []):
            if not isinstance(res, dict):
                continue
            ds = res.get("dataset")
            shown = metric_reader.slice_text(ds) if isinstance(ds, dict) else None
            where = [shown] if shown else []
            for k, m in enumerate(res.get("metrics") or [] if isinstance(res.get("metrics"), list) else []):
                if not isinstance(m, dict):
                    continue
                name = m.get("type") or m.get("name")
                path = ("model-index", i, "results", j, "metrics", k, "value")
                metric_reader.record(got, str(name or f"metric {k}"), m.get("value"), path,
                                     lambda p: b.loc.origin(p), where)
    b.metrics.extend(got.metrics)
    b.issues.extend(got.issues)
    if not got.metrics and not got.issues:
        o = b.loc.origin(("model-index",))
        b.issues.append(Issue(IssueKind.EMPTY, "performance_metrics",
                              "performance_metrics: `model-index` in the front matter holds no "
                              "`results[].metrics[]` value", o))


def body_metrics(b: Builder, preamble: str, secs: list[markdown.Section]) -> None:
    """The values of the results sections; failing those, of an `## Evaluation data` section, then of
    the text under the title (the Trainer's "It achieves the following results")."""
    path = b.loc.doc.path
    named = [s for s in secs if any(n in s.key for n in RESULTS) and not any(n in s.key for n in NOT_RESULTS)]
    results = [s for s in named if not s.key.endswith(("data", "dataset", "datasets"))]  # not `## Evaluation Data`
    title = next((s for s in secs if s.level == 1), None)
    for s in results:
        _section_metrics(b, s.own, _origin(path, s))
    fallbacks: list[tuple[str, Origin]] = [(s.own, _origin(path, s)) for s in named if s not in results]
    if title is not None:
        fallbacks.append((title.own, _origin(path, title)))
    fallbacks.append((preamble, Origin(path, 1, 1, "the README's opening text")))
    for text, origin in fallbacks:
        if b.metrics:
            break
        _section_metrics(b, text, origin)
    if results and not b.metrics and not any(i.field == "performance_metrics" for i in b.issues):
        first = min(results, key=lambda s: next(i for i, n in enumerate(RESULTS) if n in s.key))
        b.issues.append(Issue(IssueKind.EMPTY, "performance_metrics", f"performance_metrics: the "
                              f"`{first.heading}` section gives no measured value (no number)",
                              _origin(path, first)))


def _section_metrics(b: Builder, text: str, origin: Origin) -> None:
    """A section's tables, `- Accuracy: 0.93` items and, when those give nothing, its prose."""
    _table_metrics(b, text, origin)
    for line in text.split("\n"):
        if (m := re.match(r"^\s*[-*+]\s+([^:|]{1,60}):\s*(.+)$", markdown.plain(line))) is not None and \
                values.looks_like_metric(m[1]):
            got = metric_reader.collect(m[2].strip(), (m[1].strip(),), _fixed(origin))
            b.metrics.extend(got.metrics)
            if _a_word(m[2]):  # `- Accuracy: pending`: a metric without its value, quoted
                b.issues.extend(got.issues)
    if not b.metrics:
        b.metrics.extend(metric_reader.from_text(markdown.plain(text), origin))


def _a_word(value: str) -> bool:
    """A value of a few words and no digit (`pending`, `very good`): not a sentence that may hold the number."""
    return not re.search(r"\d", value) and len(value.split()) <= 3


def _fixed(origin: Origin) -> metric_reader.Locate:
    return lambda _path: origin


def _table_metrics(b: Builder, text: str, origin: Origin) -> None:
    for _, header, rows in markdown.tables(text):
        for row in rows:
            label = row[0] if row else ""
            for j, cell in enumerate(row[1:], start=1):
                num = values.parse_number(cell)
                col = header[j] if j < len(header) else ""
                if num is None:
                    continue
                if norm(col) in _VALUE_COLUMNS:  # `| Metric | Value |`: the column is no slice
                    col = ""
                if values.looks_like_metric(col):
                    b.metrics.append(Metric(col, num.value, cell, origin, label or None,
                                                          num.uncertainty, num.percent))
                elif values.looks_like_metric(label):
                    b.metrics.append(Metric(label, num.value, cell, origin, col or None,
                                                          num.uncertainty, num.percent))
