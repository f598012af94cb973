"""A version's model files, each streamed once into its sha256: the root digest approvals and signatures name.

The model is what the version points at: the MLflow 3 logged model's artifacts (`models:/m-...`),
else the directory of the run's artifacts its source names (`runs:/ID/path`, or that path under
the run's artifact root). MLflow's `registered_model_meta` (added to downloads) is not the model.
The MLmodel file's bytes are kept as they stream by, so the signature check never reads it again.
"""

from __future__ import annotations

import functools
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from mlgov_checks.backend import stores
from mlgov_checks.evidence import digests
from mlgov_checks.records import ModelVersionRecord


class Listings(Protocol):
    """One artifact store's listings (artifacts._Listings)."""

    repo: Any

    def listed(self, directory: str) -> dict[str, int | None]: ...


class Source(Protocol):
    """What hashing reads from one version's evidence (artifacts.Evidence)."""

    version: ModelVersionRecord
    model: ModelVersionRecord  # where its model files come from (a copy: the copied version)
    what: str
    client: Any
    run_store: Any

    def logged_model(self) -> Any: ...


@dataclass(frozen=True)
class Hashed:
    digest: digests.ModelDigest | None
    location: str  # where the files were read, as a user would name it
    note: str | None = None  # why there is no digest
    mlmodel: bytes | None = None  # the MLmodel file, when it is at most `limit` bytes


def walk(store: Listings, base: str) -> list[str]:
    """Every file under `base` (relative to the store's root), recursively: one listing per directory."""
    found: list[str] = []
    pending = [base]
    while pending:
        directory = pending.pop()
        for path, size in sorted(store.listed(directory).items()):
            if size is None and path != directory:
                pending.append(path)
            elif size is not None:
                found.append(path)
    return found


def hash_model(evidence: Source, *, limit: int) -> Hashed:
    """The digest of the version's model files, streaming each file once."""
    version = evidence.model  # a copied version: the model of the version it copies
    logged = evidence.logged_model()
    if logged is not None:
        store, base, location = logged[1], "", f"models:/{version.model_id}"
    else:
        run = version.run
        dirs = model_dirs(version, run.artifact_uri or "" if run else "")
        if evidence.run_store is None or not dirs:
            return Hashed(None, version.source or "(none)", f"the model files of source {version.source!r} "
                                                            "are not in the run's artifacts or a logged model")
        store, base, location = evidence.run_store, dirs[0], f"runs:/{version.run_id}/{dirs[0]}"
    paths = walk(store, base)
    files: list[digests.FileDigest] = []
    mlmodel: bytes | None = None
    for path in paths:
        rel = posixpath.relpath(path, base) if base else path
        if digests.ignored(rel):
            continue
        kept: list[bytes] = []
        room = limit + 1 if rel == "MLmodel" else 0
        sha, size = evidence.client.call(evidence.what, functools.partial(_hash, store, path, kept, room),
                                         per_target=True)
        files.append(digests.FileDigest(rel, sha, size))
        if room and size <= limit:
            mlmodel = b"".join(kept)
    # No files is a state too: an approval of it no longer counts once files appear.
    return Hashed(digests.ModelDigest.of(files), location, None, mlmodel)


def _hash(store: Listings, path: str, kept: list[bytes], room: int) -> tuple[str, int]:
    """(sha256, size) of one file; its first `room` bytes are appended to `kept`."""
    seen = 0

    def tee() -> Iterator[bytes]:
        nonlocal seen
        for block in stores.stream(store.repo, path):
            if seen < room:
                kept.append(block[:room - seen])
            seen += len(block)
            yield block

    return digests.sha256_stream(tee())


def model_dirs(version: ModelVersionRecord, artifact_uri: str) -> list[str]:
    """Where the registered model's files are, relative to its run's artifacts (any artifact path).

    `runs:/ID/any/path` (both majors), or the resolved `<artifact root>/any/path` that MLflow 2.x
    stores as the source; a logged model (MLflow 3, `models:/m-...`) is listed under its name.
    """
    source = (version.source or "").rstrip("/")
    prefix = f"runs:/{version.run_id}/"
    root = artifact_uri.rstrip("/") + "/"
    if version.run_id and source.startswith(prefix):
        found = source[len(prefix):].strip("/")
    elif artifact_uri and source.startswith(root):
        found = source[len(root):].strip("/")
    else:
        found = ""
    return [found] if found else []


SIGNATURES = "mlgov/signatures"  # where `mlgov sign` stores a model's signature, in the version's run
SIGNATURE_LIMIT = 1 << 20


def signature_path(version: ModelVersionRecord, model_dir: str | None) -> str:
    """Where the signature of the version's model is kept in the version's run: by logged model or run directory."""
    key = version.model_id if model_dir is None else model_dir.strip("/")
    return f"{SIGNATURES}/{key}.sig"


def write_files(store: Listings, base: str, dest: str, *, call: Any) -> int:
    """Every model file under `base` streamed once into `dest` (what `mlgov sign` signs): how many."""
    import os

    count = 0
    for path in walk(store, base):
        rel = posixpath.relpath(path, base) if base else path
        if digests.ignored(rel) or rel.startswith("../"):
            continue
        local = os.path.join(dest, *rel.split("/"))
        os.makedirs(os.path.dirname(local), exist_ok=True)

        def one(p: str = path, out: str = local) -> None:
            with open(out, "wb") as fh:
                for chunk in stores.stream(store.repo, p):
                    fh.write(chunk)

        call(one)
        count += 1
    return count
