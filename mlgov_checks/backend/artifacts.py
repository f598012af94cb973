"""A model version's evidence: the artifact paths the policy asks for, and the card's bytes."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field, replace
from typing import Any

from mlgov_checks.backend import convert, model_files, stores
from mlgov_checks.backend.client import Client
from mlgov_checks.backend.model_files import Hashed, hash_model, model_dirs
from mlgov_checks.backend.origin import origin_of
from mlgov_checks.backend.spec import FetchSpec
from mlgov_checks.records import CardArtifact, ModelOrigin, ModelVersionRecord


def _depth(path: str) -> int:
    return path.strip("/").count("/")


@dataclass
class _Listings:
    """Directory listings of one artifact store, each fetched at most once."""

    client: Client
    what: str
    repo: Any
    seen: dict[str, dict[str, int | None]] = field(default_factory=dict)  # dir -> path -> size (None: dir)

    def listed(self, directory: str) -> dict[str, int | None]:
        if directory not in self.seen:
            infos = self.client.call(self.what, lambda: self.repo.list_artifacts(directory or None),
                                     per_target=True)
            self.seen[directory] = {f.path.rstrip("/"): (None if f.is_dir else f.file_size) for f in infos}
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


_COPY = re.compile(r"^models:/(?!m-)([^/]+)/([0-9]+)/?$")  # a registered version, not a logged model
_MAX_COPIES = 3


class Evidence:
    """Finds one version's evidence with as few listing requests as the paths allow."""

    def __init__(self, client: Client, version: ModelVersionRecord, spec: FetchSpec) -> None:
        self.client = client
        self.version = version
        self.spec = spec
        self.what = version.target
        self.model = self._copied_from(version)  # where the version's model files come from
        run = version.run
        self.run_store: _Listings | None = None
        if run is not None and run.artifact_uri:
            repo = client.artifact_repository(self.what, run.artifact_uri)
            self.run_store = _Listings(client, self.what, repo)
        self._model: tuple[str, _Listings] | None = None
        self._model_read = False
        self._model_run: str | None = None  # the logged model's source run

    def _copied_from(self, version: ModelVersionRecord) -> ModelVersionRecord:
        """A version made by `copy_model_version` (source `models:/NAME/N`) holds no model of its own:
        its model is the copied version's (followed through at most `_MAX_COPIES` copies)."""
        for _ in range(_MAX_COPIES):
            m = _COPY.match((version.source or "").strip())
            if not m:
                return version
            src = self._registered(m[1], m[2])
            version = replace(version, source=src.source, model_id=getattr(src, "model_id", None) or None)
        return version

    def _registered(self, name: str, number: str) -> Any:
        return self.client.call(self.what, lambda: self.client.client.get_model_version(name, number),
                                per_target=True)

    def logged_model(self) -> tuple[str, _Listings] | None:
        """(name, listings) of the MLflow 3 logged model behind the version, read on first use."""
        model_id = self.model.model_id
        if not model_id or self._model_read:
            return self._model
        self._model_read = True
        model = self.client.call(self.what, lambda: self.client.client.get_logged_model(model_id),
                                 per_target=True)
        repo = self.client.artifact_repository(self.what, model.artifact_location)
        self._model = (model.name, _Listings(self.client, self.what, repo))
        self._model_run = getattr(model, "source_run_id", None) or None
        return self._model

    def origin(self) -> ModelOrigin:
        """The run the model comes from; that run read too when it is not the version's own."""
        run = self.version.run
        logged = (self.model.model_id, self._model_run) if self.logged_model() and self.model.model_id else None
        found = origin_of(self.model, artifact_uri=(run.artifact_uri or "") if run else "", logged=logged)
        if found.run_id and found.run_id != self.version.run_id:
            rid = found.run_id
            other = self.client.or_none(f"run {rid}", lambda: self.client.client.get_run(rid), per_target=True)
            return replace(found, run=convert.run_record(other) if other is not None else None)
        return found

    def model_store(self) -> tuple[_Listings, str, str | None] | None:
        """(store, directory in it, signature key) of the version's model files, None when unknown."""
        lm = self.logged_model()
        if lm is not None:
            return lm[1], "", None
        run = self.version.run
        dirs = model_dirs(self.model, run.artifact_uri or "" if run else "")
        if dirs and self.run_store is not None:
            return self.run_store, dirs[0], dirs[0]
        return None

    def signature(self) -> tuple[str | None, bytes | None]:
        """(where the model's signature belongs in the run, its bytes when it is there)."""
        found = self.model_store()
        if found is None or self.run_store is None:
            return None, None
        path = model_files.signature_path(self.version, found[2])
        store, limit = self.run_store, model_files.SIGNATURE_LIMIT
        if not store.exists(path):
            return path, None
        return path, self.client.call(self.what, lambda: stores.read_bounded(store.repo, path, limit), per_target=True)

    def download(self, dest: str) -> tuple[int, str] | None:
        """Every model file written below `dest`, each streamed once: (how many, the signature's path)."""
        found = self.model_store()
        if found is None:
            return None
        store, base, key = found
        count = model_files.write_files(store, base, dest,
                                        call=lambda f: self.client.call(self.what, f, per_target=True))
        return count, model_files.signature_path(self.version, key)

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
            return replace(self.version, artifacts=(), model_origin=self.origin())
        spec = self.spec
        card_path = (spec.card_artifact or "").strip("/")
        # Shallow paths first: a root listing (needed for requirements.txt anyway) then prunes the
        # directories that do not exist, so a missing directory costs no request.
        required = sorted((p for p in spec.artifacts if p.strip("/") != card_path), key=_depth)
        if spec.requirements and min(map(_depth, spec.requirements)) == 0:
            self.run_store.listed("")
        found = [p for p in required if self.exists(p)]
        found += next(([p] for p in spec.requirements if self.exists(p)), [])
        lm = self.logged_model()
        run = self.version.run
        dirs = model_dirs(self.model, run.artifact_uri or "" if run else "")
        model_files: list[str] = []
        for model_dir in dict.fromkeys([*dirs, *([lm[0]] if lm else [])]):
            model_files += [p for p in (f"{model_dir}/MLmodel",) if self.exists(p)]
            found += [p for p in (f"{model_dir}/MLmodel", f"{model_dir}/requirements.txt") if self.exists(p)]
        card = self.card(card_path) if card_path and not self.run_store.pruned(card_path) else None
        if card is not None:
            found.append(card_path)
        hashed = self.hash_model(lm[0] if lm else (dirs[0] if dirs else None))
        model_file = None
        if spec.model_file and model_files:
            kept = hashed[1] if hashed is not None and hashed[0] == model_files[0] else None
            model_file = (CardArtifact(artifact_path=model_files[0], display_path=f"{self.what}/{model_files[0]}",
                                       content=kept, size=len(kept)) if kept is not None else self.read(model_files[0]))
        files = hashed[2] if hashed is not None else None
        sig_path, signature = self.signature() if spec.model_signature else (None, None)
        return replace(self.version, artifacts=tuple(dict.fromkeys(found)), card=card, model_file=model_file,
                       model_digest=files.digest if files else None, model_digest_note=files.note if files else None,
                       model_origin=self.origin(), model_signature=signature, model_signature_path=sig_path)

    def hash_model(self, model_dir: str | None) -> tuple[str, bytes | None, Hashed] | None:
        """(the hashed model's MLmodel path, its bytes, the digest), when the spec asks for this version's."""
        spec = self.spec
        prefix = spec.model_digest_tag_prefix
        if not spec.model_digest and not (prefix and any(k.startswith(prefix) for k in self.version.tags)):
            return None
        hashed = hash_model(self, limit=spec.card_max_bytes)
        return f"{model_dir}/MLmodel", hashed.mlmodel, hashed

    def read(self, path: str) -> CardArtifact:
        """One listed file, from the run's artifacts or the logged model's, at most max_bytes + 1."""
        store, rel = self.run_store, path
        lm = self._model
        if (store is None or not store.exists(path)) and lm is not None and path.startswith(lm[0] + "/"):
            store, rel = lm[1], path[len(lm[0]) + 1:]
        if store is None:  # invariant: only listed paths are read
            raise AssertionError(f"{path} is in no listed store")
        limit = self.spec.card_max_bytes
        repo = store.repo
        content = self.client.call(self.what, lambda: stores.read_bounded(repo, rel, limit), per_target=True)
        return CardArtifact(artifact_path=path, display_path=f"{self.what}/{path}", content=content,
                            size=len(content))

    def card(self, path: str) -> CardArtifact | None:
        """The card: its size from the directory listing, then a read of at most max_bytes + 1.

        Absent from the listing means missing (no download, so no store-specific "not found", such
        as MLflow 2.x's proxy answering HTTP 500 or a local store's FileNotFoundError); over the
        limit, it is refused unread.
        """
        if self.run_store is None:  # invariant: collect() checked it
            return None
        store = self.run_store
        limit = self.spec.card_max_bytes
        sizes = store.listed(posixpath.dirname(path))
        if path not in sizes:
            return None
        size = sizes[path]
        shown = f"{self.what}/{path}"
        if size is not None and size > limit:
            return CardArtifact(artifact_path=path, display_path=shown, content=b"", size=size)
        content = self.client.call(self.what, lambda: stores.read_bounded(store.repo, path, limit), per_target=True)
        return CardArtifact(artifact_path=path, display_path=shown, content=content, size=len(content))
