"""Masking of credentials in anything printed or written: URIs, tokens, passwords."""

from __future__ import annotations

import base64
import os
import re
import urllib.parse

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


def _spellings(value: str) -> set[str]:
    """The ways a secret value shows up in text: as is, percent-encoded, in a basic-auth header."""
    out = {value, urllib.parse.quote(value, safe=""), urllib.parse.quote_plus(value),
           urllib.parse.quote(value)}
    out.add(base64.b64encode(value.encode()).decode())
    return {s for s in out if len(s) >= MIN_SECRET}


def mask(text: str) -> str:
    """Text with credentials replaced by `***`; safe to print or write to a report."""
    if not text:
        return text
    for name in SECRET_ENV:  # first: the patterns below would leave only part of a value behind
        value = os.environ.get(name)
        if value and len(value) >= MIN_SECRET:
            for spelled in sorted(_spellings(value), key=len, reverse=True):
                text = text.replace(spelled, "***")
    text = _USERINFO.sub(lambda m: f"{m['scheme']}***@", text)
    text = _QUERY.sub(lambda m: f"{m['key']}***", text)
    text = _PAIR.sub(lambda m: m["key"] + ("***" if m["value"] != "***" else m["value"]), text)
    return _BEARER.sub(lambda m: f"{m['key']}***", text)
