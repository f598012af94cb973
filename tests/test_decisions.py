"""The decision log's vocabulary: tags built and parsed by one module, and what counts as a promotion."""

from __future__ import annotations

import pytest

from mlgov_checks.governance import decisions
from mlgov_checks.governance.decisions import Field, Outcome
from mlgov_checks.records import RunRecord


def test_tags_are_the_known_fields_under_the_prefix():
    tags = decisions.tags({"action": "promote", "model": "m", "version": "3", "to": "@champion",
                           "outcome": "intended", "archived": ["1"], "policy": "p.yaml"})
    assert tags == {"mlgov.decision.action": "promote", "mlgov.decision.model": "m",
                    "mlgov.decision.version": "3", "mlgov.decision.to": "@champion",
                    "mlgov.decision.outcome": "intended"}  # the rest lives in the decision's JSON


def test_tags_are_cut_to_mlflows_limit_and_masked(monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", "Pl4nted-pw")
    tags = decisions.tags({"gate": "x" * 6000, "error": "login failed for Pl4nted-pw"})
    assert len(tags[Field.GATE.tag]) == decisions.MAX_TAG
    assert "Pl4nted-pw" not in tags[Field.ERROR.tag]


def test_parse_reads_back_what_tags_wrote():
    decision = {"action": "promote", "model": "m", "version": "2", "to": "stage:Production",
                "from": "Staging", "actor": "rita", "time": "2024-06-01T10:00:00Z", "outcome": "done"}
    run = RunRecord(run_id="r1", status="FINISHED", start_time=0,
                    tags={**decisions.tags(decision), "mlflow.user": "rita"})
    parsed = decisions.parse(run)
    assert dict(parsed.fields) == decision
    assert (parsed.action, parsed.model, parsed.version, parsed.to, parsed.outcome) == (
        "promote", "m", "2", "stage:Production", "done")
    assert parsed.status == "FINISHED"
    assert parsed.row() == {**decision, "run_id": "r1"}


def test_a_row_is_dated_by_its_run_when_the_decision_names_no_time():
    run = RunRecord(run_id="r2", start_time=1717236000000, tags={Field.ACTION.tag: "record"})
    assert decisions.parse(run).row()["time"] == "2024-06-01T10:00:00Z"


@pytest.mark.parametrize(("action", "outcome", "counts"), [
    ("promote", "done", True),
    ("promote", "", True),  # logged before outcomes were recorded: only after the move
    ("promote", "intended", False),
    ("promote", "failed", False),
    ("record", "done", False),
    ("archive", "done", False),
])
def test_only_a_promotion_carried_out_counts(action, outcome, counts):
    fields = {"action": action, "version": "1", "to": "@champion", **({"outcome": outcome} if outcome else {})}
    decision = decisions.Decision(run_id="r", fields=fields)
    assert decision.promoted is counts
    assert decisions.promoted_pairs([decision]) == ({("1", "@champion")} if counts else set())


def test_destination_tags_name_the_alias_or_the_stage():
    assert decisions.destination_tag("@champion") == "mlgov.decision.alias.champion"
    assert decisions.destination_tag("stage:Production") == "mlgov.decision.stage.Production"
    assert decisions.status_label("pass") == "status:pass"


def test_the_outcomes_and_kinds_are_closed_sets():
    assert [o.value for o in Outcome] == ["intended", "done", "failed"]
    assert [k.value for k in decisions.Kind] == ["promote", "archive", "record", "break-glass"]
    assert decisions.confirmed(None) and not decisions.confirmed("intended")


def test_no_other_module_spells_the_prefix():
    from pathlib import Path

    package = Path(decisions.__file__).resolve().parents[1]
    spelled = [str(p.relative_to(package)) for p in package.rglob("*.py")
               if '"mlgov.decision.' in p.read_text(encoding="utf-8")]
    assert spelled == ["governance/decisions.py"]
