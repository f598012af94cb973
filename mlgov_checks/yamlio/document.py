"""What a loaded YAML document is: its value, where each node stands, what the loader refused."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Path = tuple[str | int, ...]

class ProblemKind(str, enum.Enum):
    """What the loader itself refuses; card and policy checks map these to findings."""

    TOO_LARGE = "too-large"
    ENCODING = "encoding"
    SYNTAX = "syntax"
    TOO_DEEP = "too-deep"
    ALIAS_BOMB = "alias-bomb"
    DUPLICATE_KEY = "duplicate-key"
    TAG = "tag"
    COMPLEX_KEY = "complex-key"
    MULTI_DOCUMENT = "multi-document"


FATAL = frozenset({ProblemKind.TOO_LARGE, ProblemKind.ENCODING, ProblemKind.SYNTAX,
                   ProblemKind.TOO_DEEP, ProblemKind.ALIAS_BOMB})


@dataclass(frozen=True, slots=True)
class Mark:
    """1-based line and column, as editors and CI annotations count them."""

    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Problem:
    """What the loader refused, and where."""

    kind: ProblemKind
    message: str
    mark: Mark
    path: Path = ()


@dataclass(frozen=True, slots=True)
class PlainScalar:
    """An unquoted scalar: its source text and the YAML 1.1 type it resolved to."""

    text: str
    tag: str


@dataclass
class Document:
    """A parsed YAML file: its value, where each node stands, and what the loader refused."""

    path: str
    data: Any = None
    marks: dict[Path, Mark] = field(default_factory=dict)  # path -> mark of the value
    key_marks: dict[Path, Mark] = field(default_factory=dict)  # path -> mark of the mapping key
    plain: dict[Path, PlainScalar] = field(default_factory=dict)
    # mapping keys that YAML 1.1 resolved to something other than text (`on:`, `no:`, `1.10:`)
    plain_keys: dict[Path, PlainScalar] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    empty: bool = False

    @property
    def fatal(self) -> bool:
        return any(p.kind in FATAL for p in self.problems)

    def mark_of(self, path: Path) -> Mark:
        """The closest known mark for `path`: the node itself, else its nearest ancestor."""
        p = tuple(path)
        while True:
            if p in self.marks:
                return self.marks[p]
            if not p:
                return Mark(1, 1)
            p = p[:-1]

    def key_mark_of(self, path: Path) -> Mark:
        return self.key_marks.get(tuple(path)) or self.mark_of(path)


MARK_FIELDS = ("marks", "key_marks", "plain")  # what a quick document builds when first read


class LazyDocument(Document):
    """A Document whose marks are built when first read: a card that passes never needs them.

    `fill()` builds the same document with its marks (from the events already read, or the text);
    `lazy` names the attributes taken from it. Everything else is set now, as a Document's.
    """

    def __init__(self, path: str, *, data: Any, fill: Callable[[], Document], empty: bool = False,
                 plain_keys: dict[Path, PlainScalar] | None = None, lazy: tuple[str, ...] = MARK_FIELDS) -> None:
        super().__init__(path, data=data, plain_keys=plain_keys if plain_keys is not None else {}, empty=empty)
        for name in lazy:
            del self.__dict__[name]
        self._fill: Callable[[], Document] | None = fill
        self._lazy = lazy

    def __getattr__(self, name: str) -> Any:
        """Only called for an attribute not set yet: a lazy one, built with the others on first use."""
        state = self.__dict__
        fill = state.get("_fill")
        if fill is None or name not in state.get("_lazy", ()):
            raise AttributeError(name)
        full = fill()
        for n in state["_lazy"]:
            state[n] = getattr(full, n)
        state["_fill"] = None
        return state[name]


def position_mark(text: str, position: int) -> Mark:
    before = text[:position]
    line = before.count("\n") + 1
    return Mark(line, position - (before.rfind("\n") + 1) + 1)


def path_key(key: Any) -> str | int:
    return key if isinstance(key, (str, int)) and not isinstance(key, bool) else str(key)


def describe_char(c: Any) -> str:
    code = c if isinstance(c, int) else ord(c) if isinstance(c, str) and len(c) == 1 else None
    return f"U+{code:04X}" if code is not None else repr(c)


def decode(raw: bytes, path: str) -> tuple[str | None, Problem | None]:
    """UTF-8 (with or without BOM) or a Problem pointing at the first bad byte."""
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as e:
        good = raw[: e.start].decode("utf-8", "replace")
        mark = position_mark(good, len(good))
        return None, Problem(ProblemKind.ENCODING,
                             f"not valid UTF-8 (byte 0x{raw[e.start]:02x} at offset {e.start})", mark)
