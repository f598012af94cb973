"""Card formats: one reader per format, each reading a card file into the one canonical card.

A reader module has `NAME`, a cheap `claims(path, head)` (file name and first bytes) and `read(...)`;
its docstring is the mapping `mlgov explain card-formats` prints. The format is detected from the
file name and content, or pinned by the policy's `card.format`.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import ModuleType
from typing import Any

from mlgov_checks.cards import native, nested
from mlgov_checks.cards.model import CanonicalCard, Options
from mlgov_checks.cards.source import Limits, Located, Source, from_bytes, parse_json, parse_yaml
from mlgov_checks.yamlio.loader import Document, read_within

# format name -> its reader module, imported on first use: the hook loads only what a card needs.
READERS = {"native": "native", "json": "native_json", "nested": "nested", "huggingface": "huggingface",
           "mct": "mct", "mitchell": "mitchell"}
FORMATS = ("auto", *READERS)
STRICT = ("native", "json")  # read under every rule of `mlgov card`
HEAD_BYTES = 65536
_BY_SUFFIX = {".md": "huggingface", ".markdown": "huggingface", ".json": "json"}


def reader(name: str) -> ModuleType:
    return importlib.import_module(f"mlgov_checks.cards.{READERS[name]}")


@dataclass(frozen=True)
class Reading:
    """One card read: the canonical card, and for native cards the document the strict rules check."""

    card: CanonicalCard
    document: Document | None = None

    @property
    def strict(self) -> bool:
        return self.card.format in STRICT


def settings(conf: Mapping[str, Any]) -> tuple[Limits, Options, str]:
    """Limits, reader options and the pinned format from the policy's `card` section."""
    limits = Limits(conf["max_bytes"], conf["max_depth"], conf["max_nodes"])
    fields = {str(k): str(v) for k, v in (conf.get("fields") or {}).items()}
    holders = frozenset(str(p).strip().lower() for p in conf.get("placeholders", ()))
    return limits, Options(fields, holders), str(conf.get("format") or "auto")


def read_file(path: str, conf: Mapping[str, Any], *, display_path: str | None = None,
              full: bool = True) -> Reading:
    """Read one card file; OSError is the caller's to report. `full=False`: a native card's fields
    are left to the native rules (the hook's path)."""
    shown = display_path or path
    limits = settings(conf)[0]
    size = os.stat(path).st_size
    if size > limits.max_bytes:
        return read_bytes(b"", shown, conf, size=size, full=full, listed=False)
    with open(path, "rb") as fh:
        raw = read_within(fh, size, limits.max_bytes)
    return read_bytes(raw, shown, conf, full=full)


def read_bytes(raw: bytes, shown: str, conf: Mapping[str, Any], *, size: int | None = None,
               full: bool = True, listed: bool = True) -> Reading:
    """Read a card's bytes (a file, or a logged artifact) as its format; never raises for bad input.

    `size`: the card is over the limit by its size (`listed`: as the artifact store lists it) and
    was not read."""
    limits, options, pinned = settings(conf)
    if size is not None:
        from mlgov_checks.yamlio.loader import Mark, Problem, ProblemKind

        problem = Problem(ProblemKind.TOO_LARGE, f"file is over the {limits.max_bytes}-byte limit ({size} bytes)"
                          if listed else f"file is {size} bytes, over the {limits.max_bytes}-byte limit", Mark(1, 1))
        source = Source(shown, None, (problem,), limits)
    else:
        source = from_bytes(raw, shown, limits)
    fmt = pinned if pinned != "auto" else _by_name(shown, raw[:HEAD_BYTES])
    if fmt == "huggingface":
        return Reading(reader(fmt).read(source, options))
    is_json = shown.lower().endswith(".json") or pinned == "json"
    doc = parse_json(source) if is_json else parse_yaml(source)
    return _read_mapping(Located(doc), options, pinned, json=is_json, full=full)


def _by_name(shown: str, head: bytes) -> str:
    """The reader whose `claims` takes the file (name and first bytes), Markdown before JSON before YAML."""
    ext = os.path.splitext(shown.lower())[1]
    name = _BY_SUFFIX.get(ext)  # only the candidate reader is imported
    return name if name is not None and reader(name).claims(shown, head) else "native"


def _read_mapping(loc: Located, options: Options, pinned: str, *, json: bool, full: bool = True) -> Reading:
    doc = loc.doc
    strict = reader("json" if json else "native")
    data = loc.data if not doc.fatal else None
    fmt = pinned if pinned != "auto" else _classify(data)
    if fmt == nested.NAME and nested.fits(data):
        inner = loc.inner(nested.root_key(data))
        reading = _read_mapping(inner, options, "auto" if pinned == nested.NAME else pinned, json=json, full=full)
        card = reading.card
        root = nested.root_key(data)
        hints = {f: h.replace("to the card", f"under `{root}:`").replace("to the JSON object", f'inside "{root}"')
                 for f, h in card.hints.items()}
        sub = _subdocument(doc, inner.prefix) if reading.document is not None else None
        return Reading(replace(card, label=f"{card.label} under `{root}`", hints=hints), sub)
    if fmt in ("mct", "mitchell") and isinstance(data, dict):
        return Reading(reader(fmt).read(loc, options, json=json))
    card = strict.read(loc, options, shallow=not full)
    return Reading(card, doc if not loc.prefix else _subdocument(doc, loc.prefix))


def _classify(data: Any) -> str:
    if native.fits(data):
        return "native"
    if reader("mct").fits(data):
        return "mct"
    if nested.fits(data):
        return "nested"
    if reader("mitchell").fits(data) or (isinstance(data, dict) and data and not native.named(data)):
        return "mitchell"  # a mapping that is not the native card is read by its keys' names
    return "native"


def _subdocument(doc: Document, prefix: tuple[str | int, ...]) -> Document:
    """The document under a root key, as if it were the whole file (marks stay the file's)."""
    n = len(prefix)

    def strip(d: Mapping[Any, Any]) -> dict[Any, Any]:
        return {k[n:]: v for k, v in d.items() if k[:n] == prefix}

    data = doc.data
    for p in prefix:
        data = data[p]
    sub = Document(doc.path, data=data, marks=strip(doc.marks), key_marks=strip(doc.key_marks),
                   plain=strip(doc.plain), plain_keys=strip(doc.plain_keys), problems=list(doc.problems))
    return sub


def mappings() -> list[tuple[str, str]]:
    """(format, its documented mapping) for `mlgov explain card-formats`."""
    out = []
    for name in READERS:
        lines = (reader(name).__doc__ or name).strip("\n").splitlines()
        rest = [ln for ln in lines[1:] if ln.strip()]
        indent = min((len(ln) - len(ln.lstrip()) for ln in rest), default=0)
        out.append((name, "\n".join([lines[0].strip(), *(ln[indent:].rstrip() for ln in lines[1:])]).strip()))
    return out
