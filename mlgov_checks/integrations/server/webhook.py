"""A receiver for MLflow's registry webhooks (MLflow 3.3+): what the guard cannot refuse, recorded.

MLflow delivers a registry event after the change, signed `X-MLflow-Signature: v1,<base64 HMAC-SHA256
(secret, "<delivery id>.<timestamp>.<body>")>` (mlflow/webhooks/delivery.py). The receiver verifies
the signature and the timestamp's freshness, drops a repeated delivery, and appends each verified
event as one JSON line to its events file, which `mlgov audit --webhook-events FILE` reads: an alias
moved by any path (a direct database write replayed through the server, a client the guard let
through on break-glass) is then seen with its time, even when its decision is missing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from mlgov_checks.reports.findings.emit import Output, deliver, say

SIGNATURE, TIMESTAMP, DELIVERY = "X-MLflow-Signature", "X-MLflow-Timestamp", "X-MLflow-Delivery-Id"
TOLERANCE = 300  # seconds a delivery's timestamp may be off: an older signed body is a replay
MAX_BODY = 1 << 20
SECRET_ENV = "MLGOV_WEBHOOK_SECRET"  # noqa: S105  # nosec B105 - the variable holding the secret, not one


def signature(secret: str, delivery: str, timestamp: str, body: bytes) -> str:
    signed = f"{delivery}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(secret.encode(), signed, hashlib.sha256).digest()).decode()


def problem(secret: str, headers: Mapping[str, str], body: bytes, *, now: float | None = None) -> str | None:
    """Why a delivery is not to be trusted, or None when it is signed by `secret` and fresh."""
    delivery, stamp, signed = (headers.get(h) or "" for h in (DELIVERY, TIMESTAMP, SIGNATURE))
    if not (delivery and stamp and signed):
        return f"missing {DELIVERY}, {TIMESTAMP} or {SIGNATURE}"
    if not stamp.isdigit() or abs((now if now is not None else time.time()) - int(stamp)) > TOLERANCE:
        return f"{TIMESTAMP} {stamp!r} is not within {TOLERANCE} s of now"
    expected = signature(secret, delivery, stamp, body)
    if not any(hmac.compare_digest(expected, s.strip()) for s in signed.split(" ")):
        return "signature does not match"
    return None


@dataclass(frozen=True)
class Event:
    delivery: str
    entity: str
    action: str
    data: Mapping[str, Any]
    timestamp: str

    def line(self) -> str:
        return json.dumps({"delivery": self.delivery, "entity": self.entity, "action": self.action,
                           "data": dict(self.data), "timestamp": self.timestamp}, sort_keys=True) + "\n"


def parse(delivery: str, body: bytes) -> Event | None:
    try:
        doc = json.loads(body)
    except ValueError:
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), dict):
        return None
    return Event(delivery, str(doc.get("entity", "")), str(doc.get("action", "")), doc["data"],
                 str(doc.get("timestamp", "")))


def read_events(path: str) -> list[dict[str, Any]]:
    """The events a receiver recorded, oldest first (a torn last line is skipped)."""
    out = []
    with open(path, encoding="utf-8") as fh:
        for raw in fh:
            try:
                item = json.loads(raw)
            except ValueError:
                continue
            if isinstance(item, dict):
                out.append(item)
    return out


class Receiver:
    """The HTTP endpoint: 204 for a verified event (recorded once), 401 for anything else."""

    def __init__(self, secret: str, events: str) -> None:
        self.secret = secret
        self.events = events
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def accept(self, headers: Mapping[str, str], body: bytes) -> tuple[int, str]:
        why = problem(self.secret, headers, body)
        if why is not None:
            say(f"mlgov webhook: refused a delivery: {why}", err=True)
            return 401, why
        event = parse(headers[DELIVERY], body)
        if event is None:
            return 400, "not an MLflow webhook payload"
        with self._lock:
            if event.delivery in self._seen:
                return 204, "repeated delivery"
            self._seen.add(event.delivery)
            deliver([Output(self.events, event.line(), append=True)])
        return 204, "recorded"

    def serve(self, host: str, port: int) -> ThreadingHTTPServer:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                size = int(self.headers.get("Content-Length") or 0)
                if size > MAX_BODY:
                    self.send_error(413)
                    return
                status, why = receiver.accept({k: v for k, v in self.headers.items()}, self.rfile.read(size))
                if status == 204:
                    self.send_response(204)
                    self.end_headers()
                else:
                    self.send_error(status, why)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
                return

        return ThreadingHTTPServer((host, port), Handler)
