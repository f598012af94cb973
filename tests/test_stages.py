"""Destinations by one spelling: stages and production aliases compared trimmed and case-insensitively."""

from __future__ import annotations

import pytest

from mlgov_checks.errors import UsageError
from mlgov_checks.governance import stages
from mlgov_checks.governance.stages import Destination, Stage
from mlgov_checks.policy.load import default_policy
from mlgov_checks.records import ModelVersionRecord


@pytest.mark.parametrize("spelling", ["Production", "production", "PRODUCTION", " Production ", "pRoDuCtIoN"])
def test_a_stage_in_any_spelling_is_the_stage(spelling):
    assert Stage.parse(spelling) is Stage.PRODUCTION
    assert Destination.of(stage=spelling).stage is Stage.PRODUCTION
    assert Destination.of(stage=spelling).label == "stage:Production"
    assert Destination.of(stage=spelling).is_production(default_policy())


@pytest.mark.parametrize("spelling", ["champion", "Champion", "CHAMPION", "Prod", "production"])
def test_a_production_alias_in_any_case_is_production(spelling):
    dest = Destination.of(alias=spelling)
    assert dest.alias == spelling  # moved as spelled: MLflow keeps aliases case-sensitive
    assert dest.is_production(default_policy())


def test_a_production_alias_listed_in_another_case_still_counts():
    policy = default_policy()
    data = {**policy.data, "approval": {**policy.data["approval"], "production_aliases": [" Live "]}}
    from dataclasses import replace

    loud = replace(policy, data=data)
    assert Destination.of(alias="live").is_production(loud)
    assert not Destination.of(alias="champion").is_production(loud)


@pytest.mark.parametrize("alias", ["champion ", " champion", "cham pion", "сhampion", "champion\u200b",
                                   "", "latest", "LATEST", "v3", "V12", "a/b"])
def test_an_alias_mlflow_would_refuse_or_a_look_alike_is_refused_before_any_write(alias):
    with pytest.raises(UsageError):
        Destination.of(alias=alias)


@pytest.mark.parametrize("stage", ["None", "Prod", "", "Staged"])
def test_a_stage_that_is_not_a_destination_is_refused(stage):
    with pytest.raises(UsageError):
        Destination.of(stage=stage)


def test_exactly_one_destination():
    with pytest.raises(UsageError):
        Destination.of()
    with pytest.raises(UsageError):
        Destination.of(alias="champion", stage="Production")


def test_archiving_and_displacing():
    assert Destination.of(stage="archived").archives and not Destination.of(stage="archived").displaces
    assert Destination.of(stage="staging").displaces and not Destination.of(alias="a").displaces


def test_production_of_lists_aliases_in_any_case_and_the_stage():
    versions = [ModelVersionRecord("m", "1", current_stage="Production"), ModelVersionRecord("m", "2")]
    found = stages.production_of({"Champion": "2", "canary": "1"}, versions, default_policy())
    assert found == [("@Champion", "2"), ("stage:Production", "1")]


def test_stage_of_a_registry_answer():
    assert Stage.of(None) is Stage.NONE and Stage.of("Archived") is Stage.ARCHIVED
    assert Stage.of("nonsense") is None
    assert set(stages.GATED) == {Stage.STAGING, Stage.PRODUCTION}
