"""The only module that imports gitpython: tracked files, URLs and repository facts (files at a ref: gittree)."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mlgov_checks.errors import RepositoryError

if TYPE_CHECKING:  # gitpython costs ~140 ms to import: only the functions that need it load it
    import git

_USERINFO = re.compile(r"^(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)[^/@]*@")
_SCHEME = re.compile(r"^(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*)://(?P<rest>.*)$")
_SCP = re.compile(r"^(?:[^@/:]+@)?(?P<host>[^@/:]+):(?P<path>[^/].*)$")  # [user@]host:org/repo


@dataclass(frozen=True, slots=True)
class CommitInfo:
    """A commit as the checks need it: its full SHA and its author."""

    sha: str
    author_name: str
    author_email: str


def tracked_files(patterns: Iterable[str], cwd: str, *, untracked: bool = False,
                  icase: bool = False) -> list[str] | None:
    """Files git tracks under `cwd` whose name matches one of `patterns`, relative to `cwd`.

    With `untracked`, also the files git does not track yet but does not ignore either (a card
    written by `mlgov init` before `git add`); ignored files stay out.

    A pattern without a slash matches a file name in any directory (`model_card.yaml`); one with a
    slash is a glob relative to `cwd`. Files deleted from the working tree are left out. None when
    `cwd` is not inside a git work tree (or git is not installed): the caller then walks the disk.
    """
    magic = "glob,icase" if icase else "glob"  # icase: README.md and Readme.md alike
    specs = [f":({magic}){p}" if "/" in p else f":({magic})**/{p}" for p in patterns]
    if not specs:
        return []
    try:
        proc = subprocess.run(  # nosec B603 B607
            ["git", "ls-files", "-z", *(["--cached", "--others", "--exclude-standard"] if untracked else []),
             "--", *specs], cwd=cwd, capture_output=True, check=False,
        )
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return None
    if proc.returncode != 0:
        return None
    names = list(dict.fromkeys(os.fsdecode(n) for n in proc.stdout.split(b"\0") if n))
    return [n for n in names if os.path.isfile(os.path.join(cwd, n))]


def normalize_repo_url(url: str) -> str:
    """A comparable form of a repository URL: `host/path`, lowercased, without `.git`.

    `git@github.com:Org/Repo.git`, `ssh://git@github.com:22/org/repo`, `https://user:token@github.com/
    org/repo/` and `https://github.com/org/repo.git` all become `github.com/org/repo`: scheme, user
    info and port are dropped (ssh and https use different ports for the same repository) and case
    is ignored (the major hosts treat paths case-insensitively). `file://` URLs and local paths
    become the normalised path. An empty string stays empty.
    """
    u = url.strip()
    if not u:
        return ""
    m = _SCHEME.match(u)
    if m and m["scheme"].lower() == "file":
        key = _local(m["rest"])
    elif m:
        hostport, _, path = m["rest"].partition("/")
        host = hostport.rpartition("@")[2]
        host = host.partition("]")[0] + "]" if host.startswith("[") else host.split(":")[0]
        key = f"{host}/{path}"
    elif (s := _SCP.match(u)) and len(s["host"]) > 1:  # a one-letter "host" is a Windows drive
        key = f"{s['host']}/{s['path']}"
    else:
        key = _local(u)
    key = re.sub(r"/{2,}", "/", key).rstrip("/")
    key = key[:-4] if key.lower().endswith(".git") else key
    return key.rstrip("/").lower()


def _local(path: str) -> str:
    return os.path.normpath(path).replace("\\", "/")


def strip_userinfo(url: str) -> str:
    """A URL without `user:password@` (scp-like `git@host:path` keeps its harmless `git@`)."""
    return _USERINFO.sub(lambda m: m["scheme"], url.strip())


class Repository:
    """A git repository opened with gitpython; answers in plain data, raises RepositoryError."""

    def __init__(self, path: str) -> None:
        import git

        self.path = path
        try:
            self._repo: git.Repo = git.Repo(path, search_parent_directories=False)
        except git.NoSuchPathError as e:
            raise RepositoryError(f"{path}: no such directory") from e
        except git.InvalidGitRepositoryError as e:
            raise RepositoryError(f"{path}: not a git repository") from e

    @property
    def is_shallow(self) -> bool:
        """True for a shallow clone (CI checkouts with fetch-depth 1): history may be missing."""
        return os.path.exists(os.path.join(self._repo.git_dir, "shallow"))

    def commit(self, sha: str) -> CommitInfo | None:
        """The commit with this full SHA, or None when the repository does not have it."""
        import git

        try:
            # `^{commit}` refuses trees and blobs that happen to carry the SHA.
            c = self._repo.commit(sha + "^{commit}")
        except (git.BadName, git.BadObject, ValueError):
            return None
        return CommitInfo(sha=c.hexsha, author_name=c.author.name or "", author_email=c.author.email or "")

    def branch_refs(self, branch: str) -> list[str]:
        """Refs for `branch`: the local branch and every remote-tracking `<remote>/<branch>`."""
        refs = [h.path for h in self._repo.heads if h.name == branch]
        for remote in self._repo.remotes:
            try:
                remote_refs: list[Any] = list(remote.refs)
            except AssertionError:  # gitpython asserts when a remote has no refs yet
                continue
            refs.extend(r.path for r in remote_refs if r.remote_head == branch)
        return refs

    def is_reachable(self, sha: str, ref: str) -> bool:
        """True when the commit is `ref` or one of its ancestors (`git merge-base --is-ancestor`)."""
        import git

        try:
            return bool(self._repo.is_ancestor(self._repo.commit(sha), self._repo.commit(ref)))
        except (git.GitCommandError, git.BadName, ValueError) as e:
            raise RepositoryError(f"{self.path}: cannot compare {sha[:12]} with {ref}: {e}") from e

    def remote_urls(self) -> dict[str, list[str]]:
        """Every remote's URLs (fetch and push), user-info stripped, by remote name."""
        out: dict[str, list[str]] = {}
        for remote in self._repo.remotes:
            out[remote.name] = [strip_userinfo(u) for u in remote.urls]
        return out


class LazyRepository:
    """A repository path, opened on first use and then shared by every check of the command."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._opened: Repository | RepositoryError | None = None

    def open(self) -> Repository:
        """The opened repository; the same RepositoryError each time when it cannot be opened."""
        if self._opened is None:
            try:
                self._opened = Repository(self.path)
            except RepositoryError as e:
                self._opened = e
        if isinstance(self._opened, RepositoryError):
            raise self._opened
        return self._opened


def describe_worktree(path: str) -> dict[str, Any]:
    """What a training job should record about the code it runs from.

    Keys: `commit` (full SHA, None before the first commit), `branch` (None on a detached HEAD),
    `repo_url` (the `origin` remote, else the first remote, else None; user-info stripped) and
    `dirty` (True when tracked files are modified or staged, or untracked files exist that are not
    ignored: code that is not in the commit may have been run).
    """
    import git

    try:
        repo = git.Repo(path, search_parent_directories=True)
    except (git.NoSuchPathError, git.InvalidGitRepositoryError) as e:
        raise RepositoryError(f"{path}: not a git repository") from e
    try:
        commit: str | None = repo.head.commit.hexsha
    except ValueError:  # unborn branch: no commit yet
        commit = None
    branch = None if repo.head.is_detached else repo.active_branch.name
    remotes = {r.name: r for r in repo.remotes}
    remote = remotes.get("origin") or next(iter(remotes.values()), None)
    url = strip_userinfo(next(iter(remote.urls))) if remote is not None else None
    return {
        "commit": commit,
        "branch": branch,
        "repo_url": url,
        "dirty": repo.is_dirty(index=True, working_tree=True, untracked_files=True),
    }
