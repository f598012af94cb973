"""A card's text parsed with marks: YAML and JSON through the project's loader, README front matter split off."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from typing import Any

from mlgov_checks.cards.model import Origin
from mlgov_checks.yamlio import loader as yamldoc
from mlgov_checks.yamlio.loader import Document, Mark, Path, Problem, ProblemKind


@dataclass(frozen=True)
class Limits:
    max_bytes: int = yamldoc.DEFAULT_MAX_BYTES
    max_depth: int = yamldoc.DEFAULT_MAX_DEPTH
    max_nodes: int = yamldoc.DEFAULT_MAX_NODES


@dataclass(frozen=True)
class Source:
    """One card file's text (or the problem that stopped it being read) and where it is shown."""

    path: str  # as findings show it
    text: str | None
    problems: tuple[Problem, ...] = ()
    limits: Limits = field(default_factory=Limits)


def from_bytes(raw: bytes, path: str, limits: Limits) -> Source:
    if len(raw) > limits.max_bytes:
        return Source(path, None, (Problem(ProblemKind.TOO_LARGE, f"file is over the {limits.max_bytes}-byte "
                                           "limit", Mark(1, 1)),), limits)
    text, problem = yamldoc.decode(raw, path)
    return Source(path, text, (problem,) if problem else (), limits)


def render(path: Path) -> str:
    """`model-index[0].results[0].metrics`: a path in the notation of the card's own keys."""
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(root)"


@dataclass(frozen=True)
class Located:
    """A parsed document, and how to point into the file: a line offset (front matter), a root prefix."""

    doc: Document
    line_offset: int = 0
    prefix: Path = ()

    @property
    def data(self) -> Any:
        node = self.doc.data
        for p in self.prefix:
            node = node[p]
        return node

    def origin(self, path: Path, *, key: bool = False, where: str | None = None) -> Origin:
        full = (*self.prefix, *path)
        mark = self.doc.key_mark_of(full) if key else self.doc.mark_of(full)
        return Origin(self.doc.path, mark.line + self.line_offset, mark.column, where or render(full))

    def inner(self, key: str) -> Located:
        return replace(self, prefix=(*self.prefix, key))


def parse_yaml(source: Source, text: str | None = None, *, line_offset: int = 0) -> Document:
    body = source.text if text is None else text
    if body is None:
        doc = Document(source.path)
        doc.problems.extend(source.problems)
        return doc
    lim = source.limits
    doc = yamldoc.parse_text(body, source.path, max_depth=lim.max_depth, max_nodes=lim.max_nodes)
    if line_offset:
        doc.problems[:] = [replace(p, mark=Mark(p.mark.line + line_offset, p.mark.column)) for p in doc.problems]
    return doc


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def parse_json(source: Source) -> Document:
    """JSON with marks: the YAML loader (a superset) for marks and limits, `json` for the values.

    Tabs are spaces to YAML's eyes only: valid JSON holds no raw tab inside a string, so columns
    stay where they are. Duplicate keys are problems, as in YAML cards.
    """
    if source.text is None:
        return parse_yaml(source)
    doc = parse_yaml(source, source.text.replace("\t", " "))
    if any(p.kind in (ProblemKind.TOO_DEEP, ProblemKind.ALIAS_BOMB, ProblemKind.ENCODING) for p in doc.problems):
        return doc
    try:
        data = json.loads(source.text, parse_constant=_reject_constant)
    except RecursionError:
        doc.problems[:] = [Problem(ProblemKind.TOO_DEEP, f"nesting deeper than {source.limits.max_depth} levels",
                                   Mark(1, 1))]
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


_FENCE = re.compile(r"^---[ \t]*\r?$")
_CLOSE = re.compile(r"^(---|\.\.\.)[ \t]*\r?$")


@dataclass(frozen=True)
class Split:
    """A README cut at its front matter: the YAML text, the Markdown body, their first lines."""

    front: str | None
    front_line: int  # the line of the front matter's first YAML line (2: after the opening ---)
    body: str
    body_line: int
    problem: Problem | None = None


def split_front_matter(text: str) -> Split:
    """The `---` ... `---` block a Markdown file opens with; a block that never closes is a problem."""
    lines = text.split("\n")
    if not lines or not _FENCE.match(lines[0]):
        return Split(None, 0, text, 1)
    for i in range(1, len(lines)):
        if _CLOSE.match(lines[i]):
            return Split("\n".join(lines[1:i]) + "\n", 2, "\n".join(lines[i + 1:]), i + 2)
    return Split(None, 0, text, 1, Problem(
        ProblemKind.SYNTAX, "the front matter opened by `---` on line 1 is never closed (no closing `---` line)",
        Mark(1, 1)))
