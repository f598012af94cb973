"""Policy files: discovery, defaults, schema errors at file:line with the offending key."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from mlgov_checks.errors import PolicyError
from mlgov_checks.policy.load import DEFAULTS, find_policy, load_policy


def write(tmp_path, text, name=".mlgov.yaml"):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def test_defaults_follow_the_source_design(tmp_path):
    policy = load_policy(start=str(tmp_path))
    assert policy.source is None
    assert policy.section("metrics")["thresholds"] == {"accuracy": {"min": 0.8}, "drift_score": {"max": 0.1}}


def test_thresholds_replace_rather_than_merge(tmp_path):
    policy = load_policy(write(tmp_path, "metrics:\n  thresholds:\n    latency_ms: {max: 100}\n"))
    assert policy.section("metrics")["thresholds"] == {"latency_ms": {"max": 100}}
    assert policy.section("metrics")["card_tolerance"] == DEFAULTS["metrics"]["card_tolerance"]


@pytest.mark.parametrize(("text", "where", "words"), (
    ("colour: blue\n", ":1:1", "unknown key 'colour'"),
    ("card:\n  required_fields: owners\n", ":2:3", "card.required_fields"),
    ("metrics:\n  thresholds:\n    accuracy: {min: high}\n", ":3:16", "metrics.thresholds.accuracy.min"),
    ("card: [\n", ":2:1", "syntax"),
    ("card: {}\ncard: {}\n", ":2:1", "duplicate key 'card'"),
    ("- a\n", ":1:1", "must be a mapping"),
    ("metrics:\n  thresholds:\n    accuracy: {min: 0.9, max: 0.5}\n", ":3:5", "greater than max"),
))
def test_invalid_policy_names_file_line_and_key(tmp_path, text, where, words):
    path = write(tmp_path, text)
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    assert f"{path}{where}" in str(info.value)
    assert words in str(info.value)
    assert info.value.exit_code == 2


def test_pyproject_tool_table(tmp_path):
    write(tmp_path, '[project]\nname = "x"\n\n[tool.mlgov.card]\nrequired_fields = ["owners"]\n', "pyproject.toml")
    found = find_policy(str(tmp_path))
    assert found and found.endswith("pyproject.toml")
    assert load_policy(found).section("card")["required_fields"] == ["owners"]


def test_pyproject_unknown_key(tmp_path):
    path = write(tmp_path, "[tool.mlgov]\nnope = 1\n", "pyproject.toml")
    with pytest.raises(PolicyError, match="unknown key 'nope'"):
        load_policy(path)


def test_discovery_stops_at_the_repository_root(tmp_path):
    write(tmp_path, "version: 1\n")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "sub").mkdir()
    assert find_policy(str(repo / "sub")) is None
    write(repo, "version: 1\n")
    assert find_policy(str(repo / "sub")) == str(repo / ".mlgov.yaml")


def _old_cache_entry(cache_home, raw):
    """Where mlgov-checks up to 0.1.0 kept its "this policy validated" marks, for this content."""
    import hashlib
    import json

    from mlgov_checks.version import __version__

    key = hashlib.sha256(json.dumps(raw, sort_keys=True, default=str).encode() + __version__.encode()).hexdigest()
    return cache_home / "mlgov-checks" / f"policy-{key[:32]}.ok"


@pytest.mark.parametrize(("text", "raw", "words"), (
    ("approval:\n  min_approvals: -5\n", {"approval": {"min_approvals": -5}}, "approval.min_approvals"),
    ("metrics:\n  thresholds:\n    accuracy: {min: high}\n", {"metrics": {"thresholds": {"accuracy": {"min": "high"}}}},
     "metrics.thresholds.accuracy.min"),
))
def test_a_planted_cache_entry_does_not_make_an_invalid_policy_pass(tmp_path, monkeypatch, text, raw, words):
    """A restored CI cache or a poisoned runner cache holding "validated" marks changes nothing:
    every load validates, and nothing on disk is consulted or written."""
    cache_home = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_home))
    planted = _old_cache_entry(cache_home, raw)
    planted.parent.mkdir(parents=True)
    planted.write_text("ok\n")
    for n in range(64):  # and any other key a planter might guess
        (planted.parent / f"policy-{n:032x}.ok").write_text("ok\n")
    before = sorted(p.name for p in planted.parent.iterdir())
    path = write(tmp_path, text)
    with pytest.raises(PolicyError, match=words):
        load_policy(path)
    proc = subprocess.run([sys.executable, "-m", "mlgov_checks", "policy", path], capture_output=True, text=True,
                          env={**os.environ, "XDG_CACHE_HOME": str(cache_home)})
    assert proc.returncode == 2 and words in proc.stderr, proc.stdout + proc.stderr
    assert "policy OK" not in proc.stdout + proc.stderr
    assert sorted(p.name for p in planted.parent.iterdir()) == before


def test_a_valid_policy_leaves_nothing_in_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = write(tmp_path, "card:\n  required_fields: [owners]\n")
    load_policy(path)
    write(tmp_path, "card:\n  required_fields: 3\n")
    with pytest.raises(PolicyError):
        load_policy(path)
    assert not (tmp_path / "cache").exists()


def test_policy_hash_changes_with_content(tmp_path):
    a = load_policy(write(tmp_path, "metrics:\n  card_tolerance: 0.01\n"))
    b = load_policy(write(tmp_path, "metrics:\n  card_tolerance: 0.02\n"))
    assert a.sha256 != b.sha256 and len(a.sha256) == 64
