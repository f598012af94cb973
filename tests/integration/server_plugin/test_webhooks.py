"""MLflow 3's registry webhooks delivered by the guarded server to `mlgov webhook-receiver`'s receiver on
loopback: verified deliveries are recorded and `mlgov audit --webhook-events` flags the alias moves
that have no promotion; a forged delivery is refused."""

from __future__ import annotations

import json
import secrets
import threading
import time
import urllib.error
import urllib.request

import pytest

from mlgov_checks.integrations.server.webhook import DELIVERY, SIGNATURE, TIMESTAMP, Receiver, read_events
from tests.integration.server_plugin.conftest import ADMIN, WEBHOOK_CACHE_TTL
from tests.integration.server_plugin.helpers import audit
from tests.integration.server_plugin.test_protected_surface import API, BREAK_GLASS, fresh_model

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.mark.parametrize("guarded", ["3.x"], indirect=True, ids=["guarded=3.x"])
def test_alias_events_are_verified_recorded_and_audited(guarded, tmp_path):
    secret = secrets.token_urlsafe(16)
    events = tmp_path / "events.jsonl"
    server = Receiver(secret, str(events)).serve("127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        name = fresh_model(guarded, "webhooks", versions=1)
        with guarded.as_user(ADMIN):
            hook = guarded.client().create_webhook(name=f"audit-{name}", url=url, secret=secret,
                                                   events=["model_version_alias.created",
                                                           "model_version_alias.deleted"])
        # An earlier test's alias event may have cached "no webhooks" in the worker: outwait the cache.
        time.sleep(WEBHOOK_CACHE_TTL + 1)
        status, body = guarded.http("POST", f"{API}/registered-models/alias", {"name": name, "alias": "champion",
                                                                              "version": "1"},
                                    user=ADMIN, headers={BREAK_GLASS: "incident 9"})
        assert status == 200, body
        deadline = time.monotonic() + 60  # delivery is asynchronous
        while not (events.exists() and any(e["data"].get("name") == name for e in read_events(str(events)))):
            assert time.monotonic() < deadline, "no webhook delivery within 60 s"
            time.sleep(0.5)
        (event,) = [e for e in read_events(str(events)) if e["data"].get("name") == name]
        assert event["entity"] == "model_version_alias" and event["action"] == "created"
        assert event["data"] == {"name": name, "alias": "champion", "version": "1"}

        forged = json.dumps({"entity": "model_version_alias", "action": "created", "timestamp": "now",
                             "data": {"name": name, "alias": "champion", "version": "9"}}).encode()
        request = urllib.request.Request(url, data=forged, method="POST", headers={
            DELIVERY: "forged-1", TIMESTAMP: str(int(time.time())), SIGNATURE: "v1,bm90IGEgc2lnbmF0dXJl"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 401
        assert len([e for e in read_events(str(events)) if e["data"].get("name") == name]) == 1

        done = audit(guarded, name, "--webhook-events", str(events))
        assert done.returncode == 1, done.stderr
        flags = json.loads(done.stdout)["bypassed"]
        assert any("webhook at" in f and "@champion set on version 1 with no recorded" in f for f in flags), flags
        with guarded.as_user(ADMIN):
            guarded.client().delete_webhook(hook.webhook_id)
    finally:
        server.shutdown()
        server.server_close()
