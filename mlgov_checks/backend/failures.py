"""One translation of MLflow, HTTP and OS failures into our errors.

It decides by exception type (requests, urllib3, OSError, along the chain of causes MLflow keeps),
by MLflow's `error_code` and by the HTTP status of the response; by a message's words only where a
library gives nothing else, and each such case names the library versions that need it. An error
of ours (a TypeError, say, in how we call a library) is not translated at all: it is an internal
error, reported as such (cli/guard.py), never "could not evaluate the server".
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterator

from mlgov_checks.errors import EvaluationError, MissingExtraError, NotFoundError, UnreachableError
from mlgov_checks.secrets import mask

_NOT_FOUND_CODES = ("RESOURCE_DOES_NOT_EXIST", "NOT_FOUND", "ENDPOINT_NOT_FOUND")
# Python's own exceptions for code that is wrong rather than data that is: always a bug in the
# caller when raised by a call (an argument MLflow no longer takes, an attribute it renamed).
_MISUSE = (TypeError, AttributeError, NameError)
# These are ours only when our own code raised them; from inside a library they describe its data.
# RuntimeError covers NotImplementedError and RecursionError; ArithmeticError covers ZeroDivisionError.
_BUGS = (LookupError, ValueError, AssertionError, RuntimeError, ArithmeticError)
_PACKAGE = __name__.split(".")[0]


def is_local(uri: str | None) -> bool:
    return uri is None or not re.match(r"^(https?|databricks|uc)(:|$)", uri)


def missing_extra(uri: str | None) -> MissingExtraError:
    extra = "local" if is_local(uri) else "mlflow"
    return MissingExtraError(f"this command needs: pip install 'mlgov-checks[{extra}]'")


def skinny_without_store(uri: str | None) -> bool:
    """mlflow-skinny cannot open a local store: that needs the full package (sqlalchemy)."""
    return is_local(uri) and importlib.util.find_spec("sqlalchemy") is None


def is_unsupported_uri(exc: BaseException) -> bool:
    """MLflow has no store for the URI's scheme (the user's input to fix)."""
    try:
        from mlflow.tracking.registry import UnsupportedModelRegistryStoreURIException as Unsupported
    except ImportError:  # pragma: no cover - only called once mlflow imported
        return False
    return any(isinstance(e, Unsupported) for e in chain(exc))


def first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]


def retarget(message: str, target: str) -> str:
    """Messages name the call that failed; findings name the target the user asked about."""
    head, sep, rest = message.partition(": ")
    return f"{target}: {rest}" if sep and head != target else message


def chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception and what caused it: MLflow re-raises requests' errors as MlflowException with the
    original as `__context__` (or `__cause__`), so the type that says what happened is down the chain."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen and len(seen) < 20:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _raised_by_us(exc: BaseException) -> bool:
    tb = exc.__traceback__
    last = None
    while tb is not None:
        last, tb = tb, tb.tb_next
    return last is not None and last.tb_frame.f_globals.get("__name__", "").split(".")[0] == _PACKAGE


def is_ours(exc: BaseException) -> bool:
    """An error in our code, not a failure of the server, the network or the store."""
    if isinstance(exc, (EvaluationError, OSError, UnicodeError)) or _library_type(exc):
        return False
    if isinstance(exc, _MISUSE):
        return True
    return isinstance(exc, _BUGS) and _raised_by_us(exc) or type(exc).__module__.split(".")[0] == _PACKAGE


def _library_type(exc: BaseException) -> bool:
    return type(exc).__module__.split(".")[0] not in ("builtins", _PACKAGE, "json")


def _requests_types() -> tuple[tuple[type[BaseException], ...], tuple[type[BaseException], ...]]:
    """(connection failures, retries exhausted), from requests and urllib3 when installed."""
    try:
        import requests
        import urllib3.exceptions as u3
    except ImportError:  # pragma: no cover - they come with mlflow
        return (), ()
    down = (requests.exceptions.ConnectionError, requests.exceptions.Timeout, u3.NewConnectionError,
            u3.ConnectTimeoutError, u3.ReadTimeoutError)
    return down, (requests.exceptions.RetryError, u3.MaxRetryError)


def status_of(exc: BaseException) -> int | None:
    """The HTTP status behind a library error: the response's, else the one MLflow's error code stands
    for (an MLflow INTERNAL_ERROR says nothing about the status)."""
    for e in chain(exc):
        code = getattr(getattr(e, "response", None), "status_code", None)
        if isinstance(code, int):
            return code
        getter = getattr(e, "get_http_status_code", None)
        if callable(getter) and getattr(e, "error_code", None) not in (None, "INTERNAL_ERROR"):
            value = getter()
            if isinstance(value, int):
                return value
    return None


def _gave_up_status(exc: BaseException) -> int | None:
    """urllib3 retried answers with a retryable status (429, 5xx) and gave up: which status.

    urllib3 1.26 and 2.x give the status only in words: MaxRetryError.reason is a ResponseError
    whose text is `too many {status_code} error responses` (urllib3.exceptions.ResponseError)."""
    _, gave_up = _requests_types()
    for e in chain(exc):
        reason = getattr(e, "reason", None) if isinstance(e, gave_up) else None
        for part in (reason, *(e.args if isinstance(e, gave_up) else ())):
            m = re.search(r"too many (\d{3}) error responses", str(part))
            if m:
                return int(m[1])
    return None


def unreachable(what: str, why: str, shown_uri: str) -> UnreachableError:
    hint = ("the server is failing or rate-limiting requests: retry later" if "answered HTTP" in why
            else "is the server running? check --tracking-uri / MLFLOW_TRACKING_URI")
    err = UnreachableError(f"{what}: {why} (tracking URI {shown_uri})", hint=hint)
    err.reason = why
    return err


def is_not_found(exc: BaseException) -> bool:
    """MLflow's "does not exist" (any client version, REST or local store), a 404, a missing file."""
    if isinstance(exc, (FileNotFoundError, NotFoundError)):
        return True
    if status_of(exc) == 404 or getattr(exc, "error_code", None) in _NOT_FOUND_CODES:
        return True
    # MLflow 2.16 to 3.17 (file and sqlalchemy registry stores, so the REST server too) answer a
    # missing alias with INVALID_PARAMETER_VALUE: only the words say "not found".
    return getattr(exc, "error_code", None) == "INVALID_PARAMETER_VALUE" and re.search(
        r"\bRegistered model alias \S+ not found\b", first_line(exc)) is not None


def translate(what: str, exc: BaseException, shown_uri: str) -> EvaluationError:
    """The one place a library failure becomes an EvaluationError (exit 3) with a reason to act on;
    it keeps MLflow's error code and the HTTP status for callers that decide by them."""
    if isinstance(exc, EvaluationError):
        return exc
    err = _translated(what, exc, shown_uri)
    code = getattr(exc, "error_code", None)
    err.code, err.status = (code if isinstance(code, str) else None), status_of(exc)
    return err


def _translated(what: str, exc: BaseException, shown_uri: str) -> EvaluationError:
    text = first_line(exc)
    where = f"(tracking URI {shown_uri})"
    gave_up = _gave_up_status(exc)
    if gave_up:  # it answered, with errors only: say so, and stop calling it like a dead one
        return unreachable(what, f"tracking server answered HTTP {gave_up} to every retry", shown_uri)
    down, _ = _requests_types()
    if any(isinstance(e, (*down, ConnectionRefusedError, TimeoutError)) for e in chain(exc)):
        return unreachable(what, "tracking server unreachable", shown_uri)
    status = status_of(exc)
    if status in (401, 403):
        return EvaluationError(f"{what}: access denied (HTTP {status}) {where}",
                               hint="check MLFLOW_TRACKING_USERNAME/PASSWORD or MLFLOW_TRACKING_TOKEN")
    if is_not_found(exc):
        detail = f" ({mask(text)})" if isinstance(exc, OSError) else ""  # which file a local store lacks
        return NotFoundError(f"{what}: not found{detail} {where}")
    if type(exc).__module__.startswith("mlflow"):
        return EvaluationError(f"{what}: {mask(text)} {where}")
    return EvaluationError(f"{what}: {type(exc).__name__}: {mask(text)} {where}")
