"""A fault-injecting HTTP proxy on loopback, in front of a real tracking server.

Every request is forwarded to the upstream server unchanged, except those a `Rule` matches (by
method, a regular expression on the path with its query, and optionally which occurrences of the
match): those get an injected fault instead of the server's answer.

    rules = [Rule(r"/mlflow-artifacts/artifacts\\?", Fault.HTTP_500, method="GET")]  # every listing
    rules = [Rule(r"/registered-models/alias", Fault.RESET, method="POST", occurrences={2})]  # the 2nd
    with FaultProxy(server.url, rules) as proxy:
        ... point the client at proxy.url ...
        proxy.faulted  # what was broken: [(method, path, fault), ...]
"""

from __future__ import annotations

import enum
import http.client
import json
import re
import socket
import struct
import threading
import urllib.parse
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOST = "127.0.0.1"
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade"}


class Fault(str, enum.Enum):
    HTTP_500 = "http-500"  # an MLflow-shaped INTERNAL_ERROR answer
    RESET = "reset"  # the connection is reset (RST) before any answer
    STALL = "stall"  # the request is read and never answered (until the proxy closes, or stall_seconds)


@dataclass(frozen=True)
class Rule:
    """Which requests to break: method (None: any), path regex (searched in path?query), occurrences."""

    path: str
    fault: Fault
    method: str | None = None
    occurrences: frozenset[int] | None = None  # 1-based counts of matching requests; None: every one

    def __init__(self, path: str, fault: Fault, *, method: str | None = None,
                 occurrences: Iterable[int] | None = None) -> None:
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "fault", Fault(fault))
        object.__setattr__(self, "method", method.upper() if method else None)
        object.__setattr__(self, "occurrences", frozenset(occurrences) if occurrences is not None else None)

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and re.search(self.path, path) is not None


@dataclass
class _State:
    rules: Sequence[Rule]
    upstream: urllib.parse.SplitResult
    stall_seconds: float
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    seen: dict[int, int] = field(default_factory=dict)  # rule index -> matching requests so far
    requests: list[tuple[str, str]] = field(default_factory=list)
    faulted: list[tuple[str, str, Fault]] = field(default_factory=list)

    def fault_for(self, method: str, path: str) -> Fault | None:
        with self.lock:
            self.requests.append((method, path))
            for i, rule in enumerate(self.rules):
                if rule.matches(method, path):
                    self.seen[i] = self.seen.get(i, 0) + 1
                    if rule.occurrences is None or self.seen[i] in rule.occurrences:
                        self.faulted.append((method, path, rule.fault))
                        return rule.fault
            return None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _ProxyServer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass  # quiet: the upstream server keeps the access log

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            return self.rfile.read(length)
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        return b""

    def _handle(self) -> None:
        state = self.server.state
        body = self._body()
        fault = state.fault_for(self.command, self.path)
        if fault is Fault.HTTP_500:
            payload = json.dumps({"error_code": "INTERNAL_ERROR", "message": "injected fault"}).encode()
            self.send_response(500)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(payload)
            self.close_connection = True
            return
        if fault is Fault.RESET:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            return
        if fault is Fault.STALL:
            state.stop.wait(state.stall_seconds)
            self.close_connection = True
            return
        self._forward(body)

    def _forward(self, body: bytes) -> None:
        up = self.server.state.upstream
        conn = http.client.HTTPConnection(up.hostname or HOST, up.port or 80, timeout=120)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP | {"host"}}
            headers["Host"] = up.netloc
            if body:
                headers["Content-Length"] = str(len(body))
            conn.request(self.command, self.path, body=body or None, headers=headers)
            resp = conn.getresponse()
            payload = resp.read()
        finally:
            conn.close()
        self.send_response(resp.status, resp.reason)
        for key, value in resp.getheaders():
            if key.lower() not in HOP_BY_HOP | {"content-length"}:
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle


class _ProxyServer(ThreadingHTTPServer):
    daemon_threads = True
    state: _State


class FaultProxy:
    """The proxy: a thread serving 127.0.0.1:<free port>; `close()` (or the `with` block's end) stops it."""

    def __init__(self, upstream: str, rules: Sequence[Rule] = (), *, stall_seconds: float = 60.0) -> None:
        parsed = urllib.parse.urlsplit(upstream)
        if parsed.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError(f"the proxy forwards to loopback only, not {upstream!r}")
        self._server = _ProxyServer((HOST, 0), _Handler)
        self._server.state = _State(rules=tuple(rules), upstream=parsed, stall_seconds=stall_seconds)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self._server.server_address[1]}"

    @property
    def requests(self) -> list[tuple[str, str]]:
        """Every (method, path?query) the proxy received, in order."""
        with self._server.state.lock:
            return list(self._server.state.requests)

    @property
    def faulted(self) -> list[tuple[str, str, Fault]]:
        """The requests that were broken, and how."""
        with self._server.state.lock:
            return list(self._server.state.faulted)

    def close(self) -> None:
        self._server.state.stop.set()  # release stalled requests
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
