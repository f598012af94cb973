"""The approval statement: an in-toto Statement v1 that names what it approves."""

from __future__ import annotations

import json

import pytest

from mlgov_checks.evidence import statement

APPROVAL = statement.Approval(model="fraud", version="3", model_sha256="ab" * 32, run_id="r1",
                              card_sha256="cd" * 32, policy_sha256="ef" * 32, approver="ann",
                              time="2026-12-01T21:00:00Z", comment="looks good")


def test_statement_shape_is_in_toto_v1():
    data = APPROVAL.to_statement()
    assert data["_type"] == "https://in-toto.io/Statement/v1"
    assert data["subject"] == [{"name": "models:/fraud/3", "digest": {"sha256": "ab" * 32}}]
    assert data["predicateType"] == statement.APPROVAL_V1
    assert data["predicate"]["run_id"] == "r1" and data["predicate"]["decision"] == "approve"


def test_payload_round_trips_and_is_canonical():
    payload = APPROVAL.payload()
    assert statement.parse(payload) == APPROVAL
    assert payload == statement.canonical(json.loads(payload))
    assert b" " not in payload.replace(b"looks good", b"")


@pytest.mark.parametrize(("edit", "message"), [
    (lambda d: d.update(_type="x"), "in-toto Statement v1"),
    (lambda d: d.update(predicateType="https://slsa.dev/provenance/v1"), "predicateType"),
    (lambda d: d.update(subject=[]), "exactly one subject"),
    (lambda d: d["subject"].append(d["subject"][0]), "exactly one subject"),
    (lambda d: d["subject"][0].update(name="runs:/r1/model"), "models:/NAME/VERSION"),
    (lambda d: d["predicate"].pop("card_sha256"), "card_sha256"),
    (lambda d: d["predicate"].update(decision="reject"), "decision"),
])
def test_what_is_not_an_approval_statement_is_refused(edit, message):
    data = APPROVAL.to_statement()
    edit(data)
    with pytest.raises(statement.StatementError, match=message):
        statement.parse(json.dumps(data).encode())


def test_not_json_is_refused():
    with pytest.raises(statement.StatementError, match="not JSON"):
        statement.parse(b"\xff")
