"""YAML loading that keeps node marks and survives hostile input (size, depth, aliases, tags)."""

from __future__ import annotations

import os
from typing import BinaryIO

from mlgov_checks.yamlio import quick
from mlgov_checks.yamlio.document import Document, Mark, Path, PlainScalar, Problem, ProblemKind, decode, path_key

__all__ = ["DEFAULT_MAX_BYTES", "DEFAULT_MAX_DEPTH", "DEFAULT_MAX_NODES", "Document", "Mark", "Path", "PlainScalar",
           "Problem", "ProblemKind", "decode", "load_file", "parse_bytes", "parse_text", "path_key", "read_within"]

DEFAULT_MAX_BYTES = 1024 * 1024
DEFAULT_MAX_DEPTH = 64
DEFAULT_MAX_NODES = 100_000


def parse_text(text: str, path: str, *, max_depth: int = DEFAULT_MAX_DEPTH,
               max_nodes: int = DEFAULT_MAX_NODES, timestamps: bool = True, marks: bool = False) -> Document:
    """Parse YAML text into a Document; never raises for bad input.

    A clean document (no problem for the loader to report) takes the quick path, whose marks are
    built when first asked for; anything else, or a document whose marks the caller will read
    anyway (`marks`), is built by the exact builder alone.
    """
    if not marks:
        doc = quick.build(text, path, max_depth=max_depth, max_nodes=max_nodes, timestamps=timestamps)
        if doc is not None:
            return doc
    from mlgov_checks.yamlio import builder, scalars

    return builder.build(scalars.events(text), text, path, max_depth=max_depth, max_nodes=max_nodes,
                         timestamps=timestamps)


def load_file(path: str, *, max_bytes: int = DEFAULT_MAX_BYTES, max_depth: int = DEFAULT_MAX_DEPTH,
              max_nodes: int = DEFAULT_MAX_NODES, timestamps: bool = True,
              display_path: str | None = None) -> Document:
    """Read and parse one file within the limits; OSError is the caller's to report."""
    shown = display_path or path
    size = os.stat(path).st_size
    if size > max_bytes:
        doc = Document(shown)
        doc.problems.append(Problem(ProblemKind.TOO_LARGE,
                                    f"file is {size} bytes, over the {max_bytes}-byte limit", Mark(1, 1)))
        return doc
    with open(path, "rb") as fh:
        raw = read_within(fh, size, max_bytes)
    return parse_bytes(raw, shown, max_bytes=max_bytes, max_depth=max_depth, max_nodes=max_nodes,
                       timestamps=timestamps)


def read_within(fh: BinaryIO, size: int, max_bytes: int) -> bytes:
    """What `fh.read(max_bytes + 1)` returns (one byte over the limit says: too large), for a file
    `size` bytes long when it was listed: asked for that size, `read` does not first allocate
    `max_bytes` for every small file (a thousand cards, a thousand megabytes)."""
    raw = fh.read(min(size, max_bytes) + 1)
    if len(raw) <= size:
        return raw
    return raw + fh.read(max_bytes + 1 - len(raw))  # it grew since: read on to the limit


def parse_bytes(raw: bytes, path: str, *, max_bytes: int = DEFAULT_MAX_BYTES,
                max_depth: int = DEFAULT_MAX_DEPTH, max_nodes: int = DEFAULT_MAX_NODES,
                timestamps: bool = True) -> Document:
    if len(raw) > max_bytes:
        doc = Document(path)
        doc.problems.append(Problem(ProblemKind.TOO_LARGE,
                                    f"file is over the {max_bytes}-byte limit", Mark(1, 1)))
        return doc
    text, problem = decode(raw, path)
    if text is None:
        doc = Document(path)
        if problem is None:  # invariant
            raise AssertionError("problem is unset")
        doc.problems.append(problem)
        return doc
    return parse_text(text, path, max_depth=max_depth, max_nodes=max_nodes, timestamps=timestamps)
