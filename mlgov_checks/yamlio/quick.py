"""The quick path through a clean YAML document: its values and YAML 1.1 keys now, its marks when asked.

A card that passes is never asked where a node stands, so the loader builds only what every check
reads (the values, and the mapping keys YAML 1.1 resolved to something other than text) and keeps
the events: the first read of `marks`, `key_marks` or `plain` runs the exact builder
(`yamlio.builder`) on them. A document is clean when the exact builder would report nothing: no
tag, anchor, alias, merge key, complex or duplicate key, second document, nesting at the depth
limit or node count over the limit, and no parser error. Anything else returns None, and the
loader builds the document with the exact builder alone, so every problem, mark and value stays
what it was.
"""

from __future__ import annotations

from typing import Any

import yaml

from mlgov_checks.yamlio import scalars
from mlgov_checks.yamlio.document import Document, LazyDocument, Path, PlainScalar, path_key

_MERGE = "tag:yaml.org,2002:merge"
_SCALAR = yaml.ScalarEvent
_MAP = yaml.MappingStartEvent
_SEQ = yaml.SequenceStartEvent
_ENDS = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
_DOC = yaml.DocumentStartEvent


class _Unclean(Exception):
    """The exact builder would report something here (or the parser failed)."""


def build(text: str, path: str, *, max_depth: int, max_nodes: int, timestamps: bool) -> Document | None:
    """The document of clean YAML `text` with its marks built on first use, or None when not clean."""
    events: list[Any] = []
    try:
        data, root_set, plain_keys = _values(text, events, max_depth=max_depth, max_nodes=max_nodes,
                                             timestamps=timestamps)
    except (_Unclean, yaml.YAMLError):
        return None

    def fill() -> Document:
        from mlgov_checks.yamlio import builder

        return builder.build(events, text, path, max_depth=max_depth, max_nodes=max_nodes, timestamps=timestamps)

    return LazyDocument(path, data=data, plain_keys=plain_keys, empty=not root_set, fill=fill)


def _open(ev: Any, stack: list[list[Any]], max_depth: int) -> list[Any]:
    """The frame of a mapping or list that starts here: [container, path, is_map, key, has_key, key_plain]."""
    if ev.anchor or (ev.tag is not None and ev.tag != "!" and not ev.implicit) or len(stack) >= max_depth:
        raise _Unclean
    is_map = ev.__class__ is _MAP
    if not stack:
        return [{} if is_map else [], (), is_map, None, False, None]
    top = stack[-1]
    if top[2] and not top[4]:
        raise _Unclean  # a mapping or list as a mapping key
    where = (*top[1], path_key(top[3]) if top[2] else len(top[0]))
    return [{} if is_map else [], where, is_map, None, False, None]


def _values(text: str, events: list[Any], *, max_depth: int, max_nodes: int,
            timestamps: bool) -> tuple[Any, bool, dict[Path, PlainScalar]]:
    """(root value, whether there was one, plain keys) of a clean document; _Unclean otherwise."""
    parser = scalars.parser(text)
    get, keep = parser.get_event, events.append
    resolvers = scalars.implicit_resolvers()  # None: resolve every plain scalar
    stack: list[list[Any]] = []
    plain_keys: dict[Path, PlainScalar] = {}
    root: Any = None
    root_set, documents, nodes = False, 0, 0
    ev: Any
    try:
        while (ev := get()) is not None:
            keep(ev)
            cls = ev.__class__
            tag = None  # of a plain scalar that may not be text
            if cls is _SCALAR:
                implicit = ev.implicit
                if ev.anchor or (ev.tag is not None and ev.tag != "!" and not (implicit[0] or implicit[1])):
                    raise _Unclean
                value: Any = ev.value
                if implicit[0] and (resolvers is None or not value or value[0] in resolvers):
                    value, tag = scalars.plain_value(value, timestamps=timestamps)
            elif cls is _MAP or cls is _SEQ:
                stack.append(_open(ev, stack, max_depth))
                nodes += 1
                continue
            elif cls in _ENDS:
                value = stack.pop()[0]
                nodes -= 1  # counted when it opened
            elif cls is yaml.AliasEvent or (cls is _DOC and documents):
                raise _Unclean
            else:
                documents += cls is _DOC
                continue
            nodes += 1
            if nodes > max_nodes:
                raise _Unclean
            if not stack:
                root, root_set = value, True
                continue
            top = stack[-1]
            if not top[2]:
                top[0].append(value)
            elif not top[4]:  # this scalar is a key
                if tag == _MERGE:
                    raise _Unclean
                top[3], top[4] = value, True
                top[5] = PlainScalar(ev.value, tag) if tag is not None and not isinstance(value, str) else None
            else:
                key, key_plain = top[3], top[5]
                top[3], top[4], top[5] = None, False, None
                if key in top[0]:
                    raise _Unclean
                if key_plain is not None:
                    plain_keys[top[1] + (path_key(key),)] = key_plain
                top[0][key] = value
    finally:
        parser.dispose()
    return root, root_set, plain_keys
