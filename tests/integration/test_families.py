"""A check family added at run time runs in `mlgov check` and is explained, with no other edit."""

from __future__ import annotations

import json
import sys

import pytest
from click.testing import CliRunner

from mlgov_checks import checks
from mlgov_checks.cli.app import main

pytestmark = pytest.mark.integration

FAMILY = '''
"""Ownership checks: a registered model version names the team that owns it."""

from mlgov_checks.checks._base import Check

SUBJECT = "version"
OWNER = Check("ownership-tag", "Version names its owning team", """
    The model version carries a non-empty `team` tag, so that someone answers for it.
    """, "set it: MlflowClient().set_model_version_tag(name, version, 'team', 'fraud-ml')")
CHECKS = (OWNER,)


def evaluate(version, ctx):
    team = (version.tags.get("team") or "").strip()
    if team:
        yield OWNER.passed(ctx.target, f"owned by {team}")
    else:
        yield OWNER.failed(ctx.target, "the version has no `team` tag")
'''


@pytest.fixture
def policy_file(tmp_path):
    def write(text: str = "version: 1\n") -> str:
        p = tmp_path / "policy.yaml"
        p.write_text(text, encoding="utf-8")
        return str(p)

    return write


@pytest.fixture
def ownership_family(tmp_path, monkeypatch):
    (tmp_path / "ownership_family.py").write_text(FAMILY, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    saved = dict(checks.FAMILIES)
    checks.register("ownership", "ownership_family", "version")
    yield
    checks.FAMILIES.clear()
    checks.FAMILIES.update(saved)
    checks.register("card", *saved["card"])  # and reset the cached registry
    sys.modules.pop("ownership_family", None)


def test_a_family_added_in_a_test_runs_in_check_and_is_explained(store, policy_file, ownership_family):
    runner = CliRunner()
    result = runner.invoke(main, ["check", "models:/gov-compliant/1", "--tracking-uri", store.url,
                                  "--policy", policy_file(), "--format", "json"])
    doc = json.loads(result.stdout)
    found = [f for f in doc["findings"] if f["check"] == "ownership-tag"]
    assert [(f["status"], f["target"]) for f in found] == [("fail", "models:/gov-compliant/1")], doc["findings"]
    assert result.exit_code == 1  # the compliant version now fails the new family, and only that
    assert {f["check"] for f in doc["findings"] if f["status"] == "fail"} == {"ownership-tag"}

    explained = runner.invoke(main, ["explain", "ownership-tag"])
    assert explained.exit_code == 0 and "someone answers for it" in explained.stdout
    listed = runner.invoke(main, ["explain"])
    assert "ownership-tag" in listed.stdout


def test_a_family_is_chosen_by_subject_without_importing_the_others(ownership_family):
    """The card hook asks for card families only: the registry entry says the subject, no import."""
    sys.modules.pop("ownership_family", None)
    assert [name for name, _ in checks.families(("card",))] == ["card"]
    assert "ownership_family" not in sys.modules
    assert "ownership" in checks.default_families(("run", "version"))
