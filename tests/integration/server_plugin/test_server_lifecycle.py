"""The guarded server as teams run it: the plain client refused and then allowed, break-glass
recorded and audited, a policy edit picked up by every worker, an invalid policy refusing to start."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from mlflow.exceptions import MlflowException

from tests.integration.conftest import running_server
from tests.integration.server_plugin.conftest import (
    ADMIN,
    EDITOR,
    POLICY,
    give_evidence,
    plugin_metadata,
    write_config,
)
from tests.integration.server_plugin.helpers import audit
from tests.integration.server_plugin.test_protected_surface import API, BREAK_GLASS, UI, fresh_model

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_the_plain_client_is_refused_naming_the_missing_evidence_then_allowed(guarded):
    name = fresh_model(guarded, "done-when", versions=1)
    with guarded.as_user(EDITOR):
        client = guarded.client()
        with pytest.raises(MlflowException) as refused:
            client.set_registered_model_alias(name, "champion", "1")
        text = str(refused.value)
        assert "production-alias" in text and "approval-quorum: 0 valid approval(s) of 2 required" in text, text
        assert "gate-record: no passing gate result is recorded" in text, text
        assert client.get_registered_model(name).aliases == {}
        give_evidence(guarded, name, "1")
        client.set_registered_model_alias(name, "champion", "1")
        assert client.get_model_version_by_alias(name, "champion").version == "1"
    other = fresh_model(guarded, "done-when-ui", versions=1)
    status, body = guarded.http("POST", f"{UI}/registered-models/alias", {"name": other, "alias": "champion",
                                                                          "version": "1"})
    assert status == 403 and "approval-quorum" in body["message"], body
    give_evidence(guarded, other, "1")
    status, body = guarded.http("POST", f"{UI}/registered-models/alias", {"name": other, "alias": "champion",
                                                                          "version": "1"})
    assert status == 200, body


def test_break_glass_needs_the_configuration_and_a_reason_and_is_recorded_and_audited(guarded):
    name = fresh_model(guarded, "glass", versions=1)
    payload = {"name": name, "alias": "champion", "version": "1"}
    status, body = guarded.http("POST", f"{API}/registered-models/alias", payload, headers={BREAK_GLASS: "  "})
    assert status == 403, body  # no reason, no break-glass
    if guarded.authenticated:  # break-glass is configured for the admin only
        status, body = guarded.http("POST", f"{API}/registered-models/alias", payload,
                                    headers={BREAK_GLASS: "incident 42"})
        assert status == 403 and body["rule"] == "production-alias", body
    user = ADMIN if guarded.authenticated else None
    status, body = guarded.http("POST", f"{API}/registered-models/alias", payload, user=user,
                                headers={BREAK_GLASS: "incident 42: rollback"})
    assert status == 200, body
    done = audit(guarded, name)
    assert done.returncode == 1, done.stderr
    flags = json.loads(done.stdout)["bypassed"]
    who = ADMIN if guarded.authenticated else "(unauthenticated)"
    assert any(f"break-glass by {who}" in f and "incident 42: rollback" in f and "@champion" in f for f in flags), flags


def test_a_policy_change_is_picked_up_by_every_worker(guarded):
    name = fresh_model(guarded, "reload")
    status, body = guarded.http("POST", f"{API}/registered-models/alias", {"name": name, "alias": "gold",
                                                                           "version": "1"})
    assert status == 200, body  # not a production alias under the server's policy
    original = guarded.policy_file.read_text()
    stricter = {**POLICY, "approval": {**POLICY["approval"],
                                       "production_aliases": ["champion", "production", "prod", "gold"]}}
    try:
        guarded.policy_file.write_text(yaml.safe_dump(stricter))
        for _ in range(6):  # spread over both workers
            status, body = guarded.http("POST", f"{API}/registered-models/alias",
                                        {"name": name, "alias": "gold", "version": "2"})
            assert status == 403 and body["rule"] == "production-alias", body
        guarded.policy_file.write_text("approval: {min_approvals: two}\n")  # invalid: refused, never the old policy
        status, body = guarded.http("POST", f"{API}/registered-models/alias", {"name": name, "alias": "gold",
                                                                               "version": "2"})
        assert status == 403 and body["rule"] == "server-policy", body
    finally:
        guarded.policy_file.write_text(original)
    status, body = guarded.http("POST", f"{API}/registered-models/alias", {"name": name, "alias": "gold",
                                                                           "version": "2"})
    assert status == 200, body


@pytest.mark.parametrize("kind", ["3.x", "2.22"])
def test_a_server_with_an_invalid_policy_does_not_start(kind, tmp_path):
    config = write_config(tmp_path, {"approval": {"min_approvals": "two"}})
    env = {"MLGOV_SERVER_CONFIG": str(config), "PYTHONPATH": plugin_metadata(tmp_path / "plugin")}
    args = ("--workers", "2") if kind == "3.x" else ("--workers", "2", "--gunicorn-opts", "--access-logfile -")
    with pytest.raises(RuntimeError) as failed, running_server(tmp_path, kind=kind, app_name="mlgov",
                                                               env_extra=env, args_extra=args):
        pass
    text = str(failed.value)
    assert "exited with" in text, text
    assert "mlgov: the server cannot start" in text and "approval.min_approvals" in text, text


@pytest.mark.parametrize("guarded", ["3.x"], indirect=True, ids=["guarded=3.x"])
def test_every_worker_of_the_basic_auth_server_started(guarded):
    """Each worker makes basic-auth's tables at start; unserialised, two of them raced and one died
    ("table ... already exists") before uvicorn replaced it."""
    log = guarded.log.read_text(errors="replace")
    assert "already exists" not in log
    assert not re.search(r"Process SpawnProcess-\d+:\s*\nTraceback", log), log[:3000]
