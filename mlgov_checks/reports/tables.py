"""Registry values as data in every table we write: the one csv writer and the one Markdown escaper.

Run params, descriptions, tags and names come from anyone with EDIT on the registry. In csv a cell
that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to Excel, LibreOffice
and Google Sheets (`=HYPERLINK(...)`): it gets a leading `'`, as OWASP's CSV-injection guidance
says (https://owasp.org/www-community/attacks/CSV_Injection). In Markdown, raw HTML, links, images,
autolinks, emphasis and table syntax are escaped, so the text renders as the characters it is.
GitHub also links text after rendering: `@name` and `@org/team` notify people, and `#123`,
`owner/repo#123` and `GH-123` link (and back-reference) issues. A backslash cannot stop that (the
escape is gone once rendered), so an invisible word joiner goes right after the `@`, the `#` or
`GH`: the name or number no longer follows it, and the text still reads the same.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

# OWASP's list, and NUL (OWASP ASVS 1.2.10); leading spaces do not hide a trigger.
_FORMULA = re.compile(r"^[ ]*[=+\-@\t\r\x00]")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")  # a number is read as a number
_MD_SPECIAL = re.compile(r"([\\`*_\[\]~|#!])")
_NEWLINE = re.compile(r"\r\n|\r|\n")
_BLOCK_START = re.compile(r"^(\d*)([-+.)])(?=\s|$)")  # "- x", "1. x": a list inside a list item
# GitHub's autolinks need no brackets: `http://`, `www.` and e-mail addresses (cmark-gfm's extension).
_URL_SCHEME = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*):(?=//)")
_WWW = re.compile(r"(?i)\b(www)\.")
_EMAIL = re.compile(r"(?<=[A-Za-z0-9._+-])@(?=[A-Za-z0-9_-]+\.[A-Za-z0-9_-])")
WORD_JOINER = "\u2060"  # invisible; an address with one is not an address to the autolinker
# What GitHub turns into a mention or an issue reference after rendering (its mention and
# issue-reference filters want the name or digits right after the `@`, `#` or `GH-`).
_MENTION = re.compile(r"@(?=[A-Za-z0-9])")
_ISSUE = re.compile(r"#(?=\d)")
_GH_ISSUE = re.compile(r"(?i)\b(GH)(?=-\d)")


def cell(value: Any) -> str:
    """A value as one table cell's text: mappings as sorted JSON, lists joined with commas."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def shown_columns(columns: Sequence[str], *, evaluated: bool) -> tuple[str, ...]:
    """A page's columns: `status_now` only when the gate ran (--evaluate)."""
    return tuple(c for c in columns if evaluated or c != "status_now")


def csv_cell(text: str) -> str:
    """A csv cell a spreadsheet shows as text, never evaluates."""
    return "'" + text if _FORMULA.match(text) and not _NUMBER.match(text) else text


def csv_text(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """RFC 4180 csv (quoted by the csv module) with every cell, header included, neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([csv_cell(c) for c in columns])
    for row in rows:
        writer.writerow([csv_cell(cell(v)) for v in row])
    return out.getvalue()


def md_escape(text: str, *, newline: str = " ") -> str:
    """Text shown literally in GitHub-flavoured Markdown (a table cell, a list item, a heading)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = _URL_SCHEME.sub(r"\1\\:", text)
    text = _WWW.sub(r"\1\\.", text)
    text = _EMAIL.sub(WORD_JOINER + "@", text)
    text = _MENTION.sub("@" + WORD_JOINER, text)
    text = _ISSUE.sub("#" + WORD_JOINER, text)
    text = _GH_ISSUE.sub(r"\1" + WORD_JOINER, text)
    text = _BLOCK_START.sub(lambda m: m[1] + "\\" + m[2] if m[1] or m[2] in "-+" else m[0], text)
    return _NEWLINE.sub(newline, text)


def md_table(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[str]:
    """A GitHub-flavoured Markdown table, each value escaped."""
    lines = ["| " + " | ".join(md_escape(c) for c in columns) + " |", "|" + " --- |" * len(columns)]
    lines += ["| " + " | ".join(md_escape(cell(v)) for v in row) + " |" for row in rows]
    return lines


def md_list(title: str, items: Sequence[str]) -> list[str]:
    """`**title:**` and a bullet list of escaped items, then a blank line; nothing when there are none."""
    if not items:
        return []
    return [f"**{md_escape(title)}:**", "", *(f"- {md_escape(item)}" for item in items), ""]
