"""The MLflow client for one command: bounded retries, every call's failure translated, paging."""

from __future__ import annotations

import contextlib
import os
import re
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from mlgov_checks.backend import failures, stores
from mlgov_checks.errors import EvaluationError, NotFoundError, UnreachableError, UsageError
from mlgov_checks.secrets import mask

T = TypeVar("T")

RETRIES = 2  # MLflow's client retries 7 times with exponential backoff by default: minutes


class _ScopedEnvironment:
    """MLflow reads its HTTP settings from the environment at each request: set ours only while one
    of our calls runs (nested and concurrent calls share one setting) and restore the caller's after,
    so a training job's own later uploads keep MLflow's defaults or the user's settings."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._saved: dict[str, str | None] = {}

    @contextlib.contextmanager
    def applied(self, values: dict[str, str]) -> Iterator[None]:
        with self._lock:
            if self._depth == 0:
                self._saved = {k: os.environ.get(k) for k in values if k not in os.environ}
                for key in self._saved:  # a variable the user set is the user's choice: left alone
                    os.environ[key] = values[key]
            self._depth += 1
        try:
            yield
        finally:
            with self._lock:
                self._depth -= 1
                if self._depth == 0:
                    for key in self._saved:
                        os.environ.pop(key, None)
                    self._saved = {}


_SCOPED = _ScopedEnvironment()


def retry_bounds(timeout: float) -> dict[str, str]:
    """MLflow's HTTP settings that make a dead server fail within `timeout` seconds, not minutes
    (https://mlflow.org/docs/latest/python_api/mlflow.environment_variables.html)."""
    per_request = max(1, int((timeout - 3) / (RETRIES + 1)))
    return {"MLFLOW_HTTP_REQUEST_MAX_RETRIES": str(RETRIES),
            "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "1",
            "MLFLOW_HTTP_REQUEST_BACKOFF_JITTER": "0.2",
            "MLFLOW_HTTP_REQUEST_TIMEOUT": str(per_request),
            # urllib3 sleeps for a 429's Retry-After (up to 6 hours) outside any timeout: retry with
            # our bounded backoff instead (https://urllib3.readthedocs.io/en/stable/reference/urllib3.util.html)
            "MLFLOW_HTTP_RESPECT_RETRY_AFTER_HEADER": "false"}


def resolve_uri(explicit: str | None, variable: str) -> str | None:
    return explicit or os.environ.get(variable) or None


def check_uri(uri: str | None, what: str) -> None:
    """An http(s) URI that cannot name a server is the user's input to fix (exit 2), not a fault."""
    if not uri or not re.match(r"^https?://", uri, re.IGNORECASE):
        return
    try:
        parts = urllib.parse.urlsplit(uri)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError as e:
        raise UsageError(f"{what} {mask(uri)} is not a usable URL: {e}",
                         hint="use http://HOST:PORT (or https://...)") from e
    if not parts.hostname:
        raise UsageError(f"{what} {mask(uri)} names no host", hint="use http://HOST:PORT (or https://...)")


class Client:
    """An MlflowClient whose every call goes through `call`: errors become ours, once, here."""

    def __init__(self, tracking_uri: str | None = None, *, timeout: float = 60.0,
                 registry_uri: str | None = None, artifacts_destination: str | None = None) -> None:
        self.uri = resolve_uri(tracking_uri, "MLFLOW_TRACKING_URI")
        self.artifacts_destination = artifacts_destination
        self.registry_uri = resolve_uri(registry_uri, "MLFLOW_REGISTRY_URI")
        self.timeout = timeout
        check_uri(self.uri, "tracking URI")
        check_uri(self.registry_uri, "registry URI")
        self._bounds = retry_bounds(timeout)
        try:
            import mlflow
            from mlflow.tracking import MlflowClient
        except ImportError as e:
            raise failures.missing_extra(self.uri) from e
        self.mlflow = mlflow
        try:
            self.client = MlflowClient(tracking_uri=self.uri, registry_uri=self.registry_uri or self.uri)
            self.shown_uri = mask(self.client._tracking_client.tracking_uri if self.uri is None else self.uri)
        except ImportError as e:  # mlflow-skinny cannot open a sqlite store
            raise failures.missing_extra(self.uri) from e
        except Exception as e:  # noqa: BLE001 - a bad URI scheme, say which one
            if failures.is_ours(e):
                raise
            if failures.skinny_without_store(self.uri):
                raise failures.missing_extra(self.uri) from e
            why = f"cannot use tracking URI {mask(str(self.uri))}: {mask(failures.first_line(e))}"
            if failures.is_unsupported_uri(e):  # the user's input to fix
                raise UsageError(why, hint="check --tracking-uri / MLFLOW_TRACKING_URI (and --registry-uri)") from e
            raise EvaluationError(why) from e  # a store that is there but cannot be read
        self._down: str | None = None  # why the server is unusable, once a call has shown it
        stores.use_tracking_uri(self.uri)

    def call(self, what: str, func: Callable[[], T], *, per_target: bool = False) -> T:
        """Call MLflow; any failure becomes an EvaluationError, and a dead server stops further calls.

        `per_target` calls (one version's artifacts) fail only their target: an artifact store or
        proxy that breaks one download says nothing about the metadata the other targets need.
        """
        if self._down:
            raise failures.unreachable(what, self._down, self.shown_uri)
        try:
            with _SCOPED.applied(self._bounds):
                return func()
        except ImportError as e:  # mlflow-skinny meets a local store
            raise failures.missing_extra(self.uri) from e
        except Exception as e:  # noqa: BLE001 - every library error becomes ours, here
            if failures.is_ours(e):  # our bug: an internal error for the top-level handler, not the server's
                raise
            err = failures.translate(what, e, self.shown_uri)
            if isinstance(err, UnreachableError) and not per_target:
                self._down = err.reason
            raise err from e

    def or_none(self, what: str, func: Callable[[], T], *, per_target: bool = False) -> T | None:
        """`call`, with "not found" answered as None (any other failure still raises)."""
        try:
            return self.call(what, func, per_target=per_target)
        except NotFoundError:
            return None

    def paged(self, what: str, fetch: Callable[[str | None], Any]) -> Iterator[Any]:
        """Every item of a paged MLflow search, one request per page."""
        token: str | None = None
        while True:
            page = self.call(what, lambda: fetch(token))  # noqa: B023 - called at once
            yield from page
            token = getattr(page, "token", None)
            if not token:
                return

    def artifact_repository(self, what: str, artifact_uri: str) -> Any:
        """MLflow's repository for an artifact URI (`tracking_uri=` exists only in recent clients)."""

        destination = self.artifacts_destination
        return self.call(what, lambda: stores.artifact_repository(artifact_uri, self.uri, destination),
                         per_target=True)
