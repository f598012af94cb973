"""A model version's evidence: the artifact paths the policy asks for, and the card's bytes."""

from __future__ import annotations

import os
import posixpath
import tempfile
from dataclasses import dataclass, field, replace
from typing import Any

from mlgov_checks.backend.client import Client
from mlgov_checks.backend.spec import FetchSpec
from mlgov_checks.records import CardArtifact, ModelVersionRecord


def _depth(path: str) -> int:
    return path.strip("/").count("/")


@dataclass
class _Listings:
    """Directory listings of one artifact store, each fetched at most once."""

    client: Client
    what: str
    repo: Any
    seen: dict[str, set[str]] = field(default_factory=dict)

    def listed(self, directory: str) -> set[str]:
        if directory not in self.seen:
            infos = self.client.call(self.what, lambda: self.repo.list_artifacts(directory or None))
            self.seen[directory] = {f.path.rstrip("/") for f in infos}
        return self.seen[directory]

    def pruned(self, path: str) -> bool:
        """A parent directory is absent from a listing already fetched: no need to list it."""
        parent = posixpath.dirname(path)
        while parent:
            above = posixpath.dirname(parent)
            known = self.seen.get(above)
            if known is not None and parent not in known:
                return True
            parent = above
        return False

    def exists(self, path: str) -> bool:
        return not self.pruned(path) and path in self.listed(posixpath.dirname(path))


class Evidence:
    """Finds one version's evidence with as few listing requests as the paths allow."""

    def __init__(self, client: Client, version: ModelVersionRecord, spec: FetchSpec) -> None:
        self.client = client
        self.version = version
        self.spec = spec
        self.what = version.target
        run = version.run
        self.run_store: _Listings | None = None
        if run is not None and run.artifact_uri:
            repo = client.artifact_repository(self.what, run.artifact_uri)
            self.run_store = _Listings(client, self.what, repo)
        self._model: tuple[str, _Listings] | None = None
        self._model_read = False

    def logged_model(self) -> tuple[str, _Listings] | None:
        """(name, listings) of the MLflow 3 logged model behind the version, read on first use."""
        model_id = self.version.model_id
        if not model_id or self._model_read:
            return self._model
        self._model_read = True
        model = self.client.call(self.what, lambda: self.client.client.get_logged_model(model_id))
        repo = self.client.artifact_repository(self.what, model.artifact_location)
        self._model = (model.name, _Listings(self.client, self.what, repo))
        return self._model

    def exists(self, path: str) -> bool:
        path = path.strip("/")
        if self.run_store is not None and self.run_store.exists(path):
            return True
        lm = self.logged_model() if "/" in path else None
        if lm is not None and path.startswith(lm[0] + "/"):
            return lm[1].exists(path[len(lm[0]) + 1:])
        return False

    def collect(self) -> ModelVersionRecord:
        """The version with `artifacts` (the asked-for paths that exist) and `card` filled in."""
        if self.run_store is None:
            return replace(self.version, artifacts=())
        spec = self.spec
        card_path = (spec.card_artifact or "").strip("/")
        # Shallow paths first: a root listing (needed for requirements.txt anyway) then prunes the
        # directories that do not exist, so a missing directory costs no request.
        required = sorted((p for p in spec.artifacts if p.strip("/") != card_path), key=_depth)
        if spec.requirements and min(map(_depth, spec.requirements)) == 0:
            self.run_store.listed("")
        found = [p for p in required if self.exists(p)]
        found += next(([p] for p in spec.requirements if self.exists(p)), [])
        card = self.card(card_path) if card_path else None
        if card is not None:
            found.append(card_path)
        return replace(self.version, artifacts=tuple(dict.fromkeys(found)), card=card)

    def card(self, path: str) -> CardArtifact | None:
        """Download the card with one GET (a 404 means it is missing); read at most max_bytes + 1."""
        if self.run_store is None:  # invariant: collect() checked it
            return None
        repo = self.run_store.repo
        limit = self.spec.card_max_bytes
        with tempfile.TemporaryDirectory(prefix="mlgov-card-") as tmp:
            local = os.path.join(tmp, "card.yaml")
            if self.client.or_none(self.what, lambda: repo._download_file(path, local) or True) is None:
                return None
            if not os.path.isfile(local):
                return None
            with open(local, "rb") as fh:
                content = fh.read(limit + 1)
        return CardArtifact(artifact_path=path, display_path=f"{self.what}/{path}", content=content)
