"""The app factories `mlflow server --app-name mlgov` and `--app-name mlgov-basic-auth` load.

The one module outside backend/ that imports mlflow: an MLflow server plugin is, by MLflow's
design, a function that receives or imports the server's Flask app (`mlflow.server.app`) and
registers a hook on it. Records are still read only through the backend (integrations.server.state);
what is imported here is the server's app, its request parser and its own tracking store.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from typing import Any

from mlgov_checks.backend import DECISIONS_EXPERIMENT
from mlgov_checks.errors import MlgovError, PolicyError
from mlgov_checks.governance import decisions, stages
from mlgov_checks.governance.decisions import Field, Kind, Outcome
from mlgov_checks.integrations.server.settings import BREAK_GLASS_HEADER, PolicySource, load_config
from mlgov_checks.integrations.server.state import StoreState
from mlgov_checks.integrations.server.surface import SURFACE, Entry
from mlgov_checks.integrations.server.verdict import Caller, Verdict, decide
from mlgov_checks.reports.findings.emit import masked, say

STORE_ENV, REGISTRY_ENV = "_MLFLOW_SERVER_FILE_STORE", "_MLFLOW_SERVER_REGISTRY_STORE"  # set by `mlflow server`
STARTUP_FAILURE = 3  # uvicorn and gunicorn stop the whole server when a worker exits with it at boot


class Guard:
    """The `before_request` hook: judges requests on the protected surface, lets the rest through."""

    def __init__(self, source: PolicySource, *, authenticated: bool) -> None:
        self.source = source
        self.authenticated = authenticated  # basic-auth vouches for the user name; plain mode has none
        self._state: StoreState | None = None
        self._lock = threading.Lock()

    def state(self) -> StoreState:
        with self._lock:
            if self._state is None:
                self._state = StoreState(os.environ[STORE_ENV], os.environ.get(REGISTRY_ENV))
            return self._state.fresh()

    def __call__(self) -> Any:
        from flask import request

        entry = SURFACE.get(request.endpoint or "")
        if entry is None:  # every other request: one dictionary lookup
            return None
        fields = _fields(entry)
        if fields is None:
            return None  # MLflow's own parser refuses this request: MLflow answers it
        try:
            return self._judge(entry, fields, request)
        except PolicyError as e:  # the server's policy became invalid: refuse until it is fixed
            return _refusal("server-policy", f"mlgov: refused, the server's policy is invalid: {e.message}",
                            [e.message])
        except MlgovError as e:
            return _refusal("unreadable", f"mlgov: refused, the request could not be judged: {e.message}",
                            [e.message])
        except Exception as e:  # noqa: BLE001 - our bug must refuse, never let the request through
            say(f"mlgov: internal error judging {request.method} {request.path}: {type(e).__name__}: {e}", err=True)
            return _refusal("internal-error", "mlgov: refused, internal error while judging the request", [])

    def _judge(self, entry: Entry, fields: dict[str, Any], request: Any) -> Any:
        policy = self.source.current()
        demand = entry.classify(fields, stages.production_aliases(policy))
        if demand is None:
            return None
        auth = request.authorization if self.authenticated else None
        user = auth.username if auth is not None and auth.username else None
        config = self.source.config
        reason = (request.headers.get(BREAK_GLASS_HEADER) or "").strip()
        caller = Caller(user=user, gate=config.is_gate(user),
                        break_glass=reason if reason and config.may_break_glass(user) else None)
        state = self.state()
        verdict = decide(demand, policy, state, caller)
        if verdict is None or (verdict.allowed and not verdict.broke_glass):
            return None
        if verdict.broke_glass:
            self._record(verdict, caller, policy.sha256, state)
            return None
        return _refusal(verdict.rule.value, verdict.message(), list(verdict.missing))

    def _record(self, verdict: Verdict, caller: Caller, policy_sha256: str, state: StoreState) -> None:
        """Break-glass is recorded in the decision log before MLflow acts; no record, no change."""
        import datetime as dt

        _ensure_decision_log()
        d = verdict.demand
        decision = {Field.ACTION: Kind.BREAK_GLASS.value, Field.MODEL: d.model, Field.VERSION: d.version or "",
                    Field.TO: d.label, Field.RULE: verdict.rule.value, Field.ACTOR: caller.user or "(unauthenticated)",
                    Field.REASON: caller.break_glass or "", Field.OUTCOME: Outcome.DONE.value,
                    Field.POLICY_SHA256: policy_sha256,
                    Field.TIME: dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")}
        tags = decisions.tags({k.value: v for k, v in decision.items()})
        state.record_break_glass(tags, run_name=f"break-glass {d.model}/{d.version or '-'} {d.label}")
        reason = decision[Field.REASON]
        say(f"mlgov: break-glass by {decision[Field.ACTOR]}: {d.label} on {verdict.subject} ({reason})", err=True)


def _fields(entry: Entry) -> dict[str, Any] | None:
    """The request's fields exactly as MLflow's handler will parse them (its own private parser, the
    one call that follows MLflow's versions: tested against every server in the matrix)."""
    from mlflow.exceptions import MlflowException
    from mlflow.protos import model_registry_pb2
    from mlflow.server import handlers

    parse: Any = handlers._get_request_message  # noqa: SLF001 - the parser the handler itself uses
    try:
        message = parse(getattr(model_registry_pb2, entry.message)())
    except MlflowException:
        return None
    return {field.name: value for field, value in message.ListFields()}


def _ensure_decision_log() -> None:
    """The decision log's experiment, created by the server's own store (so its artifact location is
    the server's artifact root, as for any experiment a client creates)."""
    from mlflow.exceptions import MlflowException
    from mlflow.server import handlers

    store: Any = handlers._get_tracking_store()  # noqa: SLF001 - the server's own store
    if store.get_experiment_by_name(DECISIONS_EXPERIMENT) is None:
        with contextlib.suppress(MlflowException):  # another worker created it meanwhile
            store.create_experiment(DECISIONS_EXPERIMENT, artifact_location=None, tags=None)


def _refusal(rule: str, message: str, missing: list[str]) -> Any:
    from flask import Response

    body = masked({"error_code": "PERMISSION_DENIED", "message": message, "rule": rule, "missing": missing})
    return Response(json.dumps(body), status=403, mimetype="application/json")


def _guard(app: Any, *, authenticated: bool) -> None:
    """Load the configuration and the policy, and register the hook; stop the server when either is
    invalid (a worker exiting with STARTUP_FAILURE at boot stops uvicorn and gunicorn)."""
    try:
        source = PolicySource(load_config())
        policy = source.current()
    except MlgovError as e:
        say(f"mlgov: the server cannot start: {e}", err=True)
        raise SystemExit(STARTUP_FAILURE) from e
    say(f"mlgov: guarding production moves under {source.config.policy} (policy {policy.sha256[:12]})", err=True)
    app.before_request(Guard(source, authenticated=authenticated))


def _served(app: Any) -> Any:
    if os.environ.get("_MLFLOW_SGI_NAME") == "uvicorn":  # MLflow 3's default front
        from mlflow.server.fastapi_app import create_fastapi_app

        return create_fastapi_app(app)
    return app


def create_app() -> Any:
    """`mlflow server --app-name mlgov`: the tracking server with the production guard."""
    from mlflow.server import app

    _guard(app, authenticated=False)
    return _served(app)


def create_basic_auth_app() -> Any:
    """`mlflow server --app-name mlgov-basic-auth`: MLflow's basic-auth (its users and permissions),
    then the guard. Basic-auth's hook lets administrators through early; the guard still sees them."""
    from mlflow.server import app
    from mlflow.server.auth import create_app as basic_auth

    with _one_worker_at_a_time("basic-auth"):  # each worker creates basic-auth's tables: they race
        served = basic_auth(app)
    _guard(app, authenticated=True)
    return served


@contextlib.contextmanager
def _one_worker_at_a_time(what: str) -> Any:
    """Serialise a start-up step across this server's workers (`mlflow server --app-name basic-auth`
    does it once before starting them; a plugin app is not given that step): a lock file per server
    configuration, in the temporary directory."""
    import fcntl
    import hashlib
    import tempfile

    key = hashlib.sha256(f"{what}\0{os.environ.get('MLFLOW_AUTH_CONFIG_PATH', '')}".encode()).hexdigest()[:16]
    with open(os.path.join(tempfile.gettempdir(), f"mlgov-{what}-{key}.lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
