"""The GitHub Action's run step: MLGOV_INPUT_* variables -> `mlgov` -> step outputs and exit code.

action.yml passes every input through `env:` (never `${{ }}` inside a script), so this module is
the only place inputs are interpreted. Runs anywhere: `python -m mlgov_checks.integrations.github_action`.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import uuid
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass

from mlgov_checks.errors import ActionInputError as InputError
from mlgov_checks.errors import UsageError

COMMANDS = ("check", "card", "provenance", "metrics")
FAIL_ON = ("fail", "error", "never")
_STATUS_BY_CODE = {0: "pass", 1: "fail", 3: "error"}


@dataclass(frozen=True)
class Inputs:
    command: str
    targets: tuple[str, ...]
    policy: str
    tracking_uri: str
    format: str
    fail_on: str
    extra_args: tuple[str, ...]
    policy_ref: str = ""
    registry_uri: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Inputs:
        from mlgov_checks.reports.findings import FORMATS

        def get(name: str, default: str = "") -> str:
            return env.get(f"MLGOV_INPUT_{name}", "").strip() or default

        command, fmt, fail_on = get("COMMAND", "check"), get("FORMAT", "text"), get("FAIL_ON", "fail")
        for name, value, allowed in (("command", command, COMMANDS), ("format", fmt, FORMATS),
                                     ("fail-on", fail_on, FAIL_ON)):
            if value not in allowed:
                raise InputError(f"input {name}: {value!r} is not one of {', '.join(allowed)}")
        try:
            extra = tuple(shlex.split(get("EXTRA_ARGS")))
        except ValueError as e:
            raise InputError(f"input extra-args: {e}") from e
        lines = (line.strip() for line in env.get("MLGOV_INPUT_TARGETS", "").splitlines())
        targets = tuple(t for t in lines if t and not t.startswith("#"))
        return cls(command, targets, get("POLICY"), get("TRACKING_URI"), fmt, fail_on, extra,
                   resolve_policy_ref(get("POLICY_REF", "auto"), env), get("REGISTRY_URI"))


def resolve_policy_ref(value: str, env: Mapping[str, str]) -> str:
    """`auto`: on pull requests, the base branch's policy judges (the PR cannot weaken it)."""
    if value in ("none", "off", "false"):
        return ""
    if value != "auto":
        return value
    base = env.get("GITHUB_BASE_REF", "").strip()
    if env.get("GITHUB_EVENT_NAME", "") in ("pull_request", "pull_request_target") and base:
        return f"origin/{base}"
    return ""


def ensure_ref(ref: str, env: Mapping[str, str]) -> None:
    """Fetch `origin/<branch>` when a shallow checkout lacks it (actions/checkout fetches one commit)."""
    def git(*args: str) -> int:
        return subprocess.run(["git", *args], env=dict(env), check=False, capture_output=True).returncode  # nosec B603 B607

    if git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}") == 0 or not ref.startswith("origin/"):
        return
    branch = ref[len("origin/"):]
    git("fetch", "--no-tags", "--depth=1", "origin", f"+refs/heads/{branch}:refs/remotes/origin/{branch}")


def build_argv(inputs: Inputs, *, report: str, sarif: str) -> list[str]:
    argv = [inputs.command, "--format", inputs.format, "--report", f"json:{report}",
            "--report", f"sarif:{sarif}"]
    if inputs.policy:
        argv += ["--policy", inputs.policy]
    if inputs.policy_ref:
        argv += ["--policy-ref", inputs.policy_ref]
    argv += inputs.extra_args
    if inputs.targets:
        argv += ["--", *inputs.targets]  # a target can never be read as an option
    return argv


def status_of(code: int, report: str) -> str:
    """The report's verdict when it was written, else the exit code's (2: usage or policy error)."""
    try:
        with open(report, encoding="utf-8") as fh:
            status = json.load(fh).get("status")
        if status in ("pass", "fail", "error"):
            return str(status)
    except (OSError, ValueError):
        pass
    return _STATUS_BY_CODE.get(code, "error")


def action_exit_code(code: int, status: str, fail_on: str) -> int:
    """fail: any failure fails the step; error: only `could not evaluate`; never: report only.

    A usage or policy error (2) always fails the step: a gate that is misconfigured is not a gate.
    """
    if code not in _STATUS_BY_CODE:  # 2, or killed
        return code
    if fail_on == "never" or (fail_on == "error" and status != "error"):
        return 0
    return code


def write_outputs(path: str | None, outputs: Mapping[str, str]) -> None:
    if not path:
        return
    from mlgov_checks.reports.findings.emit import Output, deliver

    text = ""
    for name, value in outputs.items():
        delimiter = f"ghadelimiter_{uuid.uuid4()}"  # as @actions/core: safe for any value
        text += f"{name}<<{delimiter}\n{value}\n{delimiter}\n"
    deliver([Output(path, text, append=True)])


def run(env: MutableMapping[str, str]) -> int:
    out_dir = env.get("MLGOV_OUTPUT_DIR") or os.path.join(env.get("RUNNER_TEMP") or os.getcwd(), "mlgov")
    report, sarif = os.path.join(out_dir, "mlgov-report.json"), os.path.join(out_dir, "mlgov.sarif")
    try:
        inputs = Inputs.from_env(env)
    except InputError as e:
        from mlgov_checks.reports.findings.emit import say
        from mlgov_checks.reports.findings.github_report import escape_data

        say(f"::error title=mlgov action::{escape_data(str(e))}")
        write_outputs(env.get("GITHUB_OUTPUT"), {"status": "error", "report": "", "sarif": ""})
        return 2
    try:
        os.makedirs(out_dir, exist_ok=True)
        for stale in (report, sarif):
            if os.path.exists(stale):
                os.remove(stale)
    except OSError as e:
        raise UsageError(f"cannot prepare the report directory {out_dir}: {e.strerror or e}",
                         hint="set MLGOV_OUTPUT_DIR (or RUNNER_TEMP) to a writable directory") from e
    child_env = dict(env)
    if inputs.tracking_uri:
        child_env["MLFLOW_TRACKING_URI"] = inputs.tracking_uri
    if inputs.registry_uri:
        child_env["MLFLOW_REGISTRY_URI"] = inputs.registry_uri
    if inputs.policy_ref:
        ensure_ref(inputs.policy_ref, env)
    argv = [sys.executable, "-m", "mlgov_checks", *build_argv(inputs, report=report, sarif=sarif)]
    sys.stdout.flush()
    code = subprocess.run(argv, env=child_env, check=False).returncode  # nosec B603
    status = status_of(code, report)
    write_outputs(env.get("GITHUB_OUTPUT"), {
        "status": status,
        "report": report if os.path.exists(report) else "",
        "sarif": sarif if os.path.exists(sarif) else "",
    })
    return action_exit_code(code, status, inputs.fail_on)


def main() -> None:
    """The Action's run step: failures handled as the CLI handles them (one line, never a traceback)."""
    from mlgov_checks.cli.guard import guarded

    raise SystemExit(guarded(lambda: run(os.environ), prog="mlgov action"))


if __name__ == "__main__":
    main()
