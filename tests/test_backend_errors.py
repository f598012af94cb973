"""backend/failures.py decides by exception type, MLflow's error code and the HTTP status, not by wording."""

from __future__ import annotations

import pytest
import requests
import urllib3.exceptions
from mlflow.exceptions import MlflowException, RestException

from mlgov_checks.backend import failures
from mlgov_checks.errors import NotFoundError, UnreachableError

URI = "http://127.0.0.1:5000"


def raised_from(outer: BaseException, inner: BaseException) -> BaseException:
    """`outer` raised while handling `inner`, as MLflow's rest_utils re-raises requests' errors."""
    try:
        try:
            raise inner
        except BaseException:
            raise outer  # noqa: B904 - the implicit __context__ is what MLflow leaves
    except BaseException as e:
        return e


def test_words_alone_do_not_make_a_not_found():
    """The defect: any message saying "not found" was a NotFoundError (and `or_none` made it None)."""
    for exc in (MlflowException("the configured signer was not found on this host"),
                RuntimeError("Not Found"), ValueError("model not found")):
        assert not isinstance(failures.translate("models:/m/1", exc, URI), NotFoundError), exc


def _non_json_404():
    """What MLflow's verify_rest_response raises for a 404 whose body is not JSON (2.16 to 3.17)."""
    from mlflow.exceptions import get_error_code

    return MlflowException("API request to endpoint /x failed with error code 404 != 200. Response body: ''",
                           error_code=get_error_code(404))


@pytest.mark.parametrize("make", [
    lambda: RestException({"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "Registered Model m not found"}),
    _non_json_404,
    lambda: FileNotFoundError(2, "No such file or directory", "/store/meta.yaml"),
], ids=["error-code", "http-404-body-not-json", "missing-file"])
def test_not_found_by_code_status_or_type(make):
    assert isinstance(failures.translate("models:/m/1", make(), URI), NotFoundError)


def test_a_missing_alias_is_recognised_by_its_code_and_words_together():
    """MLflow's registry stores say INVALID_PARAMETER_VALUE for a missing alias: the one worded case."""
    alias = RestException({"error_code": "INVALID_PARAMETER_VALUE",
                           "message": "Registered model alias prod not found."})
    assert isinstance(failures.translate("models:/m@prod", alias, URI), NotFoundError)
    other = RestException({"error_code": "INVALID_PARAMETER_VALUE", "message": "Invalid alias name: not found"})
    assert not isinstance(failures.translate("models:/m@prod", other, URI), NotFoundError)


def test_connection_failures_by_type_along_the_chain():
    refused = requests.exceptions.ConnectionError("HTTPConnectionPool: Max retries exceeded")
    wrapped = raised_from(MlflowException(f"API request to {URI} failed with exception {refused}"), refused)
    err = failures.translate("models:/m/1", wrapped, URI)
    assert isinstance(err, UnreachableError) and "tracking server unreachable" in str(err)
    # the words alone no longer decide: a message that mentions a timeout is not a dead server
    assert not isinstance(failures.translate("models:/m/1", MlflowException("Read timed out in the plugin"), URI),
                          UnreachableError)


def test_retries_given_up_on_an_error_status():
    gave_up = urllib3.exceptions.MaxRetryError(None, "/api", urllib3.exceptions.ResponseError(
        urllib3.exceptions.ResponseError.SPECIFIC_ERROR.format(status_code=429)))
    retry = requests.exceptions.RetryError(gave_up)
    wrapped = raised_from(MlflowException(f"API request failed with exception {retry}"), retry)
    err = failures.translate("models:/m/1", wrapped, URI)
    assert isinstance(err, UnreachableError) and "answered HTTP 429 to every retry" in str(err)


def test_access_denied_by_status():
    response = requests.Response()
    response.status_code = 403
    err = failures.translate("models:/m/1", requests.exceptions.HTTPError("forbidden", response=response), URI)
    assert "access denied (HTTP 403)" in str(err)
    unauth = RestException({"error_code": "UNAUTHENTICATED", "message": "who are you"})
    assert "access denied (HTTP 401)" in str(failures.translate("models:/m/1", unauth, URI))


def _raise_in_our_code(exc):
    raise exc


@pytest.mark.parametrize("exc", [TypeError("unexpected keyword argument 'max_results'"),
                                 AttributeError("'ModelVersion' object has no attribute 'aliases'")])
def test_misuse_is_ours_wherever_raised(exc):
    assert failures.is_ours(exc)


def test_a_lookup_error_is_ours_only_when_our_code_raised_it():
    try:
        _raise_in_our_code(KeyError("version"))
    except KeyError as e:
        # raised in this test module (not the package): what a library raises about its data
        assert not failures.is_ours(e)
    try:
        failures.retarget(None, "x")  # type: ignore[arg-type]
    except AttributeError as e:
        assert failures.is_ours(e)


def _raised_in(module, exc):
    """`exc` raised by a function whose module is `module` (the frame's globals say where code lives)."""
    space = {"__name__": module}
    exec("def fail(exc):\n    raise exc\n", space)  # noqa: S102 - a frame of the named module
    try:
        space["fail"](exc)
    except BaseException as e:  # noqa: BLE001 - handed back to the test
        return e
    raise AssertionError("not raised")


@pytest.mark.parametrize("kind", [RuntimeError, ValueError, KeyError, IndexError, NotImplementedError,
                                  ZeroDivisionError, AssertionError])
def test_a_bug_raised_by_the_package_is_ours_and_the_same_raised_by_a_library_is_not(kind):
    assert failures.is_ours(_raised_in("mlgov_checks.backend.convert", kind("our bug")))
    for library in ("mlflow.store.tracking.rest_store", "requests.models", "json.decoder"):
        assert not failures.is_ours(_raised_in(library, kind("about its data"))), library


@pytest.mark.parametrize("exc", [OSError(5, "I/O error"), UnicodeDecodeError("utf-8", b"\xff", 0, 1, "bad"),
                                 MlflowException("boom"), requests.exceptions.ChunkedEncodingError("reset")])
def test_library_and_system_failures_are_not_ours(exc):
    assert not failures.is_ours(exc)


def test_an_older_server_refusing_a_filter_is_told_by_its_code_not_its_words():
    from mlgov_checks.backend.scan import _rejects_in

    refused = RestException({"error_code": "INVALID_PARAMETER_VALUE", "message": "Invalid comparator 'IN'"})
    err = failures.translate("model versions", refused, URI)
    assert (err.code, err.status) == ("INVALID_PARAMETER_VALUE", 400) and _rejects_in(err)
    worded = failures.translate("model versions", MlflowException("invalid comparator, not supported"), URI)
    assert not _rejects_in(worded)  # an INTERNAL_ERROR whose words look like a refusal is not one
    response = requests.Response()
    response.status_code = 403
    denied = failures.translate("model versions", requests.exceptions.HTTPError("x", response=response), URI)
    assert not _rejects_in(denied)
