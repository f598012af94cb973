"""Property tests: arbitrary text and bytes give a pass or findings from the loaders, never an exception."""

from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlgov_checks.checks import card
from mlgov_checks.errors import PolicyError
from mlgov_checks.findings import Status
from mlgov_checks.policy.load import default_policy, parse_policy_document, validate
from mlgov_checks.yamlio import loader as yamldoc

POLICY = default_policy()
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# YAML-ish text: the characters that drive the parser, so examples reach deep states quickly.
yamlish = st.text(alphabet=string.ascii_letters[:6] + string.digits[:3] + " \n\t:-[]{},&*!|>'\"#?%@`\\.~",
                  max_size=300)


def _check(doc):
    found = list(card.check_document(doc, POLICY))
    assert found, "every document gets findings (at least passes)"
    for f in found:
        assert f.status in (Status.PASS, Status.FAIL)
        if f.status is Status.FAIL:
            assert f.line is not None and f.line >= 1 and f.column is not None and f.column >= 1


@FUZZ
@given(st.binary(max_size=400))
def test_arbitrary_bytes(raw):
    _check(yamldoc.parse_bytes(raw, "fuzz.yaml"))


@FUZZ
@given(yamlish)
def test_yaml_like_text(text):
    _check(yamldoc.parse_text(text, "fuzz.yaml"))


@FUZZ
@given(st.text(max_size=200))
def test_arbitrary_unicode(text):
    _check(yamldoc.parse_text(text, "fuzz.yaml"))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=10),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@FUZZ
@given(st.dictionaries(st.sampled_from(["purpose", "input_schema", "output_schema", "training_data",
                                        "performance_metrics", "limitations", "x"]), json_values))
def test_structured_cards(data):
    import yaml

    _check(yamldoc.parse_text(yaml.safe_dump(data), "fuzz.yaml"))


@FUZZ
@given(yamlish)
def test_policy_loader_only_raises_policy_errors(text):
    doc = yamldoc.parse_text(text, ".mlgov.yaml", timestamps=False)
    try:
        validate(parse_policy_document(doc), source=".mlgov.yaml", doc=doc)
    except PolicyError as e:
        assert e.exit_code == 2 and str(e)


@FUZZ
@given(st.dictionaries(st.sampled_from(["card", "metrics", "evidence", "waivers", "targets", "timeout",
                                        "approval", "roles", "version", "nope"]), json_values, max_size=4))
def test_policy_schema_only_raises_policy_errors(raw):
    try:
        validate(raw, source=".mlgov.yaml", doc=None)
    except PolicyError as e:
        assert e.exit_code == 2


@pytest.mark.parametrize("text", ["a: *unknown\n", "&a a: *a\n", "? - x\n: y\n", "!!set {a, b}\n", "--- |\n  x\n"])
def test_edge_cases_do_not_crash(text):
    _check(yamldoc.parse_text(text, "edge.yaml"))
