"""mask(): credentials in URIs, query strings, headers, key/value text and secret variables."""

from __future__ import annotations

import base64
import urllib.parse

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlgov_checks.secrets import SECRET_ENV, mask

PLANTED = "Pl4nted-s3cret-Value"


@pytest.fixture(autouse=True)
def no_secret_env(monkeypatch):
    for name in SECRET_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(("text", "expected"), [
    ("http://alice:pw@127.0.0.1:5000/api", "http://***@127.0.0.1:5000/api"),
    ("https://token@mlflow.example.com", "https://***@mlflow.example.com"),
    ("postgresql://mlflow:pw@db:5432/mlflow", "postgresql://***@db:5432/mlflow"),
    ("databricks://profile:prefix@workspace", "databricks://***@workspace"),
    # an unencoded @ in the password: everything up to the host is masked, not just "alice:p@"
    ("http://alice:p@ss@127.0.0.1:5000/x", "http://***@127.0.0.1:5000/x"),
    ("two: http://a:b@h1/x and https://c:d@h2/y", "two: http://***@h1/x and https://***@h2/y"),
    ("GET /search?token=abc123&max_results=5", "GET /search?token=***&max_results=5"),
    ("?X-Amz-Signature=deadbeef&X-Amz-Credential=AKIA/x", "?X-Amz-Signature=***&X-Amz-Credential=***"),
    ("?sv=2022&sig=abcdEFG%3D&se=2030", "?sv=2022&sig=***&se=2030"),
    ("Authorization: Bearer abcdefgh12345", "Authorization: Bearer ***"),
    ("Authorization: Basic YWxpY2U6cHc=", "Authorization: Basic ***"),
    ('{"password": "hunter2", "user": "alice"}', '{"password": "***", "user": "alice"}'),
    ("client_secret: abc123", "client_secret: ***"),
    ("AccountName=acct;AccountKey=abc123==;EndpointSuffix=core",
     "AccountName=acct;AccountKey=***;EndpointSuffix=core"),
])
def test_patterns(text, expected):
    assert mask(text) == expected


@pytest.mark.parametrize("text", [
    "models:/churn@champion", "runs:/0123abcd", "http://127.0.0.1:5000/api/2.0/mlflow/runs/get",
    "alice@example.com approved models:/churn/3", "metric 'accuracy' is 0.87 (>= 0.8)",
    "mlgov.approval.alice", "the model card mentions no tokenizer", "", "file:///tmp/mlruns",
])
def test_ordinary_text_is_unchanged(text):
    assert mask(text) == text


@pytest.mark.parametrize("name", SECRET_ENV)
def test_secret_variables_are_masked_in_every_spelling(monkeypatch, name):
    value = PLANTED + "/+ &@"
    monkeypatch.setenv(name, value)
    spellings = [value, urllib.parse.quote(value, safe=""), urllib.parse.quote_plus(value),
                 urllib.parse.quote(value)]
    for spelled in spellings:
        out = mask(f"error from http://127.0.0.1:5000: {spelled} was refused")
        assert PLANTED not in out, spelled
        assert "error from http://127.0.0.1:5000:" in out and "was refused" in out


def test_basic_auth_of_a_secret_password(monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", PLANTED)
    blob = base64.b64encode(f"alice:{PLANTED}".encode()).decode()
    assert blob not in mask(f"headers={{'Authorization': 'Basic {blob}'}}")


def test_short_secret_values_are_not_masked_everywhere(monkeypatch):
    """A 3-character value would blank ordinary words: it is left alone (and documented so)."""
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", "abc")
    assert mask("abc def") == "abc def"


def test_mask_is_idempotent():
    once = mask("http://a:b@h/x?token=t Bearer abcdefghij")
    assert mask(once) == once


_SPACE = "\t\r\n\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0 "
_NO_SPACE = ("Cs", "Zs", "Zl", "Zp")


@given(user=st.text(st.characters(blacklist_characters="/@" + _SPACE, blacklist_categories=_NO_SPACE),
                    min_size=1),
       password=st.text(st.characters(blacklist_characters="/" + _SPACE, blacklist_categories=_NO_SPACE),
                        min_size=1))
def test_userinfo_never_survives(user, password):
    masked = mask(f"could not reach http://{user}:{password}@127.0.0.1:5000/api/2.0")
    assert masked == "could not reach http://***@127.0.0.1:5000/api/2.0"


@pytest.mark.parametrize("text", [
    "mlflow.models.signature: missing", "input_example: none", "max_tokens: 512", "tokenizer: bpe",
])
def test_model_vocabulary_is_not_taken_for_credentials(text):
    assert mask(text) == text


_WORDS = ["token", "TOKEN", "Bearer ", "basic ", "password", "pwd", "secret", "api_key", "sig", "://", "@", "=", ":",
          "\u212a", "\u017f", "\u0131", "\u0130", "x", " ", "/", "\"", "'", "-", "abc", "12345678"]


@given(parts=st.lists(st.sampled_from(_WORDS) | st.text(max_size=6), max_size=12))
def test_the_quick_look_never_skips_text_a_pattern_would_mask(parts):
    """Text the cheap look rules out (no `:`, no `=`, no bearer/basic/token, ASCII) is left alone by every pattern."""
    from mlgov_checks import secrets

    text = "".join(parts)
    if not secrets._may_match(text):
        for pattern in (secrets._USERINFO, secrets._QUERY, secrets._PAIR, secrets._BEARER):
            assert pattern.search(text) is None, (pattern.pattern, text)


def test_the_quick_look_is_not_vacuous():
    from mlgov_checks import secrets

    assert not secrets._may_match("model_0001/model_card.yaml") and not secrets._may_match("ok")
    assert secrets._may_match("Authorization: Bearer abcdefgh12") and secrets._may_match("pa\u017fsword")
    assert mask("to\u212aen abcdefgh12345") == "to\u212aen ***"  # a Kelvin sign is a k to the pattern: masked
