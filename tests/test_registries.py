"""Unity Catalog's rules without a workspace: three-level names parse, stages are refused up front."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from mlgov_checks.cli.app import main
from mlgov_checks.errors import UsageError
from mlgov_checks.governance import registries
from mlgov_checks.targets import parse_target


@pytest.mark.parametrize(("text", "name", "version", "alias"), [
    ("models:/main.ml_team.churn/3", "main.ml_team.churn", "3", None),
    ("models:/main.ml_team.churn@champion", "main.ml_team.churn", None, "champion"),
    ("models:/`my-catalog`.schema.model@prod", "`my-catalog`.schema.model", None, "prod"),
])
def test_three_level_names_parse(text, name, version, alias):
    t = parse_target(text)
    assert (t.name, t.version, t.alias) == (name, version, alias)


@pytest.mark.parametrize("uri", ["databricks-uc", "databricks-uc://profile", "uc:databricks"])
def test_a_stage_is_refused_on_unity_catalog(uri):
    assert registries.is_unity_catalog(uri)
    with pytest.raises(UsageError, match="no stages"):
        registries.refuse_stage("Production", uri)
    registries.refuse_stage(None, uri)  # an alias is fine


@pytest.mark.parametrize("uri", [None, "", "http://127.0.0.1:5000", "databricks", "sqlite:///m.db"])
def test_other_registries_keep_stages(uri):
    assert not registries.is_unity_catalog(uri)
    registries.refuse_stage("Production", uri)


def test_chosen_registry_uri(monkeypatch):
    monkeypatch.setenv("MLFLOW_REGISTRY_URI", "databricks-uc")
    assert registries.chosen_registry_uri(None) == "databricks-uc"
    assert registries.chosen_registry_uri("http://127.0.0.1:1") == "http://127.0.0.1:1"
    monkeypatch.delenv("MLFLOW_REGISTRY_URI")
    assert registries.chosen_registry_uri(None) is None


@pytest.mark.parametrize("how", ["option", "environment"])
def test_promote_to_a_stage_on_unity_catalog_is_exit_2_before_any_call(how, tmp_path, monkeypatch):
    monkeypatch.delenv("MLFLOW_REGISTRY_URI", raising=False)
    args = ["promote", "models:/main.ml.churn/1", "--stage", "Production", "--as", "rita",
            "--tracking-uri", "http://127.0.0.1:9"]  # nothing listens: a call would be exit 3
    if how == "option":
        args += ["--registry-uri", "databricks-uc"]
    else:
        monkeypatch.setenv("MLFLOW_REGISTRY_URI", "databricks-uc")
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert "no stages" in result.stderr and "--alias production" in result.stderr
    assert "Traceback" not in result.output
