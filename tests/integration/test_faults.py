"""Fault injection: loopback stand-ins for a tracking server that fails in every usual way.

Each stand-in is a thread in this process listening on 127.0.0.1. Every fault must end
`mlgov check` with exit 3 within a bound derived from `--timeout`, one line naming the target and
the URI, no traceback, and (with several targets) a finding for each target.
"""

from __future__ import annotations

import json
import os
import socket
import struct
import subprocess
import sys
import threading
import time

import pytest

from tests.conftest import REPO_ROOT
from tests.integration.conftest import HOST, free_port

pytestmark = pytest.mark.integration

TIMEOUT = 5  # --timeout
STARTUP = 15  # interpreter, click and mlflow imports on a loaded 2-core machine
STALL_LIMIT = 60  # a stalled connection is held at most this long, whatever happens
MAX_REQUESTS = 200  # a stand-in answers at most this many requests, then closes its socket


def _response(status: str, body: bytes, *headers: str) -> bytes:
    head = [f"HTTP/1.1 {status}", "Content-Type: application/json", f"Content-Length: {len(body)}",
            "Connection: close", *headers]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def _read_request(conn: socket.socket) -> bytes:
    """Read the request head (and its body, if any) so the client is not reset before it has sent it."""
    conn.settimeout(5)
    data = b""
    while b"\r\n\r\n" not in data and len(data) < 65536:
        chunk = conn.recv(4096)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    while len(body) < length:
        chunk = conn.recv(4096)
        if not chunk:
            break
        body += chunk
    return head


def _server_error(conn, stop):
    body = json.dumps({"error_code": "INTERNAL_ERROR", "message": "database is on fire"}).encode()
    conn.sendall(_response("500 Internal Server Error", body))


def _too_many(conn, stop):
    # A Retry-After longer than any sane run: honouring it would hang the gate for an hour.
    body = json.dumps({"error_code": "REQUEST_LIMIT_EXCEEDED", "message": "slow down"}).encode()
    conn.sendall(_response("429 Too Many Requests", body, "Retry-After: 3600"))


def _stall(conn, stop):
    stop.wait(STALL_LIMIT)  # accept, read, never answer


def _reset(conn, stop):
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n"
                 b'{"model_versions": [{"name": "m", "version": "1", "run_')
    # SO_LINGER 0: close() sends RST instead of FIN, the connection is reset mid-body.
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def _truncated(conn, stop):
    body = b'{"model_versions": [{"name": "m", "version": "1", "run_id": "0123'
    conn.sendall(_response("200 OK", body))


FAULTS = {"server-error": _server_error, "too-many-requests": _too_many, "stall": _stall,
          "reset": _reset, "truncated-json": _truncated}


class StandIn:
    """A one-behaviour HTTP server on 127.0.0.1: a thread per connection, bounded in count and time."""

    def __init__(self, behaviour):
        self.behaviour = behaviour
        self.stop = threading.Event()
        self.requests: list[bytes] = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((HOST, 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.threads: list[threading.Thread] = []
        self.acceptor = threading.Thread(target=self._accept, daemon=True)
        self.acceptor.start()

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def _accept(self):
        while not self.stop.is_set() and len(self.requests) < MAX_REQUESTS:
            try:
                conn, _ = self.sock.accept()
            except OSError:  # timeout (check stop) or closed
                continue
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self.threads.append(t)
            t.start()

    def _serve(self, conn):
        with conn:
            try:
                head = _read_request(conn)
                self.requests.append(head.split(b"\r\n", 1)[0])
                self.behaviour(conn, self.stop)
            except OSError:
                pass

    def close(self):
        self.stop.set()
        self.acceptor.join(timeout=5)
        self.sock.close()
        for t in self.threads:
            t.join(timeout=5)


@pytest.fixture
def stand_in():
    servers = []

    def start(name):
        if name == "refused":
            return f"http://{HOST}:{free_port()}", None  # nothing listens there
        server = StandIn(FAULTS[name])
        servers.append(server)
        return server.url, server

    yield start
    for s in servers:
        s.close()


def mlgov_check(uri, *targets, cwd):
    """`mlgov check TARGETS --tracking-uri URI --timeout 5` in a fresh process; (proc, seconds)."""
    policy = cwd / "mlgov.yaml"
    policy.write_text("version: 1\n", encoding="utf-8")
    env_drop = ("MLFLOW_TRACKING_", "MLFLOW_HTTP_", "DATABRICKS_", "MLGOV_", "GITHUB_ACTIONS")
    env = {k: v for k, v in os.environ.items() if not k.startswith(env_drop)}
    env.update(NO_COLOR="1", PYTHONPATH=str(REPO_ROOT))  # this checkout, whatever is installed
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "mlgov_checks", "check", *targets, "--tracking-uri", uri,
                           "--timeout", str(TIMEOUT), "--policy", str(policy), "--format", "text"],
                          capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=3 * TIMEOUT + STARTUP + 30)
    return proc, time.monotonic() - start


ALL = ["refused", *FAULTS]
SAYS = {"refused": "tracking server unreachable", "server-error": "answered HTTP 500 to every retry",
        "too-many-requests": "answered HTTP 429 to every retry", "stall": "tracking server unreachable",
        "reset": "Connection reset", "truncated-json": "not in a valid JSON format"}


@pytest.mark.parametrize("fault", ALL)
def test_one_target_exits_3_in_bounded_time(stand_in, tmp_path, fault):
    uri, server = stand_in(fault)
    proc, elapsed = mlgov_check(uri, "models:/m/1", cwd=tmp_path)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 3, out
    assert elapsed < 3 * TIMEOUT + STARTUP, (elapsed, out)
    assert "Traceback" not in out and "internal error" not in out, out
    errors = [ln for ln in proc.stdout.splitlines() if ln.rstrip().endswith("[error]")]
    assert len(errors) == 1, out
    assert errors[0].startswith("models:/m/1: ") and f"(tracking URI {uri})" in errors[0], errors[0]
    assert SAYS[fault] in errors[0], errors[0]
    if server is not None:
        assert 1 <= len(server.requests) <= 10, server.requests  # retried, but a bounded number of times


@pytest.mark.parametrize("fault", ALL)
def test_several_targets_each_get_their_finding(stand_in, tmp_path, fault):
    """Three targets on a faulty server: three errors, in order; the first does not end the run."""
    uri, server = stand_in(fault)
    targets = ["models:/m/1", "models:/other@champion", "runs:/0123456789abcdef"]
    proc, elapsed = mlgov_check(uri, *targets, cwd=tmp_path)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 3, out
    assert "Traceback" not in out and "internal error" not in out, out
    errors = [ln for ln in proc.stdout.splitlines() if ln.rstrip().endswith("[error]")]
    assert [next(t for t in targets if ln.startswith(t + ":")) for ln in errors] == targets, out
    assert all(f"(tracking URI {uri})" in ln for ln in errors), out
    assert "3 could not be evaluated" in proc.stdout, out
    # one bounded call per distinct lookup at most (a dead server stops further calls at once)
    assert elapsed < 3 * (3 * TIMEOUT) + STARTUP, (elapsed, out)
