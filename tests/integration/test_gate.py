"""`mlgov check / provenance / metrics` against a real tracking server: every rule passes and fails."""

from __future__ import annotations

import json
import os
import subprocess
import time

import pytest
from click.testing import CliRunner

from mlgov_checks.cli.app import main

pytestmark = pytest.mark.integration

TAGS_POLICY = """\
version: 1
evidence:
  run_tags: [team, project, framework]
  version_tags: [owner]
  require_semantic_version: true
"""

# name -> the failing check ids (exactly these) and a text each failure's message must contain
VIOLATIONS = {
    "gov-missing-card": ({"card-artifact-valid", "evidence-artifacts"}, "documentation/model_card.yaml"),
    "gov-card-missing-field": ({"card-required-field"}, "limitations"),
    "gov-card-placeholder": ({"card-placeholder"}, "purpose"),
    "gov-card-bad-yaml": ({"card-syntax"}, "YAML"),
    "gov-card-oversell": ({"card-metrics-match"}, "accuracy=0.95"),
    "gov-card-extra-metric": ({"card-metrics-match"}, "'f1'"),
    "gov-no-validation": ({"evidence-artifacts"}, "validation/report.txt"),
    "gov-no-requirements": ({"evidence-requirements"}, "requirements.txt"),
    "gov-no-description": ({"evidence-description", "evidence-approval"}, "description"),
    "gov-not-approved": ({"evidence-approval"}, "Approved"),
    "gov-low-accuracy": ({"metrics-threshold"}, "accuracy"),
    "gov-no-drift": ({"metrics-threshold"}, "drift_score"),
    "gov-high-drift": ({"metrics-threshold"}, "drift_score"),
    "gov-no-commit": ({"provenance-commit"}, "commit"),
    "gov-no-branch": ({"provenance-branch"}, "branch"),
    "gov-dirty-tree": ({"provenance-clean-tree"}, "dirty"),
    "gov-no-reviewer": ({"provenance-reviewer"}, "code_reviewer"),
    "gov-self-review": ({"provenance-separation-of-duties"}, "alice"),
    "gov-review-pending": ({"provenance-review-status"}, "pending"),
    "gov-review-future": ({"provenance-review-date"}, "2999"),
    "gov-review-not-a-date": ({"provenance-review-date"}, "last tuesday"),
}

DEFAULT_RULES = sorted({c for checks, _ in VIOLATIONS.values() for c in checks} | {
    "evidence-source-run", "evidence-model-origin", "provenance-repo-url"})


@pytest.fixture
def policy_file(tmp_path):
    def write(text: str = "version: 1\n") -> str:
        p = tmp_path / "mlgov.yaml"
        p.write_text(text, encoding="utf-8")
        return str(p)

    return write


def run_cli(*args: str):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output and "Traceback" not in (result.stderr or "")
    return result


def gate(store, policy: str, *targets: str, command: str = "check", extra=()):
    result = run_cli(command, *targets, "--tracking-uri", store.url, "--policy", policy, "--format", "json",
                     *extra)
    assert result.stdout, result.stderr
    return result.exit_code, json.loads(result.stdout)


def failing(doc, target=None):
    return [f for f in doc["findings"] if f["status"] in ("fail", "error")
            and (target is None or f["target"] == target)]


def test_compliant_version_exits_0(store, policy_file):
    code, doc = gate(store, policy_file(), "models:/gov-compliant/1")
    assert failing(doc) == []
    assert code == 0
    assert doc["status"] == "pass"
    passed = {f["check"] for f in doc["findings"] if f["status"] == "pass"}
    assert set(DEFAULT_RULES) <= passed  # every rule ran, and passed
    assert "card-metrics-match" in passed and "metrics-threshold" in passed


@pytest.mark.parametrize("name", sorted(VIOLATIONS))
def test_each_violation_exits_1_naming_the_rule(store, policy_file, name):
    checks, text = VIOLATIONS[name]
    code, doc = gate(store, policy_file(), f"models:/{name}/1")
    bad = failing(doc)
    assert code == 1, bad
    assert {f["check"] for f in bad} == checks
    assert all(f["status"] == "fail" for f in bad)
    assert any(text in f["message"] for f in bad), [f["message"] for f in bad]


def test_card_findings_point_at_the_artifact(store, policy_file):
    _, doc = gate(store, policy_file(), "models:/gov-card-missing-field/1", "models:/gov-card-oversell/1")
    shown = {f["file"] for f in failing(doc)}
    assert shown == {"models:/gov-card-missing-field/1/documentation/model_card.yaml",
                     "models:/gov-card-oversell/1/documentation/model_card.yaml"}
    oversell = [f for f in failing(doc) if f["check"] == "card-metrics-match"][0]
    assert oversell["line"] and oversell["column"]  # the claim's line in the card
    assert "0.87" in oversell["message"]  # the logged value


def test_json_carries_every_finding_of_many_targets(store, policy_file):
    targets = [f"models:/{n}/1" for n in store.names]
    code, doc = gate(store, policy_file(), *targets)
    assert code == 1
    assert doc["targets"] == targets
    for name, (checks, _) in VIOLATIONS.items():
        got = {f["check"] for f in failing(doc, f"models:/{name}/1")}
        assert got == checks, name
    assert failing(doc, "models:/gov-compliant/1") == []
    assert sum(doc["summary"].values()) == len(doc["findings"])


def test_tags_policy_passes_and_fails(store, policy_file):
    policy = policy_file(TAGS_POLICY)
    code, doc = gate(store, policy, "models:/gov-compliant/1")
    assert code == 0, failing(doc)
    passed = {f["check"] for f in doc["findings"] if f["status"] == "pass"}
    assert {"evidence-run-tags", "evidence-version-tags", "evidence-semantic-version"} <= passed
    code, doc = gate(store, policy, "models:/gov-no-run-tags/1")
    assert code == 1
    msgs = {(f["check"], f["message"]) for f in failing(doc)}
    assert ("evidence-run-tags", "run tag 'team' is missing or empty") in msgs
    assert ("evidence-version-tags", "model version tag 'owner' is missing or empty") in msgs
    assert ("evidence-semantic-version", "model version tag 'semantic_version' is missing") in msgs


def test_no_run_tags_passes_the_default_policy(store, policy_file):
    code, doc = gate(store, policy_file(), "models:/gov-no-run-tags/1")
    assert code == 0, failing(doc)


@pytest.mark.parametrize(("mode", "name", "code"), [
    ("description", "gov-compliant", 0), ("description", "gov-not-approved", 1),
    ("none", "gov-not-approved", 0), ("either", "gov-not-approved", 1),
    ("approvals", "gov-compliant", 1),  # no recorded approvals on this server
])
def test_approval_modes(store, policy_file, mode, name, code):
    got, doc = gate(store, policy_file(f"version: 1\nevidence:\n  approval: {mode}\n"), f"models:/{name}/1")
    assert got == code, failing(doc)
    if code:
        expected = {"evidence-approval"} | ({"approval-quorum"} if mode == "approvals" else set())
        assert {f["check"] for f in failing(doc)} == expected


def test_aliases_latest_and_runs_resolve(store, policy_file):
    code, doc = gate(store, policy_file(), "models:/gov-compliant@prod", "models:/gov-compliant/latest",
                     f"runs:/{store.compliant_run}", store.compliant_run)
    assert code == 0, failing(doc)
    # the alias and latest name the same version: it is evaluated once, under its canonical name
    assert doc["targets"] == ["models:/gov-compliant/1", f"runs:/{store.compliant_run}"]


def test_missing_things_are_errors_not_failures(store, policy_file):
    code, doc = gate(store, policy_file(), "models:/gov-compliant/9", "models:/gov-compliant@nope",
                     "models:/no-such-model/1", "runs:/" + "0" * 32)
    assert code == 3
    errors = {f["target"]: f["message"] for f in doc["findings"]}
    assert set(errors) == {"models:/gov-compliant/9", "models:/gov-compliant@nope", "models:/no-such-model/1",
                           "runs:/" + "0" * 32}
    assert all(f["check"] == "target-reachable" and f["status"] == "error" for f in doc["findings"])
    assert "no version 9" in errors["models:/gov-compliant/9"]
    assert "no alias @nope" in errors["models:/gov-compliant@nope"]
    assert "not found" in errors["runs:/" + "0" * 32]


def test_one_missing_target_does_not_stop_the_others(store, policy_file):
    code, doc = gate(store, policy_file(), "models:/no-such-model/1", "models:/gov-compliant/1",
                     "models:/gov-low-accuracy/1")
    assert code == 3
    assert failing(doc, "models:/gov-compliant/1") == []
    assert {f["check"] for f in failing(doc, "models:/gov-low-accuracy/1")} == {"metrics-threshold"}
    assert [f["check"] for f in failing(doc, "models:/no-such-model/1")] == ["target-reachable"]


def test_repo_checks(store, policy_file):
    extra = ("--repo", str(store.repo))
    code, doc = gate(store, policy_file(), "models:/gov-compliant/1", extra=extra)
    assert code == 0, failing(doc)
    passed = {f["check"] for f in doc["findings"] if f["status"] == "pass"}
    assert {"provenance-commit-exists", "provenance-commit-protected"} <= passed
    code, doc = gate(store, policy_file(), "models:/gov-unknown-commit/1", extra=extra)
    assert code == 1
    assert "provenance-commit-exists" in {f["check"] for f in failing(doc)}
    code, doc = gate(store, policy_file(), "models:/gov-unknown-commit/1")  # no --repo: cannot tell
    assert code == 0, failing(doc)


def test_baseline_alias(store, policy_file):
    policy = policy_file("version: 1\nmetrics:\n  baseline:\n    alias: champion\n    metrics:\n"
                         "      accuracy: {greater_is_better: true, min_absolute_change: 0.001}\n")
    code, doc = gate(store, policy, "models:/gov-baseline/2", command="metrics")
    assert code == 1
    bad = failing(doc)
    assert [f["check"] for f in bad] == ["metrics-baseline"] and "accuracy" in bad[0]["message"]
    code, doc = gate(store, policy, "models:/gov-baseline/1", command="metrics")  # the champion itself
    own = [f for f in doc["findings"] if f["check"] == "metrics-baseline"]
    assert code == 0 and [f["status"] for f in own] == ["warn"], doc["findings"]  # its own baseline: a warning
    assert "its own baseline" in own[0]["message"]
    code, doc = gate(store, policy, "models:/gov-compliant/1", command="metrics")
    notes = [f["message"] for f in doc["findings"] if f["check"] == "metrics-baseline"]
    assert notes and any("champion" in m for m in notes), doc["findings"]


def test_provenance_and_metrics_commands_run_one_family(store, policy_file):
    code, doc = gate(store, policy_file(), "models:/gov-low-accuracy/1", command="provenance")
    assert code == 0, failing(doc)
    assert {f["check"].split("-")[0] for f in doc["findings"]} == {"provenance"}
    code, doc = gate(store, policy_file(), "models:/gov-no-commit/1", command="metrics")
    assert code == 0
    assert {f["check"].split("-")[0] for f in doc["findings"]} == {"metrics"}
    code, doc = gate(store, policy_file(), "models:/gov-no-commit/1", command="provenance")
    assert code == 1 and {f["check"] for f in failing(doc)} == {"provenance-commit"}


def test_policy_targets_are_gated_when_none_given(store, policy_file):
    policy = policy_file("version: 1\ntargets:\n  - models:/gov-compliant/1\n  - models:/gov-high-drift/1\n")
    code, doc = gate(store, policy)
    assert code == 1
    assert doc["targets"] == ["models:/gov-compliant/1", "models:/gov-high-drift/1"]


def test_no_targets_is_a_usage_error(store, policy_file):
    result = run_cli("check", "--tracking-uri", store.url, "--policy", policy_file())
    assert result.exit_code == 2
    assert "no TARGET" in result.stderr


@pytest.mark.parametrize("bad", ["models:/", "models:/x/1/2", "models:/x/abc", "s3://bucket/x", "runs:/"])
def test_bad_target_is_a_usage_error(store, policy_file, bad):
    result = run_cli("check", bad, "--tracking-uri", store.url, "--policy", policy_file())
    assert result.exit_code == 2
    assert "not a target" in result.stderr


def test_logged_model_requirements(store, policy_file, logged_versions):
    """The model's own requirements.txt and MLmodel are found, whatever its artifact path."""
    expected = {"3.x": {"logged-model", "runs-any-path"}, "2.22": {"runs-model", "runs-any-path"}}
    assert set(logged_versions) - {"signature-mismatch"} == expected[store.server.kind]
    for label, target in logged_versions.items():
        if label == "signature-mismatch":
            continue
        code, doc = gate(store, policy_file("version: 1\nevidence:\n  requirements: [requirements.txt]\n"),
                         target)
        assert code == 0, (label, failing(doc))
        req = [f for f in doc["findings"] if f["check"] == "evidence-requirements"]
        assert req[0]["status"] == "pass" and req[0]["message"].endswith("/requirements.txt' present"), req


def test_card_matches_the_logged_signature(store, policy_file, logged_versions):
    """card-signature-match passes a card documenting the signature's columns, for every kind of source:
    a logged model (models:/m-..., MLflow 3), runs:/ID/model and runs:/ID/any/path."""
    for label, target in logged_versions.items():
        if label == "signature-mismatch":
            continue
        code, doc = gate(store, policy_file(), target)
        sig = [f for f in doc["findings"] if f["check"] == "card-signature-match"]
        assert code == 0 and [f["status"] for f in sig] == ["pass"], (label, sig, failing(doc))


def test_card_column_the_model_lacks_fails_naming_both(store, policy_file, logged_versions):
    code, doc = gate(store, policy_file(), logged_versions["signature-mismatch"])
    assert code == 1
    bad = failing(doc)
    assert {f["check"] for f in bad} == {"card-signature-match"}, bad
    text = " ".join(f["message"] for f in bad)
    assert "age" in text and ("tenure_months" in text or "monthly_charges" in text), text


def test_no_signature_to_compare_is_a_warning(store, policy_file):
    """gov-compliant is registered from a run's files with no MLmodel: never a silent pass."""
    code, doc = gate(store, policy_file(), "models:/gov-compliant/1")
    sig = [f for f in doc["findings"] if f["check"] == "card-signature-match"]
    assert code == 0 and [f["status"] for f in sig] == ["warn"], sig
    assert "MLmodel" in sig[0]["message"]


def test_metadata_is_fetched_in_batches(store, policy_file):
    targets = [f"models:/{n}/1" for n in store.names]
    offset = store.server.log_size()
    code, _ = gate(store, policy_file(), *targets)
    assert code == 1
    lines = store.server.requests_since(offset)
    paths = [ln.split()[1].split("?")[0] for ln in lines]
    assert paths.count("/api/2.0/mlflow/model-versions/search") == len(store.names)  # one per model name
    assert paths.count("/api/2.0/mlflow/runs/search") == 1  # all runs in one chunk
    assert paths.count("/api/2.0/mlflow/experiments/search") == 1
    assert not [p for p in paths if p.endswith(("/runs/get", "/model-versions/get"))]
    per_version = [p for p in paths if "mlflow-artifacts" in p]
    # root, validation/ and documentation/ listings (the card's size), the card download
    assert len(per_version) <= 4 * len(targets)


def test_dead_server_exits_3_quickly_without_secrets(dead_uri, policy_file):
    start = time.monotonic()
    result = run_cli("check", "models:/gov-compliant/1", "runs:/abc123", "--tracking-uri", dead_uri,
                     "--policy", policy_file(), "--timeout", "20")
    elapsed = time.monotonic() - start
    assert result.exit_code == 3
    assert elapsed < 20
    out = result.output + (result.stderr or "")
    assert "s3cret" not in out
    assert "unreachable" in out and "http://***@127.0.0.1" in out
    assert out.count("target-reachable") == 2  # both targets reported


def test_dead_server_via_subprocess_default_bound(dead_uri, policy_file, tmp_path):
    env = {**os.environ, "MLFLOW_TRACKING_URI": dead_uri}
    for key in ("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "MLFLOW_HTTP_REQUEST_TIMEOUT"):
        env.pop(key, None)
    start = time.monotonic()
    proc = subprocess.run(["mlgov", "check", "models:/gov-compliant/1",
                           "--policy", policy_file(), "--format", "json"], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=120)
    assert time.monotonic() - start < 60
    assert proc.returncode == 3, proc.stderr
    assert "Traceback" not in proc.stderr and "s3cret" not in proc.stdout + proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["status"] == "error" and doc["findings"][0]["check"] == "target-reachable"


def test_subprocess_pass_and_fail(store, policy_file, tmp_path):
    def mlgov(*args):
        return subprocess.run(["mlgov", *args, "--tracking-uri", store.url, "--policy", policy_file()],
                              capture_output=True, text=True, cwd=tmp_path, timeout=120)

    ok = mlgov("check", "models:/gov-compliant/1")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bad = mlgov("check", "models:/gov-card-oversell/1")
    assert bad.returncode == 1
    assert "card-metrics-match" in bad.stdout and "accuracy=0.95" in bad.stdout
    assert "Traceback" not in bad.stderr
