"""One translation of MLflow and HTTP failures into our errors: by type and status, not by wording."""

from __future__ import annotations

import importlib.util
import re

from mlgov_checks.errors import EvaluationError, MissingExtraError, NotFoundError, UnreachableError
from mlgov_checks.secrets import mask

_HTTP_STATUS = re.compile(r"(?:error code|status code|HTTP)\s*(\d{3})|^(\d{3}) (?:Client|Server) Error")
_UNREACHABLE = ("Max retries exceeded", "Connection refused", "Failed to establish", "timed out",
                "Read timed out", "ConnectionError", "ConnectTimeout", "Name or service not known",
                "Connection aborted", "RemoteDisconnected")
_UNREACHABLE_TYPES = ("ConnectionError", "Timeout", "ConnectTimeout")
_GAVE_UP = re.compile(r"too many (\d{3}) error responses")  # urllib3 retried a 429/5xx answer, then gave up
_NOT_FOUND_CODES = ("RESOURCE_DOES_NOT_EXIST", "NOT_FOUND")


def is_local(uri: str | None) -> bool:
    return uri is None or not re.match(r"^(https?|databricks|uc)(:|$)", uri)


def missing_extra(uri: str | None) -> MissingExtraError:
    extra = "local" if is_local(uri) else "mlflow"
    return MissingExtraError(f"this command needs: pip install 'mlgov-checks[{extra}]'")


def skinny_without_store(uri: str | None) -> bool:
    """mlflow-skinny cannot open a local store: that needs the full package (sqlalchemy)."""
    return is_local(uri) and importlib.util.find_spec("sqlalchemy") is None


def first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]


def retarget(message: str, target: str) -> str:
    """Messages name the call that failed; findings name the target the user asked about."""
    head, sep, rest = message.partition(": ")
    return f"{target}: {rest}" if sep and head != target else message


def status_of(exc: BaseException) -> int | None:
    """The HTTP status behind a library error, when it carries one."""
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
    return "not found" in first_line(exc).lower()


def translate(what: str, exc: BaseException, shown_uri: str) -> EvaluationError:
    """The one place a library failure becomes an EvaluationError (exit 3) with a reason to act on."""
    if isinstance(exc, EvaluationError):
        return exc
    text = first_line(exc)
    status = status_of(exc)
    where = f"(tracking URI {shown_uri})"
    gave_up = _GAVE_UP.search(str(exc))
    if gave_up:  # it answered, with errors only: say so, and stop calling it like a dead one
        return unreachable(what, f"tracking server answered HTTP {gave_up[1]} to every retry", shown_uri)
    if any(s in str(exc) for s in _UNREACHABLE) or type(exc).__name__ in _UNREACHABLE_TYPES:
        return unreachable(what, "tracking server unreachable", shown_uri)
    if status in (401, 403):
        return EvaluationError(f"{what}: access denied (HTTP {status}) {where}",
                               hint="check MLFLOW_TRACKING_USERNAME/PASSWORD or MLFLOW_TRACKING_TOKEN")
    if is_not_found(exc):
        detail = f" ({mask(text)})" if isinstance(exc, OSError) else ""  # which file a local store lacks
        return NotFoundError(f"{what}: not found{detail} {where}")
    if type(exc).__module__.startswith("mlflow"):
        return EvaluationError(f"{what}: {mask(text)} {where}")
    return EvaluationError(f"{what}: {type(exc).__name__}: {mask(text)} {where}")
