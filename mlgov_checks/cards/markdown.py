"""A Markdown body's sections by heading (CommonMark ATX and setext headings, fenced code skipped).

A line scanner, not a full CommonMark parser: headings are all a card reader needs, and the hook
stays fast (a parser such as markdown-it-py adds its import time to every commit).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from mlgov_checks.cards.keys import norm

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HTML_H = re.compile(r"^\s*<h([1-6])[^>]*>(.*?)</h\1>\s*$", re.I)
_BOLD = re.compile(r"^\s{0,3}(?:[-*+]\s+)?(?:\*\*|__)([^*_\n]{2,60}?)(?::\s*)?(?:\*\*|__):?[ \t]*(.*)$")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
PSEUDO = 7  # a `**Limitations:**` line: below every real heading


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    level: int
    line: int  # 1-based line of the heading in the file
    column: int
    text: str  # the section's text, its subsections included
    own: str  # the text before its first subsection

    @property
    def key(self) -> str:
        return norm(self.title)

    @property
    def heading(self) -> str:
        """How findings name it: `## Limitations`, or `**Limitations**` for a bold line."""
        return f"**{self.title}**" if self.level == PSEUDO else f"{'#' * self.level} {self.title}"


def clean_title(raw: str) -> str:
    t = _LINK.sub(r"\1", _TAG.sub("", raw))
    t = re.sub(r"[*_`]", "", t)
    t = re.sub(r"^[\W\d]*(?:\d+[.)]\s*)?", "", t.strip())  # emoji, `1.`, `2.3 ` prefixes
    return t.strip().rstrip(":").strip()


def _headings(lines: list[str]) -> Iterator[tuple[int, int, str, str, int]]:
    """(index, level, title, inline text, first content line) of every heading, outside fenced code."""
    fence: str | None = None
    prev_text = False
    for i, line in enumerate(lines):
        m = _FENCE.match(line)
        if fence is not None:
            if m and m[1][0] == fence[0] and len(m[1]) >= len(fence):
                fence = None
            continue
        if m:
            fence, prev_text = m[1], False
            continue
        if (a := _ATX.match(line)) is not None:
            yield i, len(a[1]), a[2] or "", "", i + 1
            prev_text = False
        elif prev_text and (s := _SETEXT.match(line)) is not None and not lines[i - 1].lstrip().startswith(
                ("-", "*", "+", ">", "|")):
            yield i - 1, 1 if s[1][0] == "=" else 2, lines[i - 1].strip(), "", i + 1
            prev_text = False
        elif (h := _HTML_H.match(line)) is not None:
            yield i, int(h[1]), h[2], "", i + 1
            prev_text = False
        elif (b := _BOLD.match(line)) is not None:
            yield i, PSEUDO, b[1], b[2], i + 1
            prev_text = True
        else:
            prev_text = bool(line.strip())


def sections(body: str, first_line: int = 1) -> tuple[str, list[Section]]:
    """The text before the first heading, and every section (line numbers counted from `first_line`)."""
    lines = strip_comments(body).split("\n")
    found = list(_headings(lines))
    preamble = "\n".join(lines[: found[0][0]] if found else lines)
    out: list[Section] = []
    for n, (i, level, title, inline, start) in enumerate(found):
        own_end = found[n + 1][0] if n + 1 < len(found) else len(lines)
        end = next((j for j, lv, *_ in found[n + 1:] if lv <= level), len(lines))
        head = [inline] if inline else []
        raw = lines[i]
        out.append(Section(clean_title(title), level, first_line + i, len(raw) - len(raw.lstrip()) + 1,
                           "\n".join([*head, *lines[start:end]]), "\n".join([*head, *lines[start:own_end]])))
    return preamble, out


def strip_comments(body: str) -> str:
    """HTML comments out, line numbers kept."""
    return _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), body)


_LABELLED = re.compile(r"^\s{0,3}[-*+]\s+(?:\*\*|__)?([A-Za-z][\w \-/&()]{1,40}?)(?:\*\*|__)?\s*:"
                       r"\s*(?:\*\*|__)?\s*(.+)$")


def labelled(body: str, first_line: int = 1) -> Iterator[tuple[int, int, str, str]]:
    """(line, column, label, value) of every `- label: value` list item (outside fenced code)."""
    fence: str | None = None
    for i, line in enumerate(strip_comments(body).split("\n")):
        m = _FENCE.match(line)
        if fence is not None or m:
            fence = None if fence is not None and m and m[1][0] == fence[0] else (fence or (m[1] if m else None))
            continue
        if (b := _LABELLED.match(line)) is not None:
            yield first_line + i, len(line) - len(line.lstrip()) + 1, b[1].strip(), b[2].strip()


# A delimiter row: `|---|:--:|`, or `-|-|-` (one hyphen a cell is enough when the row has pipes).
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")


def tables(text: str) -> Iterator[tuple[int, list[str], list[list[str]]]]:
    """(offset of the header line, header cells, rows) of every pipe table in `text`."""
    lines = text.split("\n")
    i = 0
    while i + 1 < len(lines):
        sep = lines[i + 1]
        if "|" in lines[i] and _TABLE_SEP.match(sep) and ("|" in sep or "--" in sep):
            header = _cells(lines[i])
            rows: list[list[str]] = []
            j = i + 2
            while j < len(lines) and "|" in lines[j]:
                rows.append(_cells(lines[j]))
                j += 1
            yield i, header, rows
            i = j
        else:
            i += 1


def _cells(line: str) -> list[str]:
    s = line.strip()
    s = s[1:] if s.startswith("|") else s
    s = s[:-1] if s.endswith("|") else s
    return [re.sub(r"[*`]", "", c).strip() for c in s.split("|")]


def plain(text: str) -> str:
    """Markdown without links' targets, HTML tags and emphasis marks, for reading values from prose."""
    return re.sub(r"[*`]", "", _TAG.sub("", _LINK.sub(r"\1", text)))
