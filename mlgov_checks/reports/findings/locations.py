"""Where a finding points: a real file of the repository, relative to its root, in every format.

A finding on a local file points at that file. A finding about an MLflow target (a run, a model
version, a logged card) points at the repository file that governs it: the repository card the
logged card corresponds to (same content, else same path or model name), else the working-tree
policy file, else a fallback that exists (the workflow file that runs the gate, else the README).
The MLflow side (`models:/NAME/VERSION`, the artifact path) stays as the logical location.
Nothing here runs git: the root is the CI workspace, else the nearest directory holding `.git`.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from mlgov_checks.findings import Finding

# Set by the CI system to the checkout's root (GitHub Actions, GitLab CI).
ROOT_ENV = ("GITHUB_WORKSPACE", "CI_PROJECT_DIR")
README_NAMES = ("README.md", "README.rst", "README.txt", "README")
_LOGICAL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:/")  # models:/..., runs:/...
_WORKFLOW_REF = re.compile(r"^[^/]+/[^/]+/(?P<path>[^@]+)@")  # owner/repo/.github/workflows/x.yml@ref


@dataclass(frozen=True)
class RepoLayout:
    """What the CLI knows about the repository, for anchoring findings. Paths: root-relative, `/`."""

    root: str  # absolute
    cwd: str  # absolute: what relative finding paths are relative to
    policy: str | None = None  # the working-tree policy file that governs, when one exists
    policy_shown: str | None = None  # how findings name the policy that judged (`origin/main:.mlgov.yaml`)
    cards: tuple[tuple[str, str], ...] = ()  # the repository's model cards: (path, sha256 of content)
    logged: tuple[tuple[str, str], ...] = ()  # logged cards: (display path, sha256 of content)
    fallback: str | None = None  # an existing file for findings with nothing better


@dataclass(frozen=True)
class Location:
    """A finding's place: `uri` names an existing repository file (None only in an empty repository)."""

    uri: str | None
    line: int | None = None
    column: int | None = None
    logical: tuple[str, ...] = ()  # the MLflow target, the artifact path, or a path outside the root

    @property
    def text(self) -> str:
        """`path:line:col` as the text formats print it."""
        loc = self.uri or ""
        if loc and self.line:
            loc += f":{self.line}" + (f":{self.column}" if self.column else "")
        return loc


def sha256_file(path: str) -> str | None:
    try:
        with open(path, "rb") as fh:
            return hashlib.sha256(fh.read()).hexdigest()
    except OSError:
        return None


def repository_of(path: str, env: Mapping[str, str]) -> str | None:
    """The CI workspace when set and holding `path`, else the nearest ancestor with `.git`, else None."""
    path = os.path.realpath(path)
    for name in ROOT_ENV:
        value = env.get(name)
        if value and _inside(path, os.path.realpath(value)):
            return os.path.realpath(value)
    probe = path
    while True:
        if os.path.exists(os.path.join(probe, ".git")):  # a directory, or a file in a worktree
            return probe
        parent = os.path.dirname(probe)
        if parent == probe:
            return None
        probe = parent


def find_root(cwd: str, env: Mapping[str, str], files: Iterable[str] = ()) -> str:
    """The repository reports are relative to: the working directory's, when it holds every file
    given (relative to `cwd`, or absolute); else the one that holds the first of them (a card given
    by its path from above the checkout); else the working directory."""
    root = repository_of(cwd, env)
    full = [os.path.realpath(os.path.join(cwd, f)) for f in files]
    full = [f for f in full if os.path.isfile(f)]
    if full and (root is None or not all(_inside(f, root) for f in full)):
        root = repository_of(os.path.dirname(full[0]), env) or root
    return root or os.path.realpath(cwd)


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def repo_path(path: str, root: str, cwd: str) -> str | None:
    """`path` (relative to `cwd`, or absolute) as an existing file relative to `root`; else None."""
    full = os.path.realpath(os.path.join(cwd, path))
    if not _inside(full, os.path.realpath(root)) or not os.path.isfile(full):
        return None
    return os.path.relpath(full, os.path.realpath(root)).replace(os.sep, "/")


def fallback_file(root: str, env: Mapping[str, str]) -> str | None:
    """The workflow file running the gate (GITHUB_WORKFLOW_REF), else the README, else .gitlab-ci.yml."""
    m = _WORKFLOW_REF.match(env.get("GITHUB_WORKFLOW_REF", ""))
    for cand in ([m["path"]] if m else []) + [*README_NAMES, ".gitlab-ci.yml"]:
        if os.path.isfile(os.path.join(root, cand)):
            return cand
    return None


def discover(*, cwd: str, env: Mapping[str, str], policy_file: str | None = None,
             policy_shown: str | None = None, cards: Iterable[str] = (),
             logged: Iterable[tuple[str, bytes]] = ()) -> RepoLayout:
    """The layout for one command: `cards` are paths relative to `cwd`, `logged` (display path, content)."""
    cwd = os.path.realpath(cwd)
    cards = list(cards)
    root = find_root(cwd, env, [*cards, *([policy_file] if policy_file else [])])
    hashed = []
    for card in cards:
        rel = repo_path(card, root, cwd)
        digest = sha256_file(os.path.join(root, rel)) if rel else None
        if rel and digest:
            hashed.append((rel, digest))
    return RepoLayout(
        root=root, cwd=cwd, policy=repo_path(policy_file, root, cwd) if policy_file else None,
        policy_shown=policy_shown, cards=tuple(hashed),
        logged=tuple((shown, hashlib.sha256(content).hexdigest()) for shown, content in logged),
        fallback=fallback_file(root, env))


def _card_for(shown: str | None, target: str, layout: RepoLayout) -> tuple[str | None, bool]:
    """The repository card a logged card corresponds to, and whether its content is identical."""
    digest = dict(layout.logged).get(shown or "") or next(
        (d for s, d in layout.logged if s.startswith(target.rstrip("/") + "/")), None)
    if digest:
        for path, card_digest in layout.cards:
            if card_digest == digest:
                return path, True
    artifact = (shown or "")[len(target):].lstrip("/") if shown and shown.startswith(target) else ""
    model = target.split(":/", 1)[-1].split("/")[0].split("@")[0] if target.startswith("models:/") else ""
    for path, _ in layout.cards:
        parent = path.rsplit("/", 2)[-2] if "/" in path else ""
        if (artifact and path == artifact) or (model and parent == model):
            return path, False
    return None, False


def locate(f: Finding, layout: RepoLayout) -> Location:
    """Where `f` points in the repository (see the module docstring for the order)."""
    if f.file and layout.policy and f.file == layout.policy_shown and f.file != layout.policy:
        return Location(layout.policy, f.line, f.column)
    if f.file and not _LOGICAL.match(f.file):
        rel = repo_path(f.file, layout.root, layout.cwd)
        if rel:
            return Location(rel, f.line, f.column)
        return Location(_governing(f.target, layout), logical=(f.file,))  # outside the root, or missing
    logical = tuple(dict.fromkeys(x for x in (f.target, f.file) if x))
    card, same = _card_for(f.file, f.target, layout)
    if card and f.file:  # a finding inside the logged card: its line is the repository card's when identical
        return Location(card, f.line if same else None, f.column if same else None, logical)
    return Location(layout.policy or card or layout.fallback, logical=logical)


def _governing(target: str, layout: RepoLayout) -> str | None:
    return layout.policy or _card_for(None, target, layout)[0] or layout.fallback


def target_name(target: str, layout: RepoLayout) -> str:
    """A target as CI reports name it: a local file as its repository path, anything else as is."""
    if _LOGICAL.match(target):
        return target
    return repo_path(target, layout.root, layout.cwd) or target
