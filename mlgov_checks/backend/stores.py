"""Artifact stores across MLflow 2.16 to 3.x clients: repositories and reads bounded in bytes."""

from __future__ import annotations

import inspect
import os
import posixpath
from collections.abc import Iterator
from typing import Any

CHUNK = 64 * 1024


def artifact_repository(artifact_uri: str, tracking_uri: str | None, destination: str | None = None) -> Any:
    """MLflow's repository for `artifact_uri`, resolved against `tracking_uri`.

    Only recent MLflow takes `tracking_uri=` (older clients resolve `mlflow-artifacts:` URIs against
    the process-wide tracking URI, which the Client sets for them: see `use_tracking_uri`).
    Inside `mlflow server` (`destination`: its `--artifacts-destination`), an `mlflow-artifacts:` URI
    names a place under that destination, as the server's own artifact handlers resolve it.
    """
    from mlflow.store.artifact.artifact_repository_registry import get_artifact_repository

    if destination and artifact_uri.startswith("mlflow-artifacts:"):
        from urllib.parse import urlparse

        relative = urlparse(artifact_uri).path.lstrip("/")
        return get_artifact_repository(posixpath.join(destination.rstrip("/"), relative))
    if "tracking_uri" in inspect.signature(get_artifact_repository).parameters:
        return get_artifact_repository(artifact_uri, tracking_uri=tracking_uri)
    return get_artifact_repository(artifact_uri)


def use_tracking_uri(tracking_uri: str | None) -> None:
    """Older clients read the tracking URI of `mlflow-artifacts:` URIs from the global setting."""
    if tracking_uri is None:
        return
    from mlflow.store.artifact.artifact_repository_registry import get_artifact_repository

    if "tracking_uri" not in inspect.signature(get_artifact_repository).parameters:
        import mlflow

        mlflow.set_tracking_uri(tracking_uri)


def read_bounded(repo: Any, path: str, limit: int) -> bytes:
    """At most `limit + 1` bytes of the artifact `path` (one more than allowed shows it is too large).

    Served artifacts are streamed and the connection dropped after the limit; a local artifact root
    is read directly; any other store is downloaded by MLflow (after the listing showed its size).
    """
    from mlflow.store.artifact.http_artifact_repo import HttpArtifactRepository
    from mlflow.store.artifact.local_artifact_repo import LocalArtifactRepository

    if isinstance(repo, LocalArtifactRepository):
        with open(os.path.join(repo.artifact_dir, *path.split("/")), "rb") as fh:
            return fh.read(limit + 1)
    if isinstance(repo, HttpArtifactRepository):
        import importlib

        rest: Any = importlib.import_module("mlflow.utils.rest_utils")  # untyped, and not re-exported
        resp = rest.http_request(repo._host_creds, posixpath.join("/", path), "GET", stream=True)
        try:
            rest.augmented_raise_for_status(resp)
            data = b""
            for chunk in resp.iter_content(chunk_size=CHUNK):
                data += chunk
                if len(data) > limit:
                    break
            return data[:limit + 1]
        finally:
            resp.close()
    import tempfile

    with tempfile.TemporaryDirectory(prefix="mlgov-card-") as tmp:
        local = os.path.join(tmp, "artifact")
        repo._download_file(path, local)
        with open(local, "rb") as fh:
            return fh.read(limit + 1)


def stream(repo: Any, path: str, chunk: int = CHUNK) -> Iterator[bytes]:
    """The whole artifact `path`, in chunks, read once: served artifacts over one streamed GET, a
    local artifact root directly, any other store through one download to a temporary file."""
    from mlflow.store.artifact.http_artifact_repo import HttpArtifactRepository
    from mlflow.store.artifact.local_artifact_repo import LocalArtifactRepository

    if isinstance(repo, LocalArtifactRepository):
        with open(os.path.join(repo.artifact_dir, *path.split("/")), "rb") as fh:
            while block := fh.read(chunk):
                yield block
        return
    if isinstance(repo, HttpArtifactRepository):
        import importlib

        rest: Any = importlib.import_module("mlflow.utils.rest_utils")
        resp = rest.http_request(repo._host_creds, posixpath.join("/", path), "GET", stream=True)
        try:
            rest.augmented_raise_for_status(resp)
            yield from resp.iter_content(chunk_size=chunk)
        finally:
            resp.close()
        return
    import tempfile

    with tempfile.TemporaryDirectory(prefix="mlgov-model-") as tmp:
        local = os.path.join(tmp, "artifact")
        repo._download_file(path, local)
        with open(local, "rb") as fh:
            while block := fh.read(chunk):
                yield block
