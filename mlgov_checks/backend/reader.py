"""Every read the commands make: targets resolved to records in batches, plus the registry's state."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

from mlgov_checks.backend import config, scan
from mlgov_checks.backend import convert as records
from mlgov_checks.backend.artifacts import Evidence
from mlgov_checks.backend.client import Client
from mlgov_checks.backend.failures import retarget
from mlgov_checks.backend.resolve import Problem, Resolution, Resolved, no_model
from mlgov_checks.backend.scan import quote
from mlgov_checks.backend.spec import FetchSpec
from mlgov_checks.errors import EvaluationError, NotFoundError
from mlgov_checks.records import ModelRecord, ModelVersionRecord, RunRecord
from mlgov_checks.targets import Target

WORKERS = 8  # per-version artifact work in flight; the default server has a handful of workers
DECISIONS_EXPERIMENT = "mlgov-decisions"  # the append-only decision log: one run per decision


class Reader:
    """Reads through one Client; each method makes as few requests as its answer allows."""

    def __init__(self, client: Client, *, workers: int = WORKERS) -> None:
        self.client = client
        self.workers = max(1, workers)

    @property
    def shown_uri(self) -> str:
        return self.client.shown_uri

    # -- the registry ---------------------------------------------------------------------------------

    def versions_of(self, name: str) -> dict[str, ModelVersionRecord]:
        """Every version of a registered model (no runs): one paged search, whatever the targets."""
        c = self.client.client
        found = self.client.paged(f"models:/{name}", lambda tok: c.search_model_versions(
            f"name = {quote(name)}", max_results=config.VERSION_PAGE, page_token=tok))
        return {str(v.version): records.version_record(v) for v in found}

    def existing_versions(self, name: str) -> dict[str, ModelVersionRecord]:
        """`versions_of`, for a command about one model: none is a NotFoundError (exit 3)."""
        found = self.versions_of(name)
        if not found:
            raise NotFoundError(no_model(name, self.shown_uri))
        return found

    def run(self, run_id: str) -> RunRecord | None:
        """One run by id, None when there is none."""
        found = self.client.or_none(f"runs:/{run_id}", lambda: self.client.client.get_run(run_id))
        return records.run_record(found) if found is not None else None

    def version_by_alias(self, name: str, alias: str) -> ModelVersionRecord | None:
        """The version an alias points at, or None when the model has no such alias."""
        mv = self.client.or_none(f"models:/{name}@{alias}",
                                 lambda: self.client.client.get_model_version_by_alias(name, alias))
        return records.version_record(mv) if mv is not None else None

    def model_aliases(self, name: str) -> dict[str, str]:
        """Alias -> version number, for one registered model (search results carry no aliases)."""
        model = self.client.call(f"models:/{name}", lambda: self.client.client.get_registered_model(name))
        return {str(a): str(v) for a, v in (getattr(model, "aliases", None) or {}).items()}

    def model_tags(self, name: str) -> dict[str, str]:
        """The registered model's own tags."""
        model = self.client.call(f"models:/{name}", lambda: self.client.client.get_registered_model(name))
        return {str(k): str(v) for k, v in (getattr(model, "tags", None) or {}).items()}

    def run_file(self, run_id: str, artifact_uri: str, path: str, limit: int = 1 << 20) -> bytes | None:
        """A file of a run's artifacts (at most `limit + 1` bytes), None when the run has none there.

        Listed first: a missing file is then no download (MLflow 2.x's proxy answers a missing one
        with HTTP 500, not 404).
        """
        import posixpath

        from mlgov_checks.backend import stores

        what = f"runs:/{run_id}"
        repo = self.client.artifact_repository(what, artifact_uri)
        folder = posixpath.dirname(path)
        listed = self.client.call(what, lambda: repo.list_artifacts(folder or None), per_target=True)
        if path not in {f.path.rstrip("/") for f in listed if not f.is_dir}:
            return None
        return self.client.call(what, lambda: stores.read_bounded(repo, path, limit), per_target=True)

    def registered_models(self, filter_string: str | None = None) -> list[ModelRecord]:
        """Every registered model (matching MLflow's search syntax when given), by name."""
        return scan.registered_models(self.client, filter_string)

    def versions_of_models(self, names: Sequence[str]) -> dict[str, list[ModelVersionRecord]]:
        """Every version of every named model, without runs, in as few searches as the server allows."""
        return scan.versions_of_models(self.client, names)

    def runs(self, run_ids: Sequence[str], experiments: Mapping[str, str] | None = None) -> dict[str, RunRecord]:
        """Runs by id, deleted ones included: `search_runs` on `attributes.run_id IN (...)` in chunks.

        Each call names only the experiments wanted: those `experiments` (run id -> experiment id,
        read from the versions' sources) knows, then the server's experiments 100 at a time until
        every run is found (one call with every experiment id hits request limits on large servers).
        """
        ids = sorted(set(run_ids))
        if not ids:
            return {}
        from mlflow.entities import ViewType

        out: dict[str, RunRecord] = {}
        by_experiment: dict[str, list[str]] = {}
        for r in ids:
            if experiments and r in experiments:
                by_experiment.setdefault(experiments[r], []).append(r)
        for experiment, wanted in sorted(by_experiment.items()):
            self._search_runs([experiment], wanted, out)
        rest = [r for r in ids if r not in out]
        if not rest:
            return out
        c = self.client.client
        known = [e.experiment_id for e in self.client.paged("experiments", lambda tok: (
            c.search_experiments(view_type=ViewType.ALL, max_results=config.PAGE, page_token=tok)))]
        for i in range(0, len(known), config.EXPERIMENT_CHUNK):
            self._search_runs(known[i:i + config.EXPERIMENT_CHUNK], rest, out)
            rest = [r for r in rest if r not in out]
            if not rest:
                break
        return out

    def _search_runs(self, experiments: list[str], ids: Sequence[str], out: dict[str, RunRecord]) -> None:
        from mlflow.entities import ViewType

        c = self.client.client
        for i in range(0, len(ids), config.RUN_CHUNK):
            where = "attributes.run_id IN ({})".format(", ".join(quote(r) for r in ids[i:i + config.RUN_CHUNK]))
            for run in self.client.paged("runs", lambda tok, w=where: c.search_runs(  # type: ignore[misc]
                    experiments, w, run_view_type=ViewType.ALL, max_results=config.PAGE, page_token=tok)):
                out[run.info.run_id] = records.run_record(run)

    def decisions_experiment(self) -> str | None:
        """The decision log's experiment id, None before the first decision."""
        exp = self.client.call(f"experiment {DECISIONS_EXPERIMENT}",
                               lambda: self.client.client.get_experiment_by_name(DECISIONS_EXPERIMENT))
        return str(exp.experiment_id) if exp is not None else None

    def decisions(self, tagged: tuple[str, str] | None = None) -> list[RunRecord]:
        """Every decision run (those whose tag `tagged[0]` is `tagged[1]`, when given), oldest first:
        one paged search (pages of search_runs' own cap for the whole log)."""
        from mlflow.entities import ViewType

        experiment = self.decisions_experiment()
        if experiment is None:
            return []
        c = self.client.client
        where = f"tags.`{tagged[0]}` = {quote(tagged[1])}" if tagged is not None else ""
        size = config.PAGE if tagged is not None else config.RUN_PAGE
        found = self.client.paged("decision log", lambda tok: c.search_runs(
            [experiment], where, run_view_type=ViewType.ACTIVE_ONLY, max_results=size,
            order_by=["attributes.start_time ASC"], page_token=tok))
        return [records.run_record(r) for r in found]

    # -- targets -> records ---------------------------------------------------------------------------

    def resolve(self, targets: Sequence[Target], spec: FetchSpec) -> list[Resolved]:
        """Records for every target, in order; a target that fails is a Resolved with an error."""
        return Resolution(self, targets, spec).run()

    def download_model(self, version: ModelVersionRecord, dest: str) -> tuple[int, str] | None:
        """The version's model files written below `dest`: (how many, where its signature belongs in the
        version's run); None when the model's files cannot be located."""
        return Evidence(self.client, version, FetchSpec()).download(dest)

    def add_evidence(self, found: dict[str, ModelVersionRecord], spec: FetchSpec,
                     problems: dict[str, Problem]) -> None:
        """Artifact evidence for every version, concurrently; a version that fails moves to `problems`."""
        if not found:
            return

        def one(item: tuple[str, ModelVersionRecord]) -> tuple[str, ModelVersionRecord | EvaluationError]:
            key, rec = item
            try:
                return key, Evidence(self.client, rec, spec).collect()
            except EvaluationError as e:
                return key, e

        with ThreadPoolExecutor(max_workers=min(self.workers, len(found)),
                                thread_name_prefix="mlgov-evidence") as pool:
            for key, result in pool.map(one, list(found.items())):
                if isinstance(result, EvaluationError):
                    problems[key] = (retarget(result.message, key), result.hint)
                    del found[key]
                else:
                    found[key] = result

