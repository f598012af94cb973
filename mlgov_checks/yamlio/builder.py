"""The exact YAML builder: every event turned into values, marks and problems, with the loader's limits.

`build` is what the loader runs on a document the quick path (`yamlio.quick`) does not take, and
what a quick document runs on its own events when something first asks where a node stands
(imported only then: a clean card that passes never loads this module).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import yaml

from mlgov_checks.yamlio.document import (
    Document,
    Mark,
    Path,
    PlainScalar,
    Problem,
    ProblemKind,
    describe_char,
    path_key,
    position_mark,
)
from mlgov_checks.yamlio.scalars import plain_value

_MERGE = "tag:yaml.org,2002:merge"


def _mark(m: Any) -> Mark:
    return Mark(m.line + 1, m.column + 1)


class _Frame:
    __slots__ = ("container", "path", "is_map", "key", "key_mark", "key_is_merge", "key_plain", "anchor",
                 "nodes", "seen")

    def __init__(self, container: Any, path: Path, is_map: bool, anchor: str | None) -> None:
        self.container = container
        self.path = path
        self.is_map = is_map
        self.key: Any = None
        self.key_mark: Mark | None = None
        self.key_is_merge = False
        self.key_plain: PlainScalar | None = None
        self.anchor = anchor
        self.nodes = 1
        self.seen: dict[Any, Mark] = {}


class _Builder:
    """Builds Python values from the event stream, iteratively: no recursion, bounded work."""

    def __init__(self, doc: Document, *, max_depth: int, max_nodes: int, timestamps: bool) -> None:
        self.doc = doc
        self.max_depth = max_depth
        self.max_nodes = max_nodes
        self.timestamps = timestamps
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.total_nodes = 0
        self.done = False
        self.root_set = False
        self._start_marks: list[Mark] = []

    def problem(self, kind: ProblemKind, message: str, mark: Mark, path: Path = ()) -> None:
        self.doc.problems.append(Problem(kind, message, mark, path))

    def _child_path(self) -> Path | None:
        """The path the next value will take, or None when it is a mapping key."""
        if not self.stack:
            return ()
        top = self.stack[-1]
        if top.is_map:
            if top.key_mark is None:
                return None
            return (*top.path, path_key(top.key))
        return (*top.path, len(top.container))

    def _add(self, value: Any, mark: Mark, nodes: int, *, plain: PlainScalar | None = None) -> None:
        self.total_nodes += nodes
        if self.total_nodes > self.max_nodes:
            self.problem(ProblemKind.ALIAS_BOMB,
                         f"document expands to more than {self.max_nodes} nodes (alias bomb or huge file)",
                         mark)
            self.done = True
            return
        if not self.stack:
            self.doc.data = value
            self.doc.marks[()] = mark
            self.root_set = True
            return
        top = self.stack[-1]
        top.nodes += nodes
        if top.is_map:
            if top.key_mark is None:  # this value is a key
                if isinstance(value, (dict, list)):
                    self.problem(ProblemKind.COMPLEX_KEY, "a mapping key must be a plain value",
                                 mark, top.path)
                    value = str(value)[:80]
                top.key = value
                top.key_mark = mark
                top.key_is_merge = plain is not None and plain.tag == _MERGE
                top.key_plain = plain
                return
            key, key_mark, key_plain = top.key, top.key_mark, top.key_plain
            top.key, top.key_mark, top.key_plain = None, None, None
            path = (*top.path, path_key(key))
            if key_plain is not None and not isinstance(key, str):
                self.doc.plain_keys[path] = key_plain
            if top.key_is_merge:
                top.key_is_merge = False
                for src in value if isinstance(value, list) else [value]:
                    if isinstance(src, dict):
                        for k, v in src.items():
                            top.container.setdefault(k, v)
                return
            if key in top.seen:
                first = top.seen[key]
                self.problem(ProblemKind.DUPLICATE_KEY,
                             f"duplicate key {key!r} (first defined at line {first.line}); "
                             "YAML parsers silently keep only the last one", key_mark, path)
            top.seen[key] = key_mark
            try:
                top.container[key] = value
            except TypeError:
                top.container[str(key)] = value
            self.doc.marks[path] = mark
            self.doc.key_marks[path] = key_mark
            if plain is not None:
                self.doc.plain[path] = plain
        else:
            path = (*top.path, len(top.container))
            top.container.append(value)
            self.doc.marks[path] = mark
            if plain is not None:
                self.doc.plain[path] = plain

    def _check_tag(self, tag: str | None, implicit: bool, mark: Mark) -> bool:
        if tag is None or tag == "!" or implicit:
            return False
        path = self._child_path()
        shown = "!!" + tag[len("tag:yaml.org,2002:"):] if tag.startswith("tag:yaml.org,2002:") else tag
        self.problem(ProblemKind.TAG, f"YAML tag {shown} is not allowed: write plain data",
                     mark, path or ())
        return True

    def feed(self, ev: Any) -> None:
        if isinstance(ev, yaml.ScalarEvent):
            mark = _mark(ev.start_mark)
            tagged = self._check_tag(ev.tag, ev.implicit[0] or ev.implicit[1], mark)
            plain = None
            if tagged or not ev.implicit[0]:
                value: Any = ev.value
            else:
                value, tag = plain_value(ev.value, timestamps=self.timestamps)
                plain = PlainScalar(ev.value, tag)
            if ev.anchor:
                self.anchors[ev.anchor] = (value, 1)
            self._add(value, mark, 1, plain=plain)
        elif isinstance(ev, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            mark = _mark(ev.start_mark)
            self._check_tag(ev.tag, ev.implicit, mark)
            if len(self.stack) >= self.max_depth:
                self.problem(ProblemKind.TOO_DEEP,
                             f"nesting deeper than {self.max_depth} levels", mark, ())
                self.done = True
                return
            is_map = isinstance(ev, yaml.MappingStartEvent)
            path = self._child_path()
            frame = _Frame({} if is_map else [], path if path is not None else (), is_map, ev.anchor)
            self.stack.append(frame)
            self._start_marks.append(mark)
        elif isinstance(ev, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            frame = self.stack.pop()
            mark = self._start_marks.pop()
            if frame.anchor:
                self.anchors[frame.anchor] = (frame.container, frame.nodes)
            self.total_nodes -= frame.nodes - 1  # children were counted as they were added
            self._add(frame.container, mark, frame.nodes)
        elif isinstance(ev, yaml.AliasEvent):
            mark = _mark(ev.start_mark)
            if ev.anchor not in self.anchors:
                self.problem(ProblemKind.SYNTAX, f"unknown alias *{ev.anchor}", mark)
                self.done = True
                return
            value, nodes = self.anchors[ev.anchor]
            self._add(value, mark, nodes)


def build(stream: Iterable[Any], text: str, path: str, *, max_depth: int, max_nodes: int,
          timestamps: bool) -> Document:
    """A Document from an event stream (`events(text)`, or events already read); never raises for bad input."""
    doc = Document(path)
    builder = _Builder(doc, max_depth=max_depth, max_nodes=max_nodes, timestamps=timestamps)
    documents = 0
    try:
        for ev in stream:
            if isinstance(ev, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    doc.problems.append(Problem(
                        ProblemKind.MULTI_DOCUMENT, "more than one YAML document in the file; "
                        "only the first is read", _mark(ev.start_mark)))
                    break
                continue
            builder.feed(ev)
            if builder.done:
                break
    except yaml.MarkedYAMLError as e:
        m = e.problem_mark or e.context_mark
        mark = _mark(m) if m is not None else Mark(1, 1)
        what = " ".join(x for x in (e.context, e.problem) if x)
        if "nesting depth" in what:  # libyaml >= 0.2.6 stops absurd nesting itself, before we see it
            doc.problems.append(Problem(ProblemKind.TOO_DEEP, f"nesting deeper than {max_depth} levels", mark))
        else:
            doc.problems.append(Problem(ProblemKind.SYNTAX, f"YAML syntax error: {what}", mark))
    except yaml.reader.ReaderError as e:
        mark = position_mark(text, e.position)
        doc.problems.append(Problem(ProblemKind.ENCODING,
                                    f"character {describe_char(e.character)} is not allowed in YAML", mark))
    except yaml.YAMLError as e:  # other libyaml errors carry no mark
        doc.problems.append(Problem(ProblemKind.SYNTAX, f"YAML error: {e}", Mark(1, 1)))
    if not builder.root_set and not doc.fatal:
        doc.empty = True
    if doc.fatal:
        doc.data = None
    return doc


