"""Masking of credentials in anything printed or written: URIs, tokens, passwords."""

from __future__ import annotations

import os
import re

SECRET_ENV = ("MLFLOW_TRACKING_PASSWORD", "MLFLOW_TRACKING_TOKEN", "DATABRICKS_TOKEN",
              "DATABRICKS_CLIENT_SECRET", "AWS_SECRET_ACCESS_KEY", "AZURE_STORAGE_ACCESS_KEY",
              "GITHUB_TOKEN", "MLFLOW_TRACKING_CLIENT_CERT_PATH")

_USERINFO = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<userinfo>[^/@\s]+)@")
_QUERY = re.compile(r"(?i)(?P<key>(?:token|password|passwd|secret|api[_-]?key|access[_-]?key)=)[^&\s'\"]+")
_BEARER = re.compile(r"(?i)(?P<key>(?:bearer|basic)\s+)[A-Za-z0-9._~+/=-]{8,}")


def mask(text: str) -> str:
    """Text with credentials replaced by `***`; safe to print or write to a report."""
    if not text:
        return text
    text = _USERINFO.sub(lambda m: f"{m['scheme']}***@", text)
    text = _QUERY.sub(lambda m: f"{m['key']}***", text)
    text = _BEARER.sub(lambda m: f"{m['key']}***", text)
    for name in SECRET_ENV:
        value = os.environ.get(name)
        if value and len(value) >= 4:
            text = text.replace(value, "***")
    return text
