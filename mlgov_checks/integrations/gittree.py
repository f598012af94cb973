"""Files as committed at a git ref, and the work tree's files seen as git sees them (plain `git`, no gitpython).

`--policy-ref` reads the judging policy and every file it names from here: a blob at REF, a
symbolic link at REF followed only inside REF's own tree, and a work-tree path compared with REF
entry by entry, so that a link the work tree made is seen as a link, not as its target.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass

from mlgov_checks.errors import RepositoryError

LINK_MODE = "120000"


@dataclass(frozen=True, slots=True)
class RefTree:
    """The files of one commit that carry one of the names asked for (paths from the repository root)."""

    root: str  # the working tree's top directory
    ref: str
    commit: str
    files: frozenset[str]


@dataclass(frozen=True, slots=True)
class Entry:
    """One path in a tree: a regular file (`blob`), a symbolic link (`link`, with its target) or a directory."""

    kind: str  # "blob", "link", "tree", or "none" when there is nothing there
    target: str | None = None  # a link's target as written


def _git(args: list[str], cwd: str, data: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False,  # nosec B603 B607
                              input=data)
    except (FileNotFoundError, NotADirectoryError, PermissionError) as e:
        raise RepositoryError(f"{cwd}: cannot run git ({e.strerror})") from e


def repository_root(cwd: str) -> str:
    """The top directory of the work tree containing `cwd`; RepositoryError outside git."""
    proc = _git(["rev-parse", "--show-toplevel"], cwd)
    if proc.returncode != 0:
        raise RepositoryError(f"{cwd}: not a git repository, so --policy-ref cannot be read")
    return os.path.realpath(os.fsdecode(proc.stdout).strip())


def tree_at_ref(ref: str, cwd: str, names: Iterable[str]) -> RefTree:
    """Every file named one of `names`, in any directory, as committed at `ref`."""
    root = repository_root(cwd)
    proc = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"], root)
    if ref.startswith("-") or proc.returncode != 0:
        raise RepositoryError(f"unknown git ref {ref!r} (fetch it first, e.g. `git fetch origin main`)")
    commit = os.fsdecode(proc.stdout).strip()
    listing = _git(["ls-tree", "-r", "-z", "--name-only", "--full-tree", commit], root)
    if listing.returncode != 0:
        raise RepositoryError(f"cannot list the files of {ref}: {os.fsdecode(listing.stderr).strip()}")
    wanted = set(names)
    files = frozenset(n for n in (os.fsdecode(x) for x in listing.stdout.split(b"\0") if x)
                      if n.rpartition("/")[2] in wanted)
    return RefTree(root=root, ref=ref, commit=commit, files=files)


def entry_at_ref(tree: RefTree, path: str) -> Entry:
    """What `path` (from the repository root) is at the tree's commit, links not followed."""
    proc = _git(["ls-tree", "-z", "--full-tree", tree.commit, "--", path], tree.root)
    if proc.returncode != 0:
        raise RepositoryError(f"cannot list {path} at {tree.ref}: {os.fsdecode(proc.stderr).strip()}")
    for record in proc.stdout.split(b"\0"):
        meta, _, name = record.partition(b"\t")
        if not meta or os.fsdecode(name) != path:
            continue
        mode, kind, _sha = os.fsdecode(meta).split(" ")
        if mode == LINK_MODE:
            target = _git(["cat-file", "blob", f"{tree.commit}:{path}"], tree.root).stdout
            return Entry("link", os.fsdecode(target))
        return Entry("tree" if kind == "tree" else "blob")
    return Entry("none")


def blob_at_ref(tree: RefTree, path: str) -> bytes | None:
    """The content of `path` at the tree's commit (a link's own target text); None when it has none."""
    if path not in tree.files and _git(["cat-file", "-e", f"{tree.commit}:{path}"], tree.root).returncode != 0:
        return None
    proc = _git(["cat-file", "blob", f"{tree.commit}:{path}"], tree.root)
    if proc.returncode != 0:
        raise RepositoryError(f"cannot read {path} at {tree.ref}: {os.fsdecode(proc.stderr).strip()}")
    return proc.stdout


def file_at_ref(tree: RefTree, path: str) -> bytes | None:
    """The file at `path` at the tree's commit, following links that stay inside that commit's tree.

    None when there is nothing there; RepositoryError for a directory or a link that leaves the
    repository, dangles or loops (git's own `--follow-symlinks` resolution).
    """
    if "\n" in path:
        raise RepositoryError(f"{path!r}: a file name with a line break cannot be read at {tree.ref}")
    proc = _git(["cat-file", "--batch", "--follow-symlinks"], tree.root, f"{tree.commit}:{path}\n".encode())
    if proc.returncode != 0:
        raise RepositoryError(f"cannot read {path} at {tree.ref}: {os.fsdecode(proc.stderr).strip()}")
    header, _, rest = proc.stdout.partition(b"\n")
    words = os.fsdecode(header).split(" ")
    if words[-1] == "missing":
        return None
    if len(words) == 3 and words[1] == "blob":
        return rest[: int(words[2])]
    why = {"symlink": "is a symbolic link out of the repository", "dangling": "is a dangling symbolic link",
           "loop": "is a loop of symbolic links", "notdir": "goes through a file as if it were a directory"}
    raise RepositoryError(f"{path} at {tree.ref} {why.get(words[0], 'is not a file')}")


def worktree_entry(root: str, path: str) -> Entry:
    """What `path` (from the root) is in the work tree, links not followed."""
    full = os.path.join(root, path)
    if os.path.islink(full):
        return Entry("link", os.readlink(full))
    if os.path.isdir(full):
        return Entry("tree")
    return Entry("blob") if os.path.exists(full) else Entry("none")


def links_made(tree: RefTree, path: str) -> list[str]:
    """Each leading part of `path` (from the root) that is a symbolic link in the work tree but not
    the same link at the tree's commit: a file read through one of them is not the file REF has."""
    parts = path.split("/")
    made = []
    for i in range(1, len(parts) + 1):
        prefix = "/".join(parts[:i])
        here = worktree_entry(tree.root, prefix)
        if here.kind == "link" and entry_at_ref(tree, prefix) != here:
            made.append(prefix)
    return made


def worktree_files(root: str, names: Iterable[str]) -> list[str]:
    """Files named one of `names` in the work tree, tracked or not (ignored ones left out), from the root.

    A symbolic link is listed whatever it points at: the caller compares it as a link.
    """
    specs = [f":(glob)**/{n}" for n in names]
    proc = _git(["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", *specs], root)
    if proc.returncode != 0:
        raise RepositoryError(f"{root}: cannot list the work tree's files")
    found = dict.fromkeys(os.fsdecode(n) for n in proc.stdout.split(b"\0") if n)
    return [n for n in found if os.path.isfile(os.path.join(root, n)) or os.path.islink(os.path.join(root, n))]
