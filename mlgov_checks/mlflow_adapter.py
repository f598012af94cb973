"""The only module that imports mlflow: targets -> records, fetched in batches, errors made ours."""

from __future__ import annotations

import importlib.util
import os
import posixpath
import re
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from mlgov_checks.errors import EvaluationError, MissingExtraError, UsageError
from mlgov_checks.policy import Policy
from mlgov_checks.records import CardArtifact, ModelVersionRecord, RunRecord
from mlgov_checks.secrets import mask

T = TypeVar("T")

RUN_CHUNK = 100  # run ids per search_runs filter: keeps the filter string well under URL limits
PAGE = 1000
WORKERS = 8  # per-version artifact work in flight; the default server has a handful of workers
RETRIES = 2  # MLflow's client retries 7 times with exponential backoff by default: minutes

_RUN_ID = re.compile(r"^[0-9a-zA-Z_-]{1,64}$")
_MODEL = re.compile(r"^models:/(?P<name>[^/@]+?)(?:@(?P<alias>[^/@]+)|/(?P<ref>[^/@]+))$")
_LOGGED_MODEL = re.compile(r"^models:/(m-[0-9a-f]{32})/?$")
_HTTP_STATUS = re.compile(r"(?:error code|status code|HTTP)\s*(\d{3})|^(\d{3}) (?:Client|Server) Error")
_UNREACHABLE = ("Max retries exceeded", "Connection refused", "Failed to establish", "timed out",
                "Read timed out", "ConnectionError", "ConnectTimeout", "Name or service not known",
                "Connection aborted", "RemoteDisconnected")
_GAVE_UP = re.compile(r"too many (\d{3}) error responses")  # urllib3 retried a 429/5xx answer, then gave up
_OWN_ENV: set[str] = set()  # the MLflow variables this process set itself (not the user's)
_ENV_LOCK = threading.Lock()


@dataclass(frozen=True)
class Target:
    """A parsed target: a run, or a model version by number, alias or `latest`."""

    text: str
    run_id: str | None = None
    name: str | None = None
    version: str | None = None
    alias: str | None = None
    latest: bool = False

    @property
    def is_model(self) -> bool:
        return self.name is not None


def parse_target(text: str) -> Target:
    """`runs:/ID`, a bare run id, `models:/NAME/VERSION`, `models:/NAME@ALIAS`, `models:/NAME/latest`."""
    t = text.strip()
    if t.startswith("runs:/"):
        run_id = t[len("runs:/"):].strip("/")
        if _RUN_ID.match(run_id):
            return Target(text, run_id=run_id)
    elif t.startswith("models:/"):
        m = _MODEL.match(t)
        if m and m["alias"]:
            return Target(text, name=m["name"], alias=m["alias"])
        if m and m["ref"] == "latest":
            return Target(text, name=m["name"], latest=True)
        if m and m["ref"].isdigit():
            return Target(text, name=m["name"], version=str(int(m["ref"])))
    elif _RUN_ID.match(t) and ":" not in t:
        return Target(text, run_id=t)
    raise UsageError(f"not a target: {mask(text)!r}",
                     hint="use runs:/RUN_ID, RUN_ID, models:/NAME/VERSION, models:/NAME@ALIAS or "
                          "models:/NAME/latest")


def parse_targets(texts: Iterable[str]) -> list[Target]:
    """Parse every target first (a typo is exit 2 before any network call); drop repeats."""
    seen: dict[str, Target] = {}
    for text in texts:
        seen.setdefault(text.strip(), parse_target(text))
    return list(seen.values())


@dataclass(frozen=True)
class Resolved:
    """What the adapter found for one target: a record, or why it could not be evaluated."""

    target: Target
    record: RunRecord | ModelVersionRecord | None = None
    error: str | None = None
    hint: str | None = None
    baseline_note: str | None = None


@dataclass(frozen=True)
class Wanted:
    """What to fetch besides metadata."""

    evidence: bool = False  # artifact listings and the card, per model version
    baseline_alias: str | None = None  # resolve this alias of each model as the metrics baseline


def bound_retries(timeout: float) -> None:
    """Bound MLflow's HTTP retries and per-request timeout unless the user set them.

    A dead server then fails within `timeout` seconds instead of MLflow's minutes
    (https://mlflow.org/docs/latest/python_api/mlflow.environment_variables.html).
    """
    per_request = max(1, int((timeout - 3) / (RETRIES + 1)))
    wanted = {"MLFLOW_HTTP_REQUEST_MAX_RETRIES": str(RETRIES),
              "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "1",
              "MLFLOW_HTTP_REQUEST_BACKOFF_JITTER": "0.2",
              "MLFLOW_HTTP_REQUEST_TIMEOUT": str(per_request),
              # urllib3 sleeps for a 429's Retry-After (up to 6 hours) outside any timeout: retry with
              # our bounded backoff instead (https://urllib3.readthedocs.io/en/stable/reference/urllib3.util.html)
              "MLFLOW_HTTP_RESPECT_RETRY_AFTER_HEADER": "false"}
    with _ENV_LOCK:
        for key, value in wanted.items():
            if key not in os.environ or key in _OWN_ENV:
                os.environ[key] = value
                _OWN_ENV.add(key)


def resolve_tracking_uri(tracking_uri: str | None) -> str | None:
    return tracking_uri or os.environ.get("MLFLOW_TRACKING_URI") or None


def _is_local(uri: str | None) -> bool:
    return uri is None or not re.match(r"^(https?|databricks|uc)(:|$)", uri)


def _extra(uri: str | None) -> str:
    return "local" if _is_local(uri) else "mlflow"


def _missing_extra(uri: str | None) -> MissingExtraError:
    return MissingExtraError(f"this command needs: pip install 'mlgov-checks[{_extra(uri)}]'")


def _status_of(exc: BaseException) -> int | None:
    response = getattr(exc, "response", None)
    code = getattr(response, "status_code", None)
    if isinstance(code, int):
        return code
    getter = getattr(exc, "get_http_status_code", None)
    if callable(getter) and getattr(exc, "error_code", None) not in (None, "INTERNAL_ERROR"):
        value = getter()
        if isinstance(value, int) and value != 500:
            return value
    m = _HTTP_STATUS.search(str(exc))
    if m:
        return int(m[1] or m[2])
    return None


class Unreachable(EvaluationError):
    """The tracking server did not answer: every further call would fail the same way."""

    reason = "tracking server unreachable"


class Adapter:
    """One MLflow client for a command: fetches what the checks read, in as few calls as possible."""

    def __init__(self, tracking_uri: str | None = None, *, timeout: float = 60.0,
                 workers: int = WORKERS) -> None:
        self.uri = resolve_tracking_uri(tracking_uri)
        self.timeout = timeout
        self.workers = max(1, workers)
        bound_retries(timeout)
        try:
            import mlflow
            from mlflow.tracking import MlflowClient
        except ImportError as e:
            raise _missing_extra(self.uri) from e
        self._mlflow = mlflow
        try:
            self.client = MlflowClient(tracking_uri=self.uri, registry_uri=self.uri)
            self.shown_uri = mask(self.client._tracking_client.tracking_uri if self.uri is None else self.uri)
        except ImportError as e:  # mlflow-skinny cannot open a sqlite store
            raise _missing_extra(self.uri) from e
        except Exception as e:  # noqa: BLE001 - a bad URI scheme, say which one
            if _is_local(self.uri) and importlib.util.find_spec("sqlalchemy") is None:
                raise _missing_extra(self.uri) from e  # mlflow-skinny: a local store needs full mlflow
            raise EvaluationError(f"cannot use tracking URI {mask(str(self.uri))}: {mask(_first_line(e))}") from e
        self._down: str | None = None  # why the server is unusable, once a call has shown it

    # -- error translation: once, here ------------------------------------------------------------

    def _unreachable(self, what: str, why: str | None = None) -> Unreachable:
        why = why or self._down or "tracking server unreachable"
        hint = ("the server is failing or rate-limiting requests: retry later" if "answered HTTP" in why
                else "is the server running? check --tracking-uri / MLFLOW_TRACKING_URI")
        err = Unreachable(f"{what}: {why} (tracking URI {self.shown_uri})", hint=hint)
        err.reason = why
        return err

    def _error(self, what: str, exc: BaseException) -> EvaluationError:
        from mlflow.exceptions import MlflowException

        text = _first_line(exc)
        status = _status_of(exc)
        where = f"(tracking URI {self.shown_uri})"
        gave_up = _GAVE_UP.search(str(exc))
        if gave_up:  # it answered, with errors only: say so, and stop calling it like a dead one
            return self._unreachable(what, f"tracking server answered HTTP {gave_up[1]} to every retry")
        if any(s in str(exc) for s in _UNREACHABLE) or type(exc).__name__ in ("ConnectionError", "Timeout",
                                                                                  "ConnectTimeout"):
            return self._unreachable(what)
        if status in (401, 403):
            return EvaluationError(f"{what}: access denied (HTTP {status}) {where}",
                                   hint="check MLFLOW_TRACKING_USERNAME/PASSWORD or MLFLOW_TRACKING_TOKEN")
        code = getattr(exc, "error_code", None)
        if status == 404 or code == "RESOURCE_DOES_NOT_EXIST" or "not found" in text.lower():
            return EvaluationError(f"{what}: not found {where}")
        if isinstance(exc, MlflowException):
            return EvaluationError(f"{what}: {mask(text)} {where}")
        return EvaluationError(f"{what}: {type(exc).__name__}: {mask(text)} {where}")

    def _call(self, what: str, func: Callable[[], T]) -> T:
        """Call MLflow; any failure becomes an EvaluationError, and a dead server stops further calls."""
        if self._down:
            raise self._unreachable(what)
        try:
            return func()
        except ImportError as e:  # mlflow-skinny meets a local store
            raise _missing_extra(self.uri) from e
        except Exception as e:  # noqa: BLE001 - every library error becomes ours, here
            err = self._error(what, e)
            if isinstance(err, Unreachable):
                self._down = err.reason
            raise err from e

    # -- batched metadata ---------------------------------------------------------------------------

    def _paged(self, what: str, fetch: Callable[[str | None], Any]) -> Iterator[Any]:
        token: str | None = None
        while True:
            page = self._call(what, lambda: fetch(token))  # noqa: B023 - called at once
            yield from page
            token = getattr(page, "token", None)
            if not token:
                return

    def versions_of(self, name: str) -> dict[str, Any]:
        """Every version of a registered model: one paged search, whatever the number of targets."""
        quoted = name.replace("'", "\\'")
        found = self._paged(f"models:/{name}", lambda tok: self.client.search_model_versions(
            f"name = '{quoted}'", max_results=PAGE * 10, page_token=tok))
        return {str(v.version): v for v in found}

    def version_by_alias(self, name: str, alias: str) -> Any | None:
        """The version an alias points at, or None when the model has no such alias."""
        return self._or_none(f"models:/{name}@{alias}",
                             lambda: self.client.get_model_version_by_alias(name, alias))

    def _or_none(self, what: str, func: Callable[[], T]) -> T | None:
        """`_call`, with "not found" answered as None (a dead server still raises)."""
        try:
            return self._call(what, func)
        except Unreachable:
            raise
        except EvaluationError as e:
            if "not found" in e.message:
                return None
            raise

    def runs(self, run_ids: Sequence[str]) -> dict[str, RunRecord]:
        """Runs by id: `search_runs` on `attributes.run_id IN (...)`, 100 ids at a time."""
        ids = sorted(set(run_ids))
        if not ids:
            return {}
        from mlflow.entities import ViewType

        experiments = [e.experiment_id for e in self._paged("experiments", lambda tok: (
            self.client.search_experiments(view_type=ViewType.ALL, max_results=PAGE, page_token=tok)))]
        out: dict[str, RunRecord] = {}
        for i in range(0, len(ids), RUN_CHUNK):
            chunk = ids[i:i + RUN_CHUNK]
            quoted = ", ".join(f"'{r}'" for r in chunk)
            for run in self._paged("runs", lambda tok, q=quoted: self.client.search_runs(  # type: ignore[misc]
                    experiments, f"attributes.run_id IN ({q})", run_view_type=ViewType.ALL,
                    max_results=PAGE, page_token=tok)):
                out[run.info.run_id] = run_record(run)
        return out

    # -- per-version evidence (concurrent) ----------------------------------------------------------

    def _repo(self, artifact_uri: str) -> Any:
        from mlflow.store.artifact.artifact_repository_registry import get_artifact_repository

        return get_artifact_repository(artifact_uri, tracking_uri=self.uri)

    def evidence(self, version: ModelVersionRecord, policy: Policy) -> ModelVersionRecord:
        """The policy's artifact paths that exist for this version, and the card's bytes."""
        conf = policy.section("evidence")
        run = version.run
        if run is None or not run.artifact_uri:
            return replace(version, artifacts=())
        what = version.target
        repo = self._repo(run.artifact_uri)
        listings: dict[tuple[str, str], set[str]] = {}
        logged: list[tuple[str, Any]] = []  # (name, repo) of the logged model, fetched when needed

        def listed(where: str, r: Any, directory: str) -> set[str]:
            key = (where, directory)
            if key not in listings:
                infos = self._call(what, lambda: r.list_artifacts(directory or None))
                listings[key] = {f.path.rstrip("/") for f in infos}
            return listings[key]

        def logged_model() -> tuple[str, Any] | None:
            model_id = version.model_id
            if not model_id:
                return None
            if not logged:
                model = self._call(what, lambda: self.client.get_logged_model(model_id))
                logged.append((model.name, self._repo(model.artifact_location)))
            return logged[0]

        def pruned(where: str, path: str) -> bool:
            """A parent directory is absent from a listing already fetched: no need to list it."""
            parent = posixpath.dirname(path)
            while parent:
                above = posixpath.dirname(parent)
                known = listings.get((where, above))
                if known is not None and parent not in known:
                    return True
                parent = above
            return False

        def exists(path: str) -> bool:
            path = path.strip("/")
            if not pruned("run", path) and path in listed("run", repo, posixpath.dirname(path)):
                return True
            lm = logged_model() if "/" in path else None
            if lm is not None and path.startswith(lm[0] + "/"):
                rel = path[len(lm[0]) + 1:]
                return not pruned("model", rel) and rel in listed("model", lm[1], posixpath.dirname(rel))
            return False

        card_path = (conf.get("card_artifact") or "").strip("/")
        # Shallow paths first: a root listing (needed for requirements.txt anyway) then prunes the
        # directories that do not exist, so a missing directory costs no request.
        required = sorted((p for p in conf["artifacts"] if p.strip("/") != card_path), key=_depth)
        if conf["requirements"] and min(map(_depth, conf["requirements"])) == 0:
            listed("run", repo, "")
        found = [p for p in required if exists(p)]
        found += next(([p] for p in conf["requirements"] if exists(p)), [])
        card = self._card(version, repo, card_path, policy) if card_path else None
        if card is not None:
            found.append(card_path)
        return replace(version, artifacts=tuple(dict.fromkeys(found)), card=card)

    def _card(self, version: ModelVersionRecord, repo: Any, path: str, policy: Policy) -> CardArtifact | None:
        """Download the card with one GET (a 404 means it is missing); read at most max_bytes + 1."""
        limit = int(policy.section("card")["max_bytes"])
        with tempfile.TemporaryDirectory(prefix="mlgov-card-") as tmp:
            local = os.path.join(tmp, "card.yaml")
            download = getattr(repo, "_download_file", None)
            if download is not None:
                if self._or_none(version.target, lambda: download(path, local) or True) is None:
                    return None
            else:  # pragma: no cover - every MLflow artifact repository has _download_file
                got = self._or_none(version.target, lambda: repo.download_artifacts(path, tmp))
                if got is None:
                    return None
                local = got
            if not os.path.isfile(local):
                return None
            with open(local, "rb") as fh:
                content = fh.read(limit + 1)
        return CardArtifact(artifact_path=path, display_path=f"{version.target}/{path}", content=content)

    # -- the whole fetch ----------------------------------------------------------------------------

    def fetch(self, targets: Sequence[Target], policy: Policy, wanted: Wanted) -> list[Resolved]:
        """Records for every target, in order; a target that fails is a Resolved with an error."""
        errors: dict[str, EvaluationError] = {}
        by_name: dict[str, dict[str, Any]] = {}
        for name in dict.fromkeys(t.name for t in targets if t.name):
            try:
                by_name[name] = self.versions_of(name)
            except EvaluationError as e:
                errors[name] = e
        aliases: dict[tuple[str, str], Any | None] = {}
        wanted_aliases = [(t.name, t.alias) for t in targets if t.name and t.alias]
        if wanted.baseline_alias:
            wanted_aliases += [(n, wanted.baseline_alias) for n in by_name]
        for name, alias in dict.fromkeys(wanted_aliases):
            if name in errors:
                continue
            try:
                aliases[(name, alias)] = self.version_by_alias(name, alias)
            except EvaluationError as e:
                errors[f"{name}@{alias}"] = e

        chosen: dict[str, Any] = {}  # target text -> mlflow ModelVersion
        target_errors: dict[str, tuple[str, str | None]] = {}
        for t in targets:
            if not t.name:
                continue
            err = errors.get(t.name) or (errors.get(f"{t.name}@{t.alias}") if t.alias else None)
            if err is not None:
                target_errors[t.text] = (_retarget(err.message, t.text), err.hint)
                continue
            versions = by_name[t.name]
            mv = _choose(t, versions, aliases)
            if mv is None:
                target_errors[t.text] = (_not_found(t, versions, self.shown_uri), None)
            else:
                chosen[t.text] = mv
        baselines: dict[str, Any | None] = {}
        if wanted.baseline_alias:
            baselines = {n: aliases.get((n, wanted.baseline_alias)) for n in by_name}

        run_ids = [t.run_id for t in targets if t.run_id]
        run_ids += [mv.run_id for mv in chosen.values() if mv.run_id]
        run_ids += [mv.run_id for mv in baselines.values() if mv is not None and mv.run_id]
        runs: dict[str, RunRecord] = {}
        run_error: EvaluationError | None = None
        try:
            runs = self.runs(run_ids)
        except EvaluationError as e:
            run_error = e

        records: dict[str, RunRecord | ModelVersionRecord] = {}
        for t in targets:
            if t.text in target_errors:
                continue
            if run_error is not None:
                target_errors[t.text] = (_retarget(run_error.message, t.text), run_error.hint)
            elif t.run_id:
                if t.run_id in runs:
                    records[t.text] = runs[t.run_id]
                else:
                    target_errors[t.text] = (f"{t.text}: run not found (tracking URI {self.shown_uri})", None)
            else:
                mv = chosen[t.text]
                baseline_mv = baselines.get(t.name or "")
                baseline = None
                if baseline_mv is not None:
                    baseline = version_record(baseline_mv, runs.get(baseline_mv.run_id or ""))
                records[t.text] = replace(version_record(mv, runs.get(mv.run_id or "")),
                                          requested_as=t.text, baseline=baseline,
                                          aliases=_aliases_of(mv, aliases),
                                          earlier_semantic_versions=_earlier_semvers(
                                              by_name[t.name or ""], str(mv.version)))

        if wanted.evidence:
            self._add_evidence(records, target_errors, policy)

        out: list[Resolved] = []
        for t in targets:
            if t.text in target_errors:
                msg, hint = target_errors[t.text]
                out.append(Resolved(t, error=msg, hint=hint))
                continue
            note = None
            rec = records[t.text]
            if wanted.baseline_alias and isinstance(rec, ModelVersionRecord) and rec.baseline is None:
                note = f"model {rec.name!r} has no @{wanted.baseline_alias} yet"
            out.append(Resolved(t, record=rec, baseline_note=note))
        return out

    def _add_evidence(self, records: dict[str, RunRecord | ModelVersionRecord],
                      target_errors: dict[str, tuple[str, str | None]], policy: Policy) -> None:
        todo = {k: v for k, v in records.items() if isinstance(v, ModelVersionRecord)}
        if not todo:
            return

        def one(item: tuple[str, ModelVersionRecord]) -> tuple[str, ModelVersionRecord | EvaluationError]:
            key, rec = item
            try:
                return key, self.evidence(rec, policy)
            except EvaluationError as e:
                return key, e

        with ThreadPoolExecutor(max_workers=min(self.workers, len(todo)),
                                thread_name_prefix="mlgov-evidence") as pool:
            for key, result in pool.map(one, todo.items()):
                if isinstance(result, EvaluationError):
                    target_errors[key] = (_retarget(result.message, key), result.hint)
                    del records[key]
                else:
                    records[key] = result


def _depth(path: str) -> int:
    return path.strip("/").count("/")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]


def _retarget(message: str, target: str) -> str:
    """Messages name the call that failed; findings name the target the user asked about."""
    head, sep, rest = message.partition(": ")
    return f"{target}: {rest}" if sep and head != target else message


Aliases = Mapping[tuple[str, str], Any | None]


def _choose(t: Target, versions: Mapping[str, Any], aliases: Aliases) -> Any | None:
    if t.version is not None:
        return versions.get(t.version)
    if t.latest:
        ready = [v for v in versions.values() if getattr(v, "status", "READY") in (None, "READY")]
        return max(ready, key=lambda v: int(v.version), default=None)
    mv = aliases.get((t.name or "", t.alias or ""))
    if mv is None:
        return None
    return versions.get(str(mv.version), mv)


def _aliases_of(mv: Any, aliases: Aliases) -> tuple[str, ...]:
    own = list(getattr(mv, "aliases", None) or [])
    own += [a for (n, a), v in aliases.items()
            if v is not None and n == mv.name and str(v.version) == str(mv.version)]
    return tuple(dict.fromkeys(own))


def _not_found(t: Target, versions: Mapping[str, Any], shown_uri: str) -> str:
    where = f"(tracking URI {shown_uri})"
    if not versions:
        return f"{t.text}: registered model {t.name!r} not found or has no versions {where}"
    if t.alias:
        return f"{t.text}: model {t.name!r} has no alias @{t.alias} {where}"
    return f"{t.text}: model {t.name!r} has no version {t.version} {where}"


def run_record(run: Any) -> RunRecord:
    """A RunRecord from an MLflow Run entity."""
    info, data = run.info, run.data
    tags = dict(data.tags)
    return RunRecord(
        run_id=info.run_id, experiment_id=str(info.experiment_id),
        user=tags.get("mlflow.user") or getattr(info, "user_id", None) or None,
        status=info.status, start_time=info.start_time, end_time=info.end_time,
        artifact_uri=info.artifact_uri, params=dict(data.params), metrics=dict(data.metrics), tags=tags,
    )


def version_record(mv: Any, run: RunRecord | None) -> ModelVersionRecord:
    """A ModelVersionRecord from an MLflow ModelVersion entity and its (already fetched) run."""
    return ModelVersionRecord(
        name=mv.name, version=str(mv.version), run_id=mv.run_id or None, source=mv.source,
        description=mv.description or None, current_stage=mv.current_stage,
        aliases=tuple(getattr(mv, "aliases", None) or ()), tags=dict(mv.tags or {}),
        user_id=mv.user_id or None, creation_timestamp=mv.creation_timestamp,
        last_updated_timestamp=mv.last_updated_timestamp, status=mv.status, run=run,
        model_id=getattr(mv, "model_id", None) or _logged_model_id(mv.source),
    )


def _earlier_semvers(versions: Mapping[str, Any], number: str) -> tuple[tuple[str, str | None], ...]:
    """(number, semantic_version tag) of the versions registered before `number`."""
    return tuple(
        (str(v), (getattr(mv, "tags", None) or {}).get("semantic_version"))
        for v, mv in sorted(versions.items(), key=lambda kv: int(kv[0]))
        if str(v).isdigit() and number.isdigit() and int(v) < int(number)
    )


def _logged_model_id(source: str | None) -> str | None:
    """MLflow 3 registers logged models as `models:/m-<id>` (the REST answer may omit model_id)."""
    m = _LOGGED_MODEL.match(source or "")
    return m[1] if m else None


# == Writes ======================================================================================
# Everything below changes the registry or the tracking server. Only the commands that were asked
# to write use it: `mlgov approve`, `promote`, `check --record` and `log`. Reads stay above.

DECISIONS_EXPERIMENT = "mlgov-decisions"  # the append-only decision log: one run per decision
DECISION_TAG = "mlgov.decision."


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _quietly(func: Callable[[], T]) -> T:
    """MLflow prints "View run ... at: URL" to stdout when a run ends: that would corrupt our JSON."""
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):
        return func()


class Writer:
    """Registry and tracking writes (and the reads only they need), errors translated by the Adapter."""

    def __init__(self, adapter: Adapter) -> None:
        self.adapter = adapter
        self.client = adapter.client

    def _call(self, what: str, func: Callable[[], T]) -> T:
        return self.adapter._call(what, func)

    # -- registry ----------------------------------------------------------------------------------

    def set_version_tags(self, name: str, version: str, tags: Mapping[str, str]) -> None:
        """One request per tag: MLflow has no batched model-version tag call."""
        for key, value in tags.items():
            self._call(f"models:/{name}/{version}", lambda k=key, v=value: (  # type: ignore[misc]
                self.client.set_model_version_tag(name, version, k, v)))

    def model_aliases(self, name: str) -> dict[str, str]:
        """Alias -> version number, for one registered model (search results carry no aliases)."""
        model = self._call(f"models:/{name}", lambda: self.client.get_registered_model(name))
        return {str(a): str(v) for a, v in (getattr(model, "aliases", None) or {}).items()}

    def set_alias(self, name: str, alias: str, version: str) -> None:
        self._call(f"models:/{name}@{alias}",
                   lambda: self.client.set_registered_model_alias(name, alias, version))

    def transition(self, name: str, version: str, stage: str, *, archive_existing: bool) -> None:
        """Move a version to a legacy stage; MLflow 3 still supports stages but warns on every call."""
        import warnings

        def move() -> Any:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FutureWarning)
                warnings.simplefilter("ignore", DeprecationWarning)
                return self.client.transition_model_version_stage(
                    name, version, stage, archive_existing_versions=archive_existing)

        self._call(f"models:/{name}/{version}", move)

    # -- the decision log --------------------------------------------------------------------------

    def decisions_experiment(self, *, create: bool) -> str | None:
        """The decision log's experiment id; created on first write (a concurrent creation is fine)."""
        what = f"experiment {DECISIONS_EXPERIMENT}"
        exp = self._call(what, lambda: self.client.get_experiment_by_name(DECISIONS_EXPERIMENT))
        if exp is not None or not create:
            return str(exp.experiment_id) if exp is not None else None
        try:
            return str(self._call(what, lambda: self.client.create_experiment(DECISIONS_EXPERIMENT)))
        except EvaluationError:  # created by another process meanwhile
            exp = self._call(what, lambda: self.client.get_experiment_by_name(DECISIONS_EXPERIMENT))
            if exp is None:
                raise
            return str(exp.experiment_id)

    def log_decision(self, tags: Mapping[str, str], documents: Mapping[str, str], *, run_name: str) -> str:
        """A new, finished run in the decision log with `tags` and JSON `documents`; its run id."""
        experiment = self.decisions_experiment(create=True)
        if experiment is None:  # invariant
            raise AssertionError("experiment is unset")
        run = self._call("decision log", lambda: self.client.create_run(
            experiment, tags=dict(tags), run_name=run_name))
        run_id = str(run.info.run_id)
        for path, text in documents.items():
            self._call(f"runs:/{run_id}", lambda p=path, t=text: (  # type: ignore[misc]
                self.client.log_text(run_id, t, p)))
        self._call(f"runs:/{run_id}", lambda: _quietly(lambda: self.client.set_terminated(run_id)))
        return run_id

    def decisions(self, model: str | None = None) -> list[RunRecord]:
        """Every decision run (for one model, when given), oldest first: one paged search."""
        from mlflow.entities import ViewType

        experiment = self.decisions_experiment(create=False)
        if experiment is None:
            return []
        where = f"tags.`{DECISION_TAG}model` = {_quote(model)}" if model is not None else ""
        found = self.adapter._paged("decision log", lambda tok: self.client.search_runs(
            [experiment], where, run_view_type=ViewType.ACTIVE_ONLY, max_results=PAGE,
            order_by=["attributes.start_time ASC"], page_token=tok))
        return [run_record(r) for r in found]

    # -- training runs -----------------------------------------------------------------------------

    def active_run_id(self) -> str | None:
        run = self.adapter._mlflow.active_run()
        return str(run.info.run_id) if run is not None else None

    def set_run_tags(self, run_id: str, tags: Mapping[str, str]) -> None:
        from mlflow.entities import RunTag

        self._call(f"runs:/{run_id}", lambda: self.client.log_batch(
            run_id, tags=[RunTag(k, v) for k, v in tags.items()]))

    def log_file(self, run_id: str, local_path: str, artifact_dir: str | None) -> None:
        self._call(f"runs:/{run_id}", lambda: self.client.log_artifact(run_id, local_path, artifact_dir))
