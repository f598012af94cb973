"""A card's text parsed with marks: YAML and JSON through the project's loader, README front matter split off."""

from __future__ import annotations

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


def parse_yaml(source: Source, text: str | None = None, *, line_offset: int = 0, marks: bool = False) -> Document:
    body = source.text if text is None else text
    if body is None:
        doc = Document(source.path)
        doc.problems.extend(source.problems)
        return doc
    lim = source.limits
    doc = yamldoc.parse_text(body, source.path, max_depth=lim.max_depth, max_nodes=lim.max_nodes, marks=marks)
    if line_offset:
        doc.problems[:] = [replace(p, mark=Mark(p.mark.line + line_offset, p.mark.column)) for p in doc.problems]
    return doc


def parse_json(source: Source) -> Document:
    """JSON with marks (`yamlio.jsontext`): `json` for the values, the YAML loader for marks and limits."""
    if source.text is None:
        return parse_yaml(source)
    from mlgov_checks.yamlio import jsontext

    lim = source.limits
    return jsontext.parse_text(source.text, source.path, max_depth=lim.max_depth, max_nodes=lim.max_nodes)


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
