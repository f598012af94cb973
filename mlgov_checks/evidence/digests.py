"""Content digests: one root sha256 over a model's files (the OpenSSF model-signing manifest), a card's, a policy's.

The root digest is computed as the model-signing library computes its subject digest (`files`
serialization, sha256): each file's sha256 over its bytes, then sha256 over the raw per-file digests
in the order of their sorted relative POSIX paths. A model signed with `model-signing` therefore has
the same root digest as the one an approval names. Files are read as streams, once.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

CHUNK = 1 << 20
# Added to a download by MLflow (`models:/` URIs) and never part of what was logged or signed.
MLFLOW_ADDED = frozenset({"registered_model_meta"})
# What the model-signing library ignores by default: version control, never the model.
VCS = frozenset({".git", ".gitattributes", ".github", ".gitignore"})
IGNORED = MLFLOW_ADDED | VCS


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_stream(chunks: Iterable[bytes]) -> tuple[str, int]:
    """(hex sha256, size) of a stream of byte chunks, read once."""
    h = hashlib.sha256()
    size = 0
    for chunk in chunks:
        h.update(chunk)
        size += len(chunk)
    return h.hexdigest(), size


def ignored(path: str, extra: Iterable[str] = ()) -> bool:
    """Not part of the model: MLflow's download marker, version control, or a name in `extra`
    (such as the model signature file itself). A name matches any component of the path."""
    names = IGNORED | frozenset(extra)
    parts = path.strip("/").split("/")
    return any(p in names for p in parts) or path.strip("/") in names


@dataclass(frozen=True, slots=True)
class FileDigest:
    path: str  # relative POSIX path inside the model directory
    sha256: str
    size: int


@dataclass(frozen=True)
class ModelDigest:
    """Every file of a model and the root digest over them."""

    files: tuple[FileDigest, ...]  # sorted by path
    root: str

    @classmethod
    def of(cls, files: Iterable[FileDigest]) -> ModelDigest:
        ordered = tuple(sorted(files, key=lambda f: f.path))
        paths = [f.path for f in ordered]
        if len(set(paths)) != len(paths):
            raise ValueError("a model cannot list one path twice")
        return cls(files=ordered, root=root_digest(ordered))

    def by_path(self) -> dict[str, str]:
        return {f.path: f.sha256 for f in self.files}


def root_digest(files: Sequence[FileDigest]) -> str:
    """sha256 over the raw per-file digests in sorted path order (model-signing's subject digest)."""
    h = hashlib.sha256()
    for f in sorted(files, key=lambda f: f.path):
        h.update(bytes.fromhex(f.sha256))
    return h.hexdigest()


def changes(before: Mapping[str, str], after: Mapping[str, str], *, limit: int = 5) -> list[str]:
    """What differs between two {path: sha256} manifests: changed, added and removed files, named."""
    changed = sorted(p for p in before.keys() & after.keys() if before[p] != after[p])
    added = sorted(after.keys() - before.keys())
    removed = sorted(before.keys() - after.keys())
    out: list[str] = []
    for verb, paths in (("changed", changed), ("added", added), ("removed", removed)):
        if paths:
            shown = ", ".join(paths[:limit]) + (f" and {len(paths) - limit} more" if len(paths) > limit else "")
            out.append(f"{verb}: {shown}")
    return out


def file_chunks(path: str, chunk: int = CHUNK) -> Iterator[bytes]:
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            yield block


def digest_directory(root: str, *, ignore: Iterable[str] = ()) -> ModelDigest:
    """The digest of a model directory on disk (what a training helper or `mlgov sign` has).

    Symbolic links are refused, as model-signing refuses them by default: a link can point
    outside the model after it was approved.
    """
    extra = tuple(ignore)
    found: list[FileDigest] = []
    for base, dirs, names in os.walk(root):
        dirs.sort()
        for name in sorted(names) + [d for d in dirs if os.path.islink(os.path.join(base, d))]:
            full = os.path.join(base, name)
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            if ignored(rel, extra):
                continue
            if os.path.islink(full):
                raise ValueError(f"{rel} is a symbolic link: a model's files must be regular files")
            digest, size = sha256_stream(file_chunks(full))
            found.append(FileDigest(rel, digest, size))
    return ModelDigest.of(found)
