"""The quick path through a clean YAML document: its values and YAML 1.1 keys now, its marks when asked.

A card that passes is never asked where a node stands, so the loader builds only what every check
reads (the values, and the mapping keys YAML 1.1 resolved to something other than text); the
first read of `marks`, `key_marks` or `plain` parses the text again with the exact builder
(`yamlio.builder`). Keeping the events instead costs more than parsing twice: a thousand cards'
events kept alive make every garbage collection longer.

A document is clean when the exact builder would report nothing: no tag, anchor, alias, merge
key, complex or duplicate key, second document, nesting at the depth limit or node count over the
limit, and no parser error. Anything else returns None, and the
loader builds the document with the exact builder alone, so every problem, mark and value stays
what it was.
"""

from __future__ import annotations

from collections.abc import Callable
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
    parser = scalars.parser(text)
    try:
        data, root_set, plain_keys = _values(parser.get_event, max_depth=max_depth, max_nodes=max_nodes,
                                             timestamps=timestamps)
    except (_Unclean, yaml.YAMLError):
        return None
    finally:
        parser.dispose()

    def fill() -> Document:
        from mlgov_checks.yamlio import builder

        return builder.build(scalars.events(text), text, path, max_depth=max_depth, max_nodes=max_nodes,
                             timestamps=timestamps)

    return LazyDocument(path, data=data, plain_keys=plain_keys, empty=not root_set, fill=fill)


def _values(get: Callable[[], Any], *, max_depth: int, max_nodes: int,
            timestamps: bool) -> tuple[Any, bool, dict[Path, PlainScalar]]:
    """(root value, whether there was one, plain keys) of a clean document's events; _Unclean otherwise.
    The open container's state is in locals (`stack` holds the enclosing ones'): this runs per event."""
    resolvers = scalars.implicit_resolvers()  # None: resolve every plain scalar
    stack: list[tuple[Any, ...]] = []
    plain_keys: dict[Path, PlainScalar] = {}
    cont: Any = None  # the open mapping or list (None: at the root)
    key: Any = None
    root: Any = None
    key_plain: PlainScalar | None = None
    where: Path = ()
    is_map = has_key = root_set = False
    documents = nodes = 0
    while (ev := get()) is not None:
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
            if ev.anchor or (ev.tag is not None and ev.tag != "!" and not ev.implicit) \
                    or len(stack) >= max_depth or (is_map and not has_key):
                raise _Unclean  # (the last: a mapping or list as a mapping key)
            inner = () if cont is None else (*where, path_key(key) if is_map else len(cont))
            stack.append((cont, is_map, has_key, key, key_plain, where))
            cont, is_map, has_key, key, key_plain, where = {} if cls is _MAP else [], cls is _MAP, False, None, \
                None, inner
            continue
        elif cls in _ENDS:
            value, (cont, is_map, has_key, key, key_plain, where) = cont, stack.pop()
        elif cls is yaml.AliasEvent or (cls is _DOC and documents):
            raise _Unclean
        else:
            documents += cls is _DOC
            continue
        nodes += 1
        if nodes > max_nodes:
            raise _Unclean
        if cont is None:
            root, root_set = value, True
        elif not is_map:
            cont.append(value)
        elif has_key:
            if key in cont:
                raise _Unclean
            if key_plain is not None:
                plain_keys[where + (path_key(key),)] = key_plain
            cont[key] = value
            has_key = False
        else:  # this scalar is a key
            if tag == _MERGE:
                raise _Unclean
            key, has_key = value, True
            key_plain = PlainScalar(ev.value, tag) if tag is not None and not isinstance(value, str) else None
    return root, root_set, plain_keys
