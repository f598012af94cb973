"""`--policy-ref`: the policy found at a git ref judges, and every policy file the work tree changed is compared.

The judging policy is discovered in REF's tree by the rules of the working tree (`.mlgov.yaml`,
`.mlgov.yml`, `pyproject.toml` with `[tool.mlgov]`, from the start directory up to the root), so
renaming, deleting, moving or shadowing the policy in the pull request changes nothing about who
judges. Each policy file the work tree adds, renames, moves, edits or deletes relative to REF is
compared with the one REF has for that place; having no policy where REF has one is a loosening.

The files the policy names (`card.extra_schema`, signer lists, keys) are read at REF too, and each
one the work tree changes is reported. Paths are compared as git stores them: a symbolic link is
a link, never its target, and a policy read through a link the work tree made is refused.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

from mlgov_checks.errors import PolicyError, RepositoryError
from mlgov_checks.integrations import gittree
from mlgov_checks.policy.files import RefOrigin, named_paths, ref_path
from mlgov_checks.policy.load import (
    POLICY_NAMES,
    Policy,
    default_policy,
    find_policy,
    load_policy,
    policy_from_bytes,
    pyproject_table,
)

PYPROJECT = "pyproject.toml"
NAMES = (*POLICY_NAMES, PYPROJECT)


@dataclass(frozen=True)
class Judgement:
    """The policy that judges (from REF), and what the work tree changes of it: the policy family's
    subject (`gate.judge_policy` turns it into findings)."""

    policy: Policy
    ref: str
    pairs: tuple[tuple[Policy, Policy, str], ...]  # (work tree's policy, REF's for that place, place)
    changed: tuple[tuple[str, str], ...] = ()  # (file, why) for each file REF's policy names that changed


@dataclass(frozen=True)
class _Pair:
    head: Policy  # the work tree's (defaults when it has none there)
    base: Policy  # REF's, for the same place
    place: str  # the path, from the repository root, the comparison is about


class _Ref:
    """REF's policy files, read once each."""

    def __init__(self, ref: str, cwd: str) -> None:
        try:
            self.tree = gittree.tree_at_ref(ref, cwd, NAMES)
        except RepositoryError as e:
            raise PolicyError(str(e)) from e
        self.ref = ref
        self._cache: dict[str, Policy | None] = {}

    @property
    def root(self) -> str:
        return self.tree.root

    def policy(self, rel: str) -> Policy | None:
        """REF's policy in file `rel` (from the root), None when REF has no policy there."""
        if rel not in self._cache:
            data = self.read(rel)
            shown = f"{self.ref}:{rel}"
            local = _display(os.path.join(self.root, rel))
            origin = RefOrigin(ref=self.ref, root=self.root, commit=self.tree.commit, path=rel)
            self._cache[rel] = None if data is None else policy_from_bytes(data, shown=shown, worktree_path=local,
                                                                           origin=origin)
        return self._cache[rel]

    def read(self, rel: str) -> bytes | None:
        """A file at REF (links committed at REF followed inside REF's tree), None when REF has none."""
        try:
            return gittree.file_at_ref(self.tree, rel)
        except RepositoryError as e:
            raise PolicyError(str(e)) from e

    def same(self, rel: str) -> bool:
        """The work tree has at `rel` what REF has: the same link, or a file with the same bytes."""
        if self.links_made(rel):
            return False
        here, there = gittree.worktree_entry(self.root, rel), gittree.entry_at_ref(self.tree, rel)
        if here != there or here.kind == "link":
            return here == there
        if here.kind == "none":
            return True
        return here.kind == "blob" and self.read(rel) == _read(os.path.join(self.root, rel))

    def links_made(self, rel: str) -> list[str]:
        return gittree.links_made(self.tree, rel)

    def refuse_links(self, rel: str) -> None:
        """PolicyError when reading `rel` in the work tree goes through a link REF does not have."""
        made = self.links_made(rel)
        if made:
            raise PolicyError(f"{made[0]} is a symbolic link that {self.ref} does not have: a policy is not "
                              f"read through a link the change made", file=_display(os.path.join(self.root, rel)),
                              hint=f"restore {made[0]} as {self.ref} has it")

    def files(self) -> list[str]:
        return sorted(rel for rel in self.tree.files if self.policy(rel) is not None)

    def discover(self, start_rel: str) -> Policy | None:
        """What `find_policy` would find from `start_rel` (from the root) if the work tree were REF."""
        d = _norm(start_rel)
        while True:
            for name in NAMES:
                rel = f"{d}/{name}" if d else name
                if rel in self.tree.files and (found := self.policy(rel)) is not None:
                    return found
            if not d:
                return None
            d = d.rpartition("/")[0]


def _norm(rel: str) -> str:
    rel = rel.replace(os.sep, "/").strip("/")
    return "" if rel in (".", "") else rel


def _display(path: str) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return path


def _rel(path: str, root: str) -> str:
    """`path` from the repository root, its last part not resolved: a link stays the link."""
    full = os.path.normpath(path if os.path.isabs(path) else os.path.join(os.path.realpath(os.getcwd()), path))
    rel = os.path.relpath(full, root)
    if rel.split(os.sep)[0] == "..":  # an absolute path through a link above the repository (/tmp on macOS)
        rel = os.path.relpath(os.path.join(os.path.realpath(os.path.dirname(full)), os.path.basename(full)), root)
    return _norm(rel)


def judge(ref: str, path: str | None = None, *, start: str | None = None) -> Judgement:
    """The policy at `ref` that judges, and every place where the work tree may loosen it.

    With `path` (`--policy PATH`) the judging policy is PATH as committed at REF; when REF has no
    policy in that file, the policy REF has for PATH's directory judges.
    """
    cwd = os.path.abspath(start or os.getcwd())
    at = _Ref(ref, cwd)
    if path is not None:
        rel = _rel(path, at.root)
        judging = at.policy(rel) or at.discover(rel.rpartition("/")[0])
        at.refuse_links(rel)
        head = load_policy(path)
    else:
        rel = _rel(cwd, at.root)
        judging = at.discover(rel)
        head = load_policy(start=cwd)
    if judging is None:
        judging = Policy(data=default_policy().data, source=f"{ref}:(defaults)")
    pairs = _unique([_Pair(head, judging, _rel(head.source, at.root) if head.source else rel), *_changed(at)])
    changed = [f for _, base, _ in pairs for f in _named_changes(at, base)]
    return Judgement(policy=judging, ref=ref, pairs=tuple(pairs), changed=tuple(dict.fromkeys(changed)))


def _named_changes(at: _Ref, base: Policy) -> Iterator[tuple[str, str]]:
    """(work-tree path, why) for each file REF's policy names that the work tree changes."""
    if base.origin is None:
        return
    for key, value in named_paths(base.data):
        rel = ref_path(base.origin, value)
        if not at.same(rel):
            shown = _display(os.path.join(at.root, rel))
            yield shown, (f"{key} names {rel}, which the working tree changes (a file the policy at {at.ref} "
                          f"relies on; {at.ref}'s copy judges)")


def _changed(at: _Ref) -> Iterator[_Pair]:
    """A pair for every policy file the work tree adds, moves, edits or deletes relative to REF."""
    local = [rel for rel in gittree.worktree_files(at.root, NAMES) if _is_policy(at, rel)]
    for rel in local:
        full = os.path.join(at.root, rel)
        base = at.policy(rel)
        if base is not None and at.same(rel):
            continue  # unchanged
        at.refuse_links(rel)
        head = load_policy(_display(full))
        yield _Pair(head, base or at.discover(rel.rpartition("/")[0]) or _defaults(at.ref), rel)
    for rel in at.files():
        if rel not in local:  # deleted, renamed or moved away, or its [tool.mlgov] table removed
            found = find_policy(os.path.join(at.root, rel.rpartition("/")[0]))
            head = load_policy(found) if found else default_policy()
            base = at.policy(rel)
            if base is not None:
                yield _Pair(head, base, rel)


def _defaults(ref: str) -> Policy:
    return Policy(data=default_policy().data, source=f"{ref}:(defaults)")


def _is_policy(at: _Ref, rel: str) -> bool:
    """A policy file in the work tree; a pyproject.toml only with a `[tool.mlgov]` table, in any spelling."""
    if rel.rpartition("/")[2] != PYPROJECT:
        return True
    at.refuse_links(rel)
    full = os.path.join(at.root, rel)
    return pyproject_table(_read(full), shown=_display(full)) is not None


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as e:
        raise PolicyError(f"cannot read policy: {e.strerror}", file=_display(path)) from e


def _unique(pairs: list[_Pair]) -> list[tuple[Policy, Policy, str]]:
    seen: set[tuple[str | None, str | None]] = set()
    out = []
    for p in pairs:
        key = (p.head.source, p.base.source)
        if key not in seen:
            seen.add(key)
            out.append((p.head, p.base, p.place))
    return out
