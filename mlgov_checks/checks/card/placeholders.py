"""Where a card's texts are placeholders (`TODO`, `TBD`, ...): the policy's `card.placeholders`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlgov_checks.yamlio.loader import Path, path_key


def found(data: Any, placeholders: set[str]) -> Iterator[tuple[Path, str]]:
    """(path, text) of every text in `data` that is a placeholder (stripped, any case), in document order."""
    if not _any(data, placeholders):  # the usual case: no path is built
        return
    for path, v in _walk(data, ()):
        if isinstance(v, str) and v.strip().lower() in placeholders:
            yield path, v


def _any(data: Any, placeholders: set[str]) -> bool:
    stack = [data]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            if v.strip().lower() in placeholders:
                return True
        elif isinstance(v, dict):
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return False


def _walk(value: Any, path: Path) -> Iterator[tuple[Path, Any]]:
    stack: list[tuple[Path, Any]] = [(path, value)]
    while stack:
        p, v = stack.pop()
        yield p, v
        if isinstance(v, dict):
            stack.extend(((*p, path_key(k)), x) for k, x in reversed(list(v.items())))
        elif isinstance(v, list):
            stack.extend(((*p, i), x) for i, x in reversed(list(enumerate(v))))
