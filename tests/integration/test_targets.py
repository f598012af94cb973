"""Target parsing and the retry bound: what the adapter decides before any call."""

from __future__ import annotations

import os

import pytest

from mlgov_checks import targets as ad
from mlgov_checks.backend import client
from mlgov_checks.errors import UsageError


@pytest.mark.parametrize(("text", "expected"), [
    ("runs:/0123abcd", ad.Target("runs:/0123abcd", run_id="0123abcd")),
    ("0123abcd", ad.Target("0123abcd", run_id="0123abcd")),
    ("models:/churn/3", ad.Target("models:/churn/3", name="churn", version="3")),
    ("models:/churn/003", ad.Target("models:/churn/003", name="churn", version="3")),
    ("models:/churn@champion", ad.Target("models:/churn@champion", name="churn", alias="champion")),
    ("models:/churn/latest", ad.Target("models:/churn/latest", name="churn", latest=True)),
    ("models:/team.churn-v2/1", ad.Target("models:/team.churn-v2/1", name="team.churn-v2", version="1")),
])
def test_parse_target(text, expected):
    assert ad.parse_target(text) == expected


@pytest.mark.parametrize("text", ["", "runs:/", "models:/", "models:/churn", "models:/churn/x",
                                  "models:/churn/1/2", "models:/churn@", "s3://bucket/model", "a b"])
def test_bad_targets(text):
    with pytest.raises(UsageError, match="not a target"):
        ad.parse_target(text)


def test_repeats_are_dropped_in_order():
    got = ad.parse_targets(["models:/a/1", "runs:/r", "models:/a/1", " runs:/r "])
    assert [t.text for t in got] == ["models:/a/1", "runs:/r"]


def test_retry_bound_respects_the_user(monkeypatch):
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "5")
    monkeypatch.delenv("MLFLOW_HTTP_REQUEST_TIMEOUT", raising=False)
    seen = {}
    with client._SCOPED.applied(client.retry_bounds(30)):
        seen.update(os.environ)
    assert seen["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] == "5"  # the user's value stays
    timeout = int(seen["MLFLOW_HTTP_REQUEST_TIMEOUT"])
    assert (client.RETRIES + 1) * timeout + 3 <= 30  # every attempt and the backoff fit in the bound
    with client._SCOPED.applied(client.retry_bounds(60)):  # the next command sets its own
        assert int(os.environ["MLFLOW_HTTP_REQUEST_TIMEOUT"]) > timeout
    assert "MLFLOW_HTTP_REQUEST_TIMEOUT" not in os.environ  # and leaves the process as it found it
    assert os.environ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] == "5"
