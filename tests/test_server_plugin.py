"""The server plugin's logic on records built here: the surface, the verdicts, the configuration."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
import yaml

from mlgov_checks.errors import PolicyError, UsageError
from mlgov_checks.governance import stages
from mlgov_checks.governance.decisions import PREFIX as DECISION_TAG
from mlgov_checks.integrations.server import surface
from mlgov_checks.integrations.server.settings import PolicySource, load_config
from mlgov_checks.integrations.server.verdict import Caller, decide
from mlgov_checks.policy.load import policy_from_mapping
from mlgov_checks.records import CardArtifact, ModelVersionRecord, RunRecord
from tests.checks.test_approvals import CARD, MODEL
from tests.checks.test_approvals import approval as approval_tag

POLICY = policy_from_mapping({"approval": {"min_approvals": 1}})
PRODUCTION = stages.production_aliases(POLICY)


def approval(name: str, version: str, who: str) -> tuple[str, str]:
    """An approval statement bound to version()'s content under POLICY."""
    return approval_tag(who, POLICY, model=name, version=version, run_id="r" + version)


def evidenced(name: str, version: str, report_run: str = "rec1") -> dict[str, str]:
    return dict([approval(name, version, "carol"),
                 ("mlgov.status", "pass"), ("mlgov.policy_sha256", POLICY.sha256),
                 ("mlgov.report", f"runs:/{report_run}/mlgov/report.json")])


def record_decision(run_id: str, name: str, version: str) -> RunRecord:
    tags = {"action": "record", "model": name, "version": version, "to": "status:pass",
            "policy_sha256": POLICY.sha256}
    return RunRecord(run_id, status="FINISHED", tags={DECISION_TAG + k: v for k, v in tags.items()})


@dataclass
class FakeState:
    """The registry's state as plain records: one model, its versions, aliases, the decision log."""

    versions_: dict[str, ModelVersionRecord] = field(default_factory=dict)
    aliases_: dict[str, str] = field(default_factory=dict)
    log: dict[str, RunRecord] = field(default_factory=dict)

    def version(self, name, number, policy):
        return self.versions_[number]

    def versions(self, name):
        return self.versions_

    def aliases(self, name):
        return self.aliases_

    def decision(self, run_id):
        return self.log.get(run_id)


def version(number: str, tags: dict | None = None, stage: str = "None") -> ModelVersionRecord:
    run = RunRecord("r" + number, tags={"mlflow.user": "alice"}, user="alice")
    card = CardArtifact("documentation/model_card.yaml", "card", CARD, len(CARD))
    return ModelVersionRecord("m", number, run_id=run.run_id, tags=tags or {}, current_stage=stage, run=run,
                              card=card, model_digest=MODEL)


def demand(endpoint: str, **fields):
    return surface.SURFACE[endpoint].classify(fields, PRODUCTION)


@pytest.mark.parametrize("alias", ["champion", "Champion", " CHAMPION ", "prod", "Production"])
def test_production_aliases_are_compared_trimmed_and_case_insensitively(alias):
    d = demand("_set_registered_model_alias", name="m", alias=alias, version="1")
    assert d is not None and d.rule is surface.Rule.PRODUCTION_ALIAS


def test_other_aliases_and_tags_are_not_on_the_surface():
    assert demand("_set_registered_model_alias", name="m", alias="staging", version="1") is None
    assert demand("_delete_registered_model_alias", name="m", alias="challenger") is None
    assert demand("_set_model_version_tag", name="m", version="1", key="owner", value="x") is None
    assert "_log_metric" not in surface.SURFACE


def test_a_version_without_evidence_is_refused_naming_what_is_missing():
    state = FakeState({"1": version("1")})
    verdict = decide(demand("_set_registered_model_alias", name="m", alias="champion", version="1"), POLICY,
                     state, Caller(user="edith"))
    assert verdict is not None and not verdict.allowed
    text = verdict.message()
    assert "rule production-alias" in text and "approval-quorum: 0 valid approval(s) of 1 required" in text
    assert "gate-record: no passing gate result is recorded" in text


def test_a_version_with_evidence_is_allowed():
    state = FakeState({"1": version("1", evidenced("m", "1"))}, log={"rec1": record_decision("rec1", "m", "1")})
    verdict = decide(demand("_transition_stage", name="m", version="1", stage=" production"), POLICY, state,
                     Caller(user="edith"))
    assert verdict is not None and verdict.allowed and not verdict.broke_glass


@pytest.mark.parametrize(("case", "log"), [
    ("no record decision", {}),
    ("another version's decision", {"rec1": record_decision("rec1", "m", "9")}),
    ("a decision that is not finished", {"rec1": RunRecord("rec1", status="RUNNING",
                                                           tags=record_decision("rec1", "m", "1").tags)}),
])
def test_a_recorded_result_without_its_own_record_decision_does_not_count(case, log):
    state = FakeState({"1": version("1", evidenced("m", "1"))}, log=log)
    verdict = decide(demand("_set_registered_model_alias", name="m", alias="champion", version="1"), POLICY,
                     state, Caller())
    assert verdict is not None and not verdict.allowed, case
    assert "no record decision for models:/m/1" in verdict.message()


def test_a_result_recorded_under_another_policy_does_not_count():
    tags = {**evidenced("m", "1"), "mlgov.policy_sha256": "0" * 64}
    state = FakeState({"1": version("1", tags)}, log={"rec1": record_decision("rec1", "m", "1")})
    verdict = decide(demand("_set_registered_model_alias", name="m", alias="champion", version="1"), POLICY,
                     state, Caller())
    assert verdict is not None and "recorded under policy 000000000000" in verdict.message()


def production_state() -> FakeState:
    return FakeState({"1": version("1", evidenced("m", "1"), stage="Production"), "2": version("2")},
                     aliases_={"Champion": "1"}, log={"rec1": record_decision("rec1", "m", "1")})


@pytest.mark.parametrize(("endpoint", "fields", "rule"), [
    ("_delete_registered_model_alias", {"alias": "champion"}, "production-alias-delete"),
    ("_transition_stage", {"version": "1", "stage": "Archived"}, "production-stage-exit"),
    ("_delete_model_version", {"version": "1"}, "production-version-delete"),
    ("_delete_registered_model", {}, "production-model-delete"),
    ("_rename_registered_model", {"new_name": "m2"}, "production-model-rename"),
    ("_set_model_version_tag", {"version": "1", "key": "mlgov.status", "value": "fail"}, "governance-tag"),
    ("_delete_model_version_tag", {"version": "1", "key": "mlgov.approval.carol"}, "governance-tag"),
])
def test_taking_production_or_its_evidence_away_needs_the_gate(endpoint, fields, rule):
    d = demand(endpoint, name="m", **fields)
    refused = decide(d, POLICY, production_state(), Caller(user="edith"))
    assert refused is not None and not refused.allowed and refused.rule.value == rule
    assert decide(d, POLICY, production_state(), Caller(user="mlgov-ci", gate=True)).allowed
    glass = decide(d, POLICY, production_state(), Caller(user="ops", break_glass="incident 7"))
    assert glass.allowed and glass.broke_glass


def test_the_same_requests_on_versions_out_of_production_are_untouched():
    state = production_state()
    assert decide(demand("_delete_model_version", name="m", version="2"), POLICY, state, Caller()) is None
    assert decide(demand("_transition_stage", name="m", version="2", stage="Archived"), POLICY, state,
                  Caller()) is None
    assert decide(demand("_set_model_version_tag", name="m", version="2", key="mlgov.status", value="x"),
                  POLICY, state, Caller()) is None
    empty = FakeState({"1": version("1")})
    assert decide(demand("_rename_registered_model", name="m", new_name="n"), POLICY, empty, Caller()) is None


def test_a_governance_tag_that_keeps_the_evidence_is_allowed():
    d = demand("_set_model_version_tag", name="m", version="1", key="mlgov.note", value="reviewed again")
    assert decide(d, POLICY, production_state(), Caller(user="edith")).allowed


def write(tmp_path, config: dict, policy: str = "approval: {min_approvals: 2}\n"):
    (tmp_path / "gov").mkdir(exist_ok=True)
    (tmp_path / "gov" / ".mlgov.yaml").write_text(policy)
    path = tmp_path / "server.yaml"
    path.write_text(yaml.safe_dump(config))
    return {"MLGOV_SERVER_CONFIG": str(path)}


def test_the_configuration_names_the_policy_directory_and_identities(tmp_path):
    env = write(tmp_path, {"policy": "gov", "gate_users": ["mlgov-ci"], "break_glass": {"enabled": True,
                                                                                         "users": ["ops"]}})
    config = load_config(env)
    assert config.policy == str(tmp_path / "gov" / ".mlgov.yaml")
    assert config.is_gate("mlgov-ci") and not config.is_gate("MLGOV-CI") and not config.is_gate(None)
    assert config.may_break_glass("ops") and not config.may_break_glass("edith")
    assert not load_config(write(tmp_path, {"policy": "gov"})).may_break_glass("ops")


@pytest.mark.parametrize(("config", "why"), [
    ({"policy": "nowhere"}, "does not exist"),
    ({"policy": "gov", "gate_user": ["x"]}, "unknown key(s) gate_user"),
    ({"policy": "gov", "break_glass": {"enabled": "yes"}}, "break_glass takes"),
    ({"gate_users": ["x"]}, "`policy:` must name"),
])
def test_a_wrong_configuration_is_a_usage_error(tmp_path, config, why):
    with pytest.raises(UsageError, match=why.replace("(", r"\(").replace(")", r"\)")):
        load_config(write(tmp_path, config))


def test_no_configuration_is_a_usage_error():
    with pytest.raises(UsageError, match="MLGOV_SERVER_CONFIG is not set"):
        load_config({})


def test_the_policy_is_read_again_when_its_content_changes_and_an_invalid_one_is_refused(tmp_path):
    source = PolicySource(load_config(write(tmp_path, {"policy": "gov"})))
    first = source.current()
    assert first.section("approval")["min_approvals"] == 2 and source.current() is first
    (tmp_path / "gov" / ".mlgov.yaml").write_text("approval: {min_approvals: 3}\n")
    assert source.current().section("approval")["min_approvals"] == 3
    (tmp_path / "gov" / ".mlgov.yaml").write_text("approval: {min_approvals: three}\n")
    with pytest.raises(PolicyError):
        source.current()
    with pytest.raises(PolicyError):  # never the previous policy
        source.current()


def test_a_record_decision_with_a_signature_that_is_not_one_does_not_count():
    forged = record_decision("rec1", "m", "1")
    forged = RunRecord("rec1", status="FINISHED", tags={**forged.tags, DECISION_TAG + "signature": "{\"x\": 1}"})
    state = FakeState({"1": version("1", evidenced("m", "1"))}, log={"rec1": forged})
    verdict = decide(demand("_set_registered_model_alias", name="m", alias="champion", version="1"), POLICY,
                     state, Caller())
    assert verdict is not None and not verdict.allowed
    assert "the record decision runs:/rec1 carries a signature that is not one (malformed)" in verdict.message()
