"""Files a policy names (`card.extra_schema`, signers, keys), read where the policy itself was read.

A policy from the working tree reads them from disk, relative to its own file. A policy read at a
git ref (`--policy-ref`) reads them from that same commit, so a pull request can neither empty the
schema the base policy names nor add a key to its list of signers; a symbolic link committed at
the ref is followed only inside the ref's tree. The schema marks every such key with
`"x-mlgov-file": true` (on the string, or on the items of a list of paths).
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from mlgov_checks.errors import PolicyError, RepositoryError

FILE_KEYWORD = "x-mlgov-file"


@dataclass(frozen=True)
class RefOrigin:
    """Where a policy read at a git ref came from: the commit and its path from the repository root."""

    ref: str
    root: str  # the work tree's top directory (the repository the commit is in)
    commit: str
    path: str


class Located(Protocol):
    """What reading a named file needs from a policy (policy.load.Policy has it)."""

    @property
    def source(self) -> str | None: ...

    @property
    def origin(self) -> RefOrigin | None: ...

    @property
    def base_dir(self) -> str: ...


@dataclass(frozen=True)
class NamedFile:
    """One file a policy names, as read: `shown` is `REF:path` at a ref, else the disk path."""

    key: str
    value: str
    shown: str
    content: bytes


def named_paths(data: Mapping[str, Any], schema: Mapping[str, Any] | None = None) -> Iterator[tuple[str, str]]:
    """(dotted key, path as written) of every file the policy `data` names, by the schema's marks."""
    from mlgov_checks.policy.schema import policy_schema
    from mlgov_checks.policy.strictness import child_schema

    def walk(node: Mapping[str, Any] | None, value: Any, path: tuple[str, ...]) -> Iterator[tuple[str, str]]:
        if node is None:
            return
        if isinstance(value, Mapping):
            for k, v in value.items():
                yield from walk(child_schema(node, str(k)), v, (*path, str(k)))
        elif isinstance(value, str) and node.get(FILE_KEYWORD):
            yield ".".join(path), value
        elif isinstance(value, list) and isinstance(node.get("items"), Mapping) and node["items"].get(FILE_KEYWORD):
            yield from ((".".join(path), v) for v in value if isinstance(v, str))

    yield from walk(schema if schema is not None else policy_schema(), data, ())


def ref_path(origin: RefOrigin, value: str) -> str:
    """A named path (relative to the policy's file, or absolute inside the repository) from the root."""
    if os.path.isabs(value):
        rel = os.path.relpath(os.path.realpath(value), origin.root).replace(os.sep, "/")
    else:
        rel = posixpath.normpath(posixpath.join(posixpath.dirname(origin.path), value.replace("\\", "/")))
    if rel == ".." or rel.startswith("../") or rel.startswith("/"):
        raise PolicyError(f"{value!r} is outside the repository, so it cannot be read at {origin.ref}")
    return rel


def read_named_file(policy: Located, value: str, *, key: str) -> NamedFile:
    """The file `value` the policy names under `key`: at REF for a policy read at REF, else from disk.

    PolicyError (exit 2) when it cannot be read: a file the judging policy relies on is never
    silently skipped.
    """
    origin = policy.origin
    if origin is None:
        path = value if os.path.isabs(value) else os.path.join(policy.base_dir, value)
        try:
            with open(path, "rb") as fh:
                return NamedFile(key, value, value, fh.read())
        except OSError as e:
            raise PolicyError(f"{key} {value!r} cannot be read: {e.strerror}", file=policy.source) from e
    from mlgov_checks.integrations import gittree

    rel = ref_path(origin, value)
    tree = gittree.RefTree(root=origin.root, ref=origin.ref, commit=origin.commit, files=frozenset())
    try:
        content = gittree.file_at_ref(tree, rel)
    except RepositoryError as e:
        raise PolicyError(f"{key} {value!r} cannot be read: {e}", file=policy.source) from e
    if content is None:
        raise PolicyError(f"{key} {value!r} cannot be read: {origin.ref} has no {rel}", file=policy.source)
    return NamedFile(key, value, f"{origin.ref}:{rel}", content)

