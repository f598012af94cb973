"""The policy check every load runs (policy/schema.py) gives jsonschema's answer, on any policy."""

from __future__ import annotations

import copy
import json

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlgov_checks.policy import schema
from mlgov_checks.policy.defaults import DEFAULTS
from mlgov_checks.policy.schema import policy_schema, verdict
from tests.conftest import REPO_ROOT


def _keywords(node, found):
    if isinstance(node, dict):
        for key, value in node.items():
            if key.startswith("x-mlgov-"):  # our annotations (strictness.py): no validator reads them
                continue
            found.add(key)
            if key == "properties":
                for sub in value.values():
                    _keywords(sub, found)
            elif key == "enum":
                continue
            else:
                _keywords(value, found)
    elif isinstance(node, list):
        for item in node:
            _keywords(item, found)
    return found


def test_the_fast_check_reads_every_keyword_the_schema_uses():
    """Else every load would pay for jsonschema (still correct: see the next test)."""
    assert _keywords(policy_schema(), set()) <= schema.KEYWORDS | schema.ANNOTATIONS


def test_a_keyword_the_fast_check_does_not_read_leaves_the_answer_to_jsonschema(monkeypatch):
    from mlgov_checks.errors import PolicyError
    from mlgov_checks.policy.load import validate

    extended = copy.deepcopy(policy_schema())
    extended["properties"]["timeout"]["multipleOf"] = 7
    monkeypatch.setattr(schema, "policy_schema", lambda: extended)
    assert verdict({"timeout": 14}) is None  # not read: not vouched for
    validate({"timeout": 14}, source=".mlgov.yaml", doc=None)  # jsonschema accepts it
    with pytest.raises(PolicyError, match="multiple of 7"):
        validate({"timeout": 15}, source=".mlgov.yaml", doc=None)


@pytest.mark.parametrize("raw", [
    {"approval": {"min_approvals": True}}, {"approval": {"min_approvals": 1.0}},
    {"approval": {"min_approvals": 1.5}}, {"approval": {"min_approvals": -5}}, {"approval": {"min_approvals": 0}},
    {"metrics": {"thresholds": {"accuracy": {"min": "high"}}}}, {"metrics": {"thresholds": {"accuracy": {}}}},
    {"metrics": {"thresholds": {"accuracy": {"min": True}}}}, {"metrics": {"thresholds": {"accuracy": {"min": 0.5}}}},
    {"card": {"required_fields": ["owners", "owners"]}}, {"card": {"required_fields": []}},
    {"card": {"required_fields": ["owners", 1]}}, {"timeout": 0}, {"timeout": -1}, {"timeout": 1e300},
    {"version": 1}, {"version": True}, {"version": 1.0}, {"version": "1"}, {"targets": ["models:/m/1", ""]},
    {"targets": "models:/m/1"}, {None: 1}, {"roles": None},
])
def test_tricky_values_are_judged_as_jsonschema_judges_them(raw):
    assert verdict(raw) == full_validator_accepts(raw)


def full_validator_accepts(raw):
    return not list(jsonschema.Draft202012Validator(policy_schema()).iter_errors(raw))


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*prefix, i))


SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10, 10), st.sampled_from([0.0, 1.0, -0.5, 2.5, 1e300]),
                    st.sampled_from(["", "x", "high", "Production", "@champion", "0.8", "models:/m/1", "run"]))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                      st.dictionaries(st.sampled_from(["min", "max", "x", "alias"]),
                                                                      inner, max_size=2)), max_leaves=6)
BASES = [DEFAULTS, {}, {"approval": {"min_approvals": 2}}, {"metrics": {"thresholds": {"auc": {"min": 0.7}}}}]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(base=st.sampled_from(BASES), data=st.data(), value=VALUES)
def test_both_validators_agree_on_mutated_policies(base, data, value):
    raw = copy.deepcopy(base)
    paths = [p for p in _paths(raw) if p]
    if paths:
        path = data.draw(st.sampled_from(paths))
        node = raw
        for part in path[:-1]:
            node = node[part]
        if data.draw(st.booleans()) and isinstance(node, dict):
            node[data.draw(st.sampled_from(["x", "min", "alias", path[-1]]))] = value
        else:
            node[path[-1]] = value
    assert verdict(raw) == full_validator_accepts(raw), json.dumps(raw, default=str)[:400]


def test_both_validators_agree_on_the_shipped_policies():
    import yaml

    for path in [REPO_ROOT / "mlgov_checks" / "templates" / "mlgov.yaml", REPO_ROOT / "examples" / "train_policy.yaml",
                 REPO_ROOT / "examples" / "demo" / ".mlgov.yaml"]:
        raw = yaml.safe_load(path.read_text()) or {}
        assert verdict(raw) and full_validator_accepts(raw), path
    assert verdict(DEFAULTS) and full_validator_accepts(DEFAULTS)


def test_keys_that_are_not_text_are_judged_alike_and_explained():
    from mlgov_checks.errors import PolicyError
    from mlgov_checks.policy.load import validate

    for raw in ({1: 2}, {"metrics": {"thresholds": {1: {"min": 0.5}}}}, {"approval": {True: 1}}):
        assert verdict(raw) == full_validator_accepts(raw), raw
    with pytest.raises(PolicyError, match="unknown key '1'") as info:
        validate({1: 2}, source=".mlgov.yaml", doc=None)
    assert info.value.exit_code == 2


def test_when_the_fast_check_rejects_what_jsonschema_accepts_the_policy_still_fails(monkeypatch):
    from mlgov_checks.errors import PolicyError
    from mlgov_checks.policy.load import validate

    monkeypatch.setattr(schema, "_valid", lambda v, s: False)
    with pytest.raises(PolicyError, match="does not match the policy schema"):
        validate({"timeout": 5}, source=".mlgov.yaml", doc=None)


def test_the_hook_validates_a_policy_file_without_importing_jsonschema(tmp_path):
    import os
    import subprocess
    import sys

    from tests.conftest import CARDS

    (tmp_path / "model_card.yaml").write_text((CARDS / "ok_template.yaml").read_text())
    policy = tmp_path / ".mlgov.yaml"
    policy.write_text((REPO_ROOT / "mlgov_checks" / "templates" / "mlgov.yaml").read_text())
    code = ("import sys; from mlgov_checks.cli.entry import main\n"
            "try:\n main(['card', 'model_card.yaml'])\nexcept SystemExit as e: code = e.code\n"
            "print('HEAVY=' + ','.join(sorted(m for m in sys.modules if m.split('.')[0] == 'jsonschema')))\n"
            "print('CODE=' + str(code))")
    env = {**os.environ, "NO_COLOR": "1"}
    ok = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, env=env)
    assert ok.stdout.strip().endswith("HEAVY=\nCODE=0"), ok.stdout + ok.stderr
    policy.write_text("approval:\n  min_approvals: -5\n")  # and it is validated: a wrong one stops the hook
    bad = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, env=env)
    assert bad.stdout.strip().endswith("CODE=2") and "approval.min_approvals" in bad.stderr, bad.stdout + bad.stderr
