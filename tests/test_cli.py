"""The `mlgov` command line: exit codes, formats, reports, and no traceback for users."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from mlgov_checks.checks import REGISTRY
from mlgov_checks.cli.app import main
from tests.conftest import CARDS, git

GOOD = str(CARDS / "ok_template.yaml")
BAD = str(CARDS / "bad_placeholder.yaml")


def run(*args, cwd=None):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_good_card_exits_0():
    r = run("card", GOOD)
    assert r.exit_code == 0, r.output
    assert "compliant" in r.output


def test_bad_card_exits_1_with_location():
    r = run("card", BAD)
    assert r.exit_code == 1
    assert f"{BAD}:7:14: card-placeholder limitations is a placeholder (TBD)" in r.output
    assert "fix: write the real content" in r.output


def test_json_format_and_extra_reports(tmp_path):
    out = tmp_path / "r" / "report.json"
    r = run("card", "--format", "json", "--report", f"json:{out}", GOOD, BAD)
    assert r.exit_code == 1
    doc = json.loads(r.output)
    assert doc["status"] == "fail"
    assert json.loads(out.read_text())["findings"] == doc["findings"]
    f = next(f for f in doc["findings"] if f["status"] == "fail")
    assert {"check", "status", "target", "message", "file", "line", "column"} <= f.keys()


def test_bad_report_spec_is_usage_error():
    r = run("card", "--report", "nonsense", GOOD)
    assert r.exit_code == 2
    assert "FORMAT:PATH" in r.output


def test_unknown_option_is_usage_error():
    r = run("card", "--no-such-option")
    assert r.exit_code == 2


def test_explain_every_check():
    for check_id in REGISTRY:
        r = run("explain", check_id)
        assert r.exit_code == 0, check_id
        assert check_id in r.output and len(r.output.splitlines()) >= 3


def test_explain_unknown_is_usage_error():
    r = run("explain", "no-such-check")
    assert r.exit_code == 2
    assert "no such check" in r.output


def test_init_writes_passing_files_and_refuses_to_overwrite(tmp_path):
    r = run("init", "--dir", str(tmp_path))
    assert r.exit_code == 0
    assert run("card", "--policy", str(tmp_path / ".mlgov.yaml"), str(tmp_path / "model_card.yaml")).exit_code == 0
    assert run("policy", str(tmp_path / ".mlgov.yaml")).exit_code == 0
    again = run("init", "--dir", str(tmp_path))
    assert again.exit_code == 2 and "--force" in again.output


def test_card_without_paths_uses_git_tracked_cards(git_repo, monkeypatch):
    (git_repo / "models" / "a").mkdir(parents=True)
    (git_repo / "models" / "a" / "model_card.yaml").write_text((CARDS / "bad_placeholder.yaml").read_text())
    (git_repo / "ignored").mkdir()
    (git_repo / "ignored" / "model_card.yml").write_text("not: checked\n")
    (git_repo / ".gitignore").write_text("ignored/\n")
    git(git_repo, "add", "models", ".gitignore")
    git(git_repo, "commit", "-qm", "card")
    monkeypatch.chdir(git_repo)
    r = run("card", "--format", "json")
    assert r.exit_code == 1
    assert json.loads(r.output)["targets"] == ["models/a/model_card.yaml"]


def test_policy_is_found_from_a_subdirectory(git_repo, monkeypatch):
    (git_repo / ".mlgov.yaml").write_text("card:\n  required_fields: [owners_team]\n")
    sub = git_repo / "models" / "x"
    sub.mkdir(parents=True)
    (sub / "model_card.yaml").write_text((CARDS / "ok_template.yaml").read_text())
    monkeypatch.chdir(sub)
    r = run("card", "model_card.yaml")
    assert r.exit_code == 1
    assert "required field 'owners_team' is missing" in r.output


def test_no_traceback_from_the_real_command(tmp_path):
    bad_policy = tmp_path / ".mlgov.yaml"
    bad_policy.write_text("metrics:\n  thresholds:\n    accuracy: {minimum: 0.8}\n")
    proc = subprocess.run([sys.executable, "-m", "mlgov_checks", "card", "--policy", str(bad_policy), GOOD],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert f"{bad_policy}:3:16: unknown key 'metrics.thresholds.accuracy.minimum'" in proc.stderr


def test_card_command_never_imports_mlflow_or_gitpython():
    code = ("import sys; from mlgov_checks.cli.app import main\n"
            "try:\n main(['card', sys.argv[1]])\nexcept SystemExit: pass\n"
            "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('mlflow', 'git', 'jsonschema'))\n"
            "print('HEAVY=' + ','.join(heavy))")
    proc = subprocess.run([sys.executable, "-c", code, GOOD], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().endswith("HEAVY="), proc.stdout


def test_the_hook_entry_runs_card_without_click_and_as_the_cli_does(tmp_path):
    """`mlgov card FILE...` (the commit hook) loads neither Click nor anything heavy, and says what the
    Click command says, exit code included; with an option it is the Click command itself."""
    code = ("import sys; from mlgov_checks.cli.entry import main\n"
            "try:\n main(sys.argv[1:])\nexcept SystemExit as e: code = e.code\n"
            "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('click', 'mlflow', 'git', 'jsonschema'))\n"
            "print('HEAVY=' + ','.join(heavy)); print('CODE=' + str(code))")
    bad = str(CARDS / "bad_placeholder.yaml")
    fast = subprocess.run([sys.executable, "-c", code, "card", GOOD, bad], capture_output=True, text=True,
                          env={**os.environ, "NO_COLOR": "1"})
    assert "HEAVY=\n" in fast.stdout and fast.stdout.strip().endswith("CODE=1"), fast.stdout + fast.stderr
    slow = subprocess.run([sys.executable, "-c", code, "card", "--no-color", GOOD, bad], capture_output=True,
                          text=True, env={**os.environ, "NO_COLOR": "1"})
    assert "HEAVY=click" in slow.stdout and slow.stdout.strip().endswith("CODE=1"), slow.stdout
    assert fast.stdout.split("HEAVY=")[0] == slow.stdout.split("HEAVY=")[0]  # the same report


@pytest.mark.parametrize("command", ["check", "metrics", "provenance"])
def test_mlflow_commands_exist(command):
    r = run(command, "--help")
    assert r.exit_code == 0
