"""JSON with marks: `json` for the values, the YAML loader (a superset) for marks and limits.

Tabs are spaces to YAML's eyes only: valid JSON holds no raw tab inside a string, so columns stay
where they are. Duplicate keys are problems, as in YAML cards.

Most JSON cards are clean: valid JSON, no duplicate key, no character YAML refuses, within the
depth and node limits. Those are read by `json` alone, and their marks are built by the YAML loader
when something first asks where a node stands (a finding). Any other text is read as it always
was, YAML first: the problems, marks and values are the same on both paths.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import yaml

from mlgov_checks.yamlio.document import Document, LazyDocument, Mark, Problem, ProblemKind

_MARKS = ("marks", "key_marks")
_UNPRINTABLE = yaml.reader.Reader.NON_PRINTABLE  # what the YAML reader refuses (an ENCODING problem)
_DEEPEST = 500  # past this, json itself may run out of recursion: left to the careful path


class _Unclean(Exception):
    """The careful path would report something for this text."""


def parse_text(text: str, path: str, *, max_depth: int, max_nodes: int) -> Document:
    """The JSON document `text`; never raises for bad input."""
    try:
        data = _clean(text, max_depth=max_depth, max_nodes=max_nodes)
    except _Unclean:
        return _careful(text, path, max_depth=max_depth, max_nodes=max_nodes)

    def fill() -> Document:
        return _as_yaml(text, path, max_depth=max_depth, max_nodes=max_nodes)

    return LazyDocument(path, data=data, fill=fill, lazy=_MARKS)


def _as_yaml(text: str, path: str, *, max_depth: int, max_nodes: int) -> Document:
    """The text as YAML, by the exact builder: both callers want its marks."""
    from mlgov_checks.yamlio import builder, scalars

    yaml_text = text.replace("\t", " ")
    return builder.build(scalars.events(yaml_text), yaml_text, path, max_depth=max_depth, max_nodes=max_nodes,
                         timestamps=True)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _Unclean  # a duplicate key
    return out


def _clean(text: str, *, max_depth: int, max_nodes: int) -> Any:
    """The value of clean JSON text, or _Unclean. A node takes at least one character, so text no
    longer than `max_nodes` cannot reach the node limit."""
    import json  # a YAML card never needs it (the hook's start-up)

    if len(text) > max_nodes or _UNPRINTABLE.search(text) is not None:
        raise _Unclean
    try:
        data = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_unique)
    except (ValueError, RecursionError) as e:
        raise _Unclean from e
    limit = min(max_depth, _DEEPEST)
    stack = [(data, 1)] if isinstance(data, (dict, list)) else []
    while stack:
        node, depth = stack.pop()
        if depth >= limit:
            raise _Unclean
        for v in node.values() if isinstance(node, dict) else node:
            if isinstance(v, (dict, list)):
                stack.append((v, depth + 1))
    return data


def _careful(text: str, path: str, *, max_depth: int, max_nodes: int) -> Document:
    """YAML first (marks, limits, duplicate keys), then `json` for the values."""
    import json

    doc = _as_yaml(text, path, max_depth=max_depth, max_nodes=max_nodes)
    if any(p.kind in (ProblemKind.TOO_DEEP, ProblemKind.ALIAS_BOMB, ProblemKind.ENCODING) for p in doc.problems):
        return doc
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        doc.problems[:] = [Problem(ProblemKind.TOO_DEEP, f"nesting deeper than {max_depth} levels", Mark(1, 1))]
        doc.data = None
        return doc
    except ValueError as e:
        line, col = getattr(e, "lineno", 1), getattr(e, "colno", 1)
        reason = getattr(e, "msg", str(e))
        doc.problems[:] = [Problem(ProblemKind.SYNTAX, f"JSON syntax error: {reason}", Mark(line, col))]
        doc.data = None
        return doc
    doc.problems[:] = [_json_wording(p) for p in doc.problems if p.kind is not ProblemKind.SYNTAX]
    doc.data = data
    doc.empty = False
    doc.plain.clear()  # JSON has no unquoted scalars that YAML 1.1 could misread
    doc.plain_keys.clear()
    return doc


def _json_wording(p: Problem) -> Problem:
    return replace(p, message=p.message.replace("YAML parsers", "JSON parsers"))
