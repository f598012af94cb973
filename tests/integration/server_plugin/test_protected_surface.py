"""The guarded servers refuse every production move without evidence, and only those.

`SURFACE` is the protected surface, one row per request an attacker with EDIT would send (raw
HTTP, as the REST API and the UI's ajax API take it): refused without evidence (naming the rule),
allowed once the evidence or the identity the rule asks for is there. A new MLflow endpoint is one
row here and one entry in mlgov_checks/integrations/server/surface.py.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from tests.integration.server_plugin.conftest import ADMIN, EDITOR, GATE, Guarded, give_evidence, new_version

pytestmark = [pytest.mark.integration, pytest.mark.slow]

API, UI = "/api/2.0/mlflow", "/ajax-api/2.0/mlflow"
BREAK_GLASS = "X-Mlgov-Break-Glass"
_names = itertools.count()

Attack = Callable[..., "tuple[int, dict]"]


def put_in_production(srv: Guarded, name: str) -> None:
    """Version 1 with its evidence, at @champion and in stage Production (both allowed by the guard)."""
    give_evidence(srv, name, "1")
    for path, payload in ((f"{API}/registered-models/alias", {"name": name, "alias": "champion", "version": "1"}),
                          (f"{API}/model-versions/transition-stage",
                           {"name": name, "version": "1", "stage": "Production", "archive_existing_versions": False})):
        status, body = srv.http("POST", path, payload)
        assert status == 200, body


def evidence(srv: Guarded, name: str) -> dict:
    give_evidence(srv, name, "1")
    return {}


def evidence_on_2(srv: Guarded, name: str) -> dict:
    give_evidence(srv, name, "2")
    return {}


def gate_identity(srv: Guarded, name: str) -> dict:
    """The gate's identity on the server with users; break-glass (recorded) on the one without."""
    if srv.authenticated:
        return {"user": GATE}
    return {"headers": {BREAK_GLASS: "restoring from backup, ticket OPS-1"}}


def copy_then_evidence(srv: Guarded, name: str) -> dict:
    give_evidence(srv, f"{name}-copy", "1")
    return {}


def request(method: str, path: str, payload: Callable[[str], dict]) -> Attack:
    def attack(srv: Guarded, name: str, **kw) -> tuple[int, dict]:
        return srv.http(method, path, payload(name), **kw)
    return attack


def copied(srv: Guarded, name: str, **kw) -> tuple[int, dict]:
    """copy_model_version carries the source's tags (its recorded result, its approvals) to the copy."""
    copy = f"{name}-copy"
    with srv.as_user(EDITOR):
        client = srv.client()
        if not client.search_model_versions(f"name = '{copy}'"):
            client.copy_model_version(f"models:/{name}/1", copy)
    return srv.http("POST", f"{API}/registered-models/alias", {"name": copy, "alias": "champion", "version": "1"},
                    **kw)


@dataclass(frozen=True)
class Row:
    id: str
    rule: str
    attack: Attack
    remedy: Callable[[Guarded, str], dict]  # what makes it legitimate: kwargs for the same request again
    production: bool = False  # version 1 is in production (with its evidence) before the attack
    evidence_first: bool = False  # version 1 has its evidence before the attack (it is not in production)


SURFACE = [
    Row("set-alias-rest", "production-alias", request("POST", f"{API}/registered-models/alias",
        lambda n: {"name": n, "alias": "champion", "version": "1"}), evidence),
    Row("set-alias-ui", "production-alias", request("POST", f"{UI}/registered-models/alias",
        lambda n: {"name": n, "alias": "champion", "version": "1"}), evidence),
    Row("set-alias-respelled", "production-alias", request("POST", f"{API}/registered-models/alias",
        lambda n: {"name": n, "alias": "PROD", "version": "1"}), evidence),
    Row("re-point-production-alias", "production-alias", request("POST", f"{UI}/registered-models/alias",
        lambda n: {"name": n, "alias": "champion", "version": "2"}), evidence_on_2, production=True),
    Row("copy-into-production", "production-alias", copied, copy_then_evidence, evidence_first=True),
    Row("stage-production-rest", "production-stage", request("POST", f"{API}/model-versions/transition-stage",
        lambda n: {"name": n, "version": "1", "stage": "production", "archive_existing_versions": True}), evidence),
    Row("stage-production-ui", "production-stage", request("POST", f"{UI}/model-versions/transition-stage",
        lambda n: {"name": n, "version": "1", "stage": "Production", "archive_existing_versions": False}), evidence),
    Row("stage-leave-production", "production-stage-exit", request("POST", f"{API}/model-versions/transition-stage",
        lambda n: {"name": n, "version": "1", "stage": "Archived", "archive_existing_versions": False}),
        gate_identity, production=True),
    Row("delete-production-alias-rest", "production-alias-delete", request("DELETE",
        f"{API}/registered-models/alias", lambda n: {"name": n, "alias": "champion"}), gate_identity, production=True),
    Row("delete-production-alias-ui", "production-alias-delete", request("DELETE",
        f"{UI}/registered-models/alias", lambda n: {"name": n, "alias": "champion"}), gate_identity, production=True),
    Row("overwrite-recorded-result", "governance-tag", request("POST", f"{API}/model-versions/set-tag",
        lambda n: {"name": n, "version": "1", "key": "mlgov.status", "value": "fail"}), gate_identity, production=True),
    Row("delete-approval", "governance-tag", request("DELETE", f"{UI}/model-versions/delete-tag",
        lambda n: {"name": n, "version": "1", "key": "mlgov.approval.carol"}), gate_identity, production=True),
    Row("delete-production-version", "production-version-delete", request("DELETE",
        f"{API}/model-versions/delete", lambda n: {"name": n, "version": "1"}), gate_identity, production=True),
    Row("delete-production-model", "production-model-delete", request("DELETE", f"{API}/registered-models/delete",
        lambda n: {"name": n}), gate_identity, production=True),
    Row("rename-production-model", "production-model-rename", request("POST", f"{UI}/registered-models/rename",
        lambda n: {"name": n, "new_name": f"{n}-renamed"}), gate_identity, production=True),
]


def fresh_model(srv: Guarded, label: str, versions: int = 2) -> str:
    name = f"{label}-{srv.kind}-{next(_names)}"
    for i in range(versions):
        new_version(srv, name, new_model=i == 0)
    return name


@pytest.mark.parametrize("row", SURFACE, ids=lambda r: r.id)
def test_protected_request_is_refused_without_evidence_and_allowed_with_it(guarded, row):
    name = fresh_model(guarded, row.id)
    if row.production:
        put_in_production(guarded, name)
    elif row.evidence_first:
        give_evidence(guarded, name, "1")
    status, body = row.attack(guarded, name)
    assert status == 403, body
    assert body["error_code"] == "PERMISSION_DENIED" and body["rule"] == row.rule, body
    assert body["missing"] and row.rule in body["message"], body
    status, body = row.attack(guarded, name, **row.remedy(guarded, name))
    assert status == 200, body


def test_every_verb_on_the_alias_endpoint_is_judged_or_not_served(guarded):
    name = fresh_model(guarded, "verbs")
    put_in_production(guarded, name)
    payload = {"name": name, "alias": "champion", "version": "2"}
    for prefix in (API, UI):
        path = f"{prefix}/registered-models/alias"
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            status, body = guarded.http(method, path, payload,
                                        query=f"?name={name}&alias=champion" if method == "GET" else "")
            if method == "GET":
                assert status == 200 and body["model_version"]["version"] == "1", body
            elif method in ("POST", "DELETE"):
                assert status == 403 and body["rule"].startswith("production-alias"), (method, body)
            else:  # not served: Flask's 405, or basic-auth's refusal of a route it does not know
                assert status in (403, 405) and "rule" not in body, (method, status, body)
    status, body = guarded.http("GET", f"{API}/registered-models/get", query=f"?name={name}")
    assert [a["alias"] for a in body["registered_model"]["aliases"]] == ["champion"]
    assert body["registered_model"]["aliases"][0]["version"] == "1"


def test_unprotected_requests_are_untouched(guarded):
    name = fresh_model(guarded, "untouched")
    put_in_production(guarded, name)
    calls = [
        ("POST", f"{API}/registered-models/alias", {"name": name, "alias": "staging", "version": "2"}),
        ("POST", f"{UI}/registered-models/alias", {"name": name, "alias": "challenger", "version": "2"}),
        ("DELETE", f"{API}/registered-models/alias", {"name": name, "alias": "staging"}),
        ("POST", f"{API}/model-versions/transition-stage",
         {"name": name, "version": "2", "stage": "Staging", "archive_existing_versions": False}),
        ("POST", f"{API}/model-versions/set-tag", {"name": name, "version": "1", "key": "owner", "value": "ds"}),
        ("POST", f"{API}/model-versions/set-tag", {"name": name, "version": "2", "key": "mlgov.status", "value": "x"}),
        ("PATCH", f"{API}/model-versions/update", {"name": name, "version": "1", "description": "Approved, v1"}),
        ("POST", f"{API}/experiments/create", {"name": f"exp-{name}"}),
    ]
    for method, path, payload in calls:
        status, body = guarded.http(method, path, payload)
        assert status == 200, (path, body)
    _, exp = guarded.http("GET", f"{API}/experiments/get-by-name", query=f"?experiment_name=exp-{name}")
    status, run = guarded.http("POST", f"{API}/runs/create", {"experiment_id": exp["experiment"]["experiment_id"]})
    assert status == 200, run
    run_id = run["run"]["info"]["run_id"]
    status, body = guarded.http("POST", f"{API}/runs/log-metric",
                                {"run_id": run_id, "key": "loss", "value": 0.5, "timestamp": 1, "step": 0})
    assert status == 200, body
    status, body = guarded.http("POST", f"{API}/runs/search", {"experiment_ids": [exp["experiment"]["experiment_id"]]})
    assert status == 200 and len(body["runs"]) == 1, body


@pytest.mark.parametrize("guarded", ["3.x"], indirect=True, ids=["guarded=3.x"])
def test_an_administrator_is_refused_too(guarded):
    assert guarded.authenticated
    name = fresh_model(guarded, "admin", versions=1)
    status, body = guarded.http("POST", f"{API}/registered-models/alias",
                                {"name": name, "alias": "champion", "version": "1"}, user=ADMIN)
    assert status == 403 and body["rule"] == "production-alias", body


def test_weights_replaced_after_approval_close_the_gate_again(guarded):
    """Approvals are judged with the model files as they are at the request: weights replaced after
    the approvals and the recorded pass (an EDIT user's artifact upload) no longer count."""
    name = fresh_model(guarded, "replaced", versions=1)
    give_evidence(guarded, name, "1")
    with guarded.as_user(EDITOR):
        client = guarded.client()
        run_id = client.get_model_version(name, "1").run_id
        client.log_text(run_id, "other weights\n", "model/model.pkl")
    status, body = guarded.http("POST", f"{API}/registered-models/alias",
                                {"name": name, "alias": "champion", "version": "1"})
    assert status == 403 and body["rule"] == "production-alias", body
    assert any(m.startswith("approval-quorum: 0 valid approval") for m in body["missing"]), body
