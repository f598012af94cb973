"""`--policy-ref`: the policy found at a git ref judges, and every policy file the work tree changed is compared.

The judging policy is discovered in REF's tree by the rules of the working tree (`.mlgov.yaml`,
`.mlgov.yml`, `pyproject.toml` with `[tool.mlgov]`, from the start directory up to the root), so
renaming, deleting, moving or shadowing the policy in the pull request changes nothing about who
judges. Each policy file the work tree adds, renames, moves, edits or deletes relative to REF is
compared with the one REF has for that place; having no policy where REF has one is a loosening.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

from mlgov_checks.errors import PolicyError, RepositoryError
from mlgov_checks.findings import Finding
from mlgov_checks.integrations import gitrepo
from mlgov_checks.policy.load import POLICY_NAMES, Policy, default_policy, find_policy, load_policy, policy_from_bytes

PYPROJECT = "pyproject.toml"
NAMES = (*POLICY_NAMES, PYPROJECT)


@dataclass(frozen=True)
class Judgement:
    """The policy that judges (from REF) and the policy-loosened findings about the work tree."""

    policy: Policy
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class _Pair:
    head: Policy  # the work tree's (defaults when it has none there)
    base: Policy  # REF's, for the same place
    place: str  # the path, from the repository root, the comparison is about


class _Ref:
    """REF's policy files, read once each."""

    def __init__(self, ref: str, cwd: str) -> None:
        try:
            self.tree = gitrepo.tree_at_ref(ref, cwd, NAMES)
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
            try:
                data = gitrepo.blob_at_ref(self.tree, rel)
            except RepositoryError as e:
                raise PolicyError(str(e)) from e
            shown = f"{self.ref}:{rel}"
            local = _display(os.path.join(self.root, rel))
            self._cache[rel] = None if data is None else policy_from_bytes(data, shown=shown, worktree_path=local)
        return self._cache[rel]

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
    return _norm(os.path.relpath(os.path.realpath(path), root))


def judge(ref: str, path: str | None = None, *, start: str | None = None) -> Judgement:
    """The policy at `ref` that judges, and a finding per loosening the work tree makes of it.

    With `path` (`--policy PATH`) the judging policy is PATH as committed at REF; when REF has no
    policy in that file, the policy REF has for PATH's directory judges.
    """
    from mlgov_checks.checks import policy_guard

    cwd = os.path.abspath(start or os.getcwd())
    at = _Ref(ref, cwd)
    if path is not None:
        rel = _rel(path, at.root)
        judging = at.policy(rel) or at.discover(rel.rpartition("/")[0])
        head = load_policy(path)
    else:
        rel = _rel(cwd, at.root)
        judging = at.discover(rel)
        head = load_policy(start=cwd)
    if judging is None:
        judging = Policy(data=default_policy().data, source=f"{ref}:(defaults)")
    pairs = [_Pair(head, judging, _rel(head.source, at.root) if head.source else rel), *_changed(at)]
    return Judgement(policy=judging, findings=tuple(policy_guard.compare(_unique(pairs), ref=ref)))


def _changed(at: _Ref) -> Iterator[_Pair]:
    """A pair for every policy file the work tree adds, moves, edits or deletes relative to REF."""
    local = [rel for rel in gitrepo.worktree_files(at.root, NAMES) if _is_policy(os.path.join(at.root, rel))]
    for rel in local:
        full = os.path.join(at.root, rel)
        base = at.policy(rel)
        if base is not None and gitrepo.blob_at_ref(at.tree, rel) == _read(full):
            continue  # unchanged
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


def _is_policy(path: str) -> bool:
    if os.path.basename(path) != PYPROJECT:
        return True
    return b"[tool.mlgov" in _read(path)


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
