"""The webhook receiver's verification, on deliveries signed here the way MLflow signs them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

from mlgov_checks.integrations.server.webhook import DELIVERY, SIGNATURE, TIMESTAMP, Receiver, problem, read_events

SECRET = "s3cret-for-the-hook"
BODY = json.dumps({"entity": "model_version_alias", "action": "created", "timestamp": "2026-12-01T00:00:00Z",
                   "data": {"name": "churn", "alias": "champion", "version": "3"}}).encode()


def mlflow_signed(body: bytes, delivery: str = "d-1", stamp: int | None = None, secret: str = SECRET) -> dict:
    """The headers mlflow/webhooks/delivery.py sends (its _generate_hmac_signature, written out)."""
    ts = str(int(time.time()) if stamp is None else stamp)
    digest = hmac.new(secret.encode(), f"{delivery}.{ts}.{body.decode()}".encode(), hashlib.sha256).digest()
    return {DELIVERY: delivery, TIMESTAMP: ts, SIGNATURE: "v1," + base64.b64encode(digest).decode()}


def test_a_delivery_signed_with_the_secret_is_accepted():
    assert problem(SECRET, mlflow_signed(BODY), BODY) is None


def test_a_wrong_secret_a_changed_body_a_stale_or_unsigned_delivery_is_refused():
    assert problem(SECRET, mlflow_signed(BODY, secret="other"), BODY) == "signature does not match"
    assert problem(SECRET, mlflow_signed(BODY), BODY.replace(b'"3"', b'"4"')) == "signature does not match"
    assert "not within" in problem(SECRET, mlflow_signed(BODY, stamp=int(time.time()) - 3600), BODY)
    assert "missing" in problem(SECRET, {DELIVERY: "d-1"}, BODY)


def test_verified_events_are_recorded_once(tmp_path):
    events = tmp_path / "events.jsonl"
    receiver = Receiver(SECRET, str(events))
    headers = mlflow_signed(BODY)
    assert receiver.accept(headers, BODY) == (204, "recorded")
    assert receiver.accept(headers, BODY) == (204, "repeated delivery")
    assert receiver.accept(mlflow_signed(BODY, secret="x"), BODY)[0] == 401
    (event,) = read_events(str(events))
    assert event["delivery"] == "d-1" and event["data"] == {"name": "churn", "alias": "champion", "version": "3"}
