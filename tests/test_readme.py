"""The README's examples are real: its policy validates, its commands exist."""

from __future__ import annotations

import re

import yaml
from click.testing import CliRunner

from mlgov_checks.cli.app import main
from mlgov_checks.policy.load import policy_from_mapping
from tests.conftest import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text("utf-8")


def test_policy_example_validates():
    start = README.index("## Policy")
    block = README[README.index("```yaml", start) + 7:README.index("```", README.index("```yaml", start) + 7)]
    policy = policy_from_mapping(yaml.safe_load(block))
    assert policy.section("approval")["min_approvals"] == 2


def test_every_mlgov_subcommand_in_the_readme_exists():
    code = "\n".join(re.findall(r"```(?:bash|sh)\n(.*?)```", README, re.S))
    used = set(re.findall(r"`mlgov ([a-z][a-z-]*)", README))
    used |= set(re.findall(r"^(?:[A-Z_]+=\S+ )?mlgov ([a-z][a-z-]*)", code, re.M))
    assert {"card", "check", "approve", "promote", "audit"} <= used
    for name in used:
        assert main.get_command(None, name) is not None, name
        assert CliRunner().invoke(main, [name, "--help"]).exit_code == 0


def test_ci_runs_the_readme_test_command():
    command = "bash scripts/install-test-deps.sh && python -m pytest -q"
    assert command in README
    assert command in (REPO_ROOT / ".ci" / "run").read_text("utf-8")
