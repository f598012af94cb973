"""Masking of credentials in anything printed or written: URIs, tokens, passwords."""

from __future__ import annotations

import os
import re
from collections.abc import Callable

SECRET_ENV = ("MLFLOW_TRACKING_PASSWORD", "MLFLOW_TRACKING_TOKEN", "DATABRICKS_TOKEN",
              "DATABRICKS_CLIENT_SECRET", "DATABRICKS_PASSWORD", "AWS_SECRET_ACCESS_KEY",
              "AWS_SESSION_TOKEN", "AZURE_STORAGE_ACCESS_KEY", "AZURE_STORAGE_CONNECTION_STRING",
              "AZURE_CLIENT_SECRET", "GITHUB_TOKEN", "GH_TOKEN", "MLFLOW_TRACKING_CLIENT_CERT_PATH")
MIN_SECRET = 4  # shorter values would blank ordinary words wherever they occur

# Greedy up to the last @ before the path: an unencoded @ in a password must not end the match early.
_USERINFO = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<userinfo>[^/\s]+)@")
_KEYS = r"token|password|passwd|pwd|secret|api[_-]?key|access[_-]?key|account[_-]?key"
# key=value in query strings and connection strings (S3 presigned URLs, Azure SAS and AccountKey=)
_QUERY = re.compile(rf"(?i)(?P<key>\b[\w-]*(?:{_KEYS}|signature|credential|sig)=)[^&;\s'\"]+")
# "key": "value" and key: value in JSON, YAML and log lines (not `signature:`: models have those)
_PAIR = re.compile(rf"(?i)(?P<key>\b[\w-]*(?:{_KEYS})[\"']?\s*:\s*[\"']?)(?P<value>[^\"'\s,;&}}\]]+)")
_BEARER = re.compile(r"(?i)(?P<key>(?:bearer|basic|token)\s+)[A-Za-z0-9._~+/=-]{8,}")


def _may_match(text: str) -> bool:
    """Could one of the patterns match? Each needs `:` (_USERINFO, _PAIR), `=` (_QUERY) or, in any
    case, bearer/basic/token (_BEARER). Only ASCII text is ruled out this way: under IGNORECASE a
    pattern's letters also match a few other characters (K, ſ, ı, İ)."""
    if not text.isascii() or ":" in text or "=" in text:
        return True
    low = text.lower()
    return "bearer" in low or "basic" in low or "token" in low


def _spellings(value: str) -> set[str]:
    """The ways a secret value shows up in text: as is, percent-encoded, in a basic-auth header."""
    import base64  # deferred: only needed when a secret is set
    import urllib.parse
    out = {value, urllib.parse.quote(value, safe=""), urllib.parse.quote_plus(value),
           urllib.parse.quote(value)}
    out.add(base64.b64encode(value.encode()).decode())
    return {s for s in out if len(s) >= MIN_SECRET}


def masker() -> Callable[[str], str]:
    """A `mask` bound to the secrets in the environment now: for masking many texts at once.

    The environment is read once, and each distinct text is masked once (reports repeat targets,
    paths and messages across thousands of findings).
    """
    spellings: list[str] = []
    for name in SECRET_ENV:
        value = os.environ.get(name)
        if value and len(value) >= MIN_SECRET:
            spellings.extend(_spellings(value))
    spellings.sort(key=len, reverse=True)
    done: dict[str, str] = {}

    def apply(text: str) -> str:
        if not text:
            return text
        if text in done:
            return done[text]
        out = text
        for spelled in spellings:  # first: the patterns below would leave only part of a value behind
            out = out.replace(spelled, "***")
        if _may_match(out):
            out = _USERINFO.sub(lambda m: f"{m['scheme']}***@", out)
            out = _QUERY.sub(lambda m: f"{m['key']}***", out)
            out = _PAIR.sub(lambda m: m["key"] + ("***" if m["value"] != "***" else m["value"]), out)
            out = _BEARER.sub(lambda m: f"{m['key']}***", out)
        done[text] = out
        return out

    return apply


def mask(text: str) -> str:
    """Text with credentials replaced by `***`; safe to print or write to a report."""
    return masker()(text) if text else text
