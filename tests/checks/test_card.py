"""Card checks on the shipped corpus: every defect is found at its file:line:column."""

from __future__ import annotations

import re

import pytest

from mlgov_checks.checks import card
from mlgov_checks.findings import Status
from mlgov_checks.policy.load import default_policy, policy_from_mapping
from mlgov_checks.yamlio import loader as yamldoc
from tests.conftest import CARDS

GOOD = sorted(CARDS.glob("ok_*"))
BAD = sorted(CARDS.glob("bad_*"))


def failures(findings):
    return [f for f in findings if f.status is not Status.PASS]


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_good_cards_pass_every_check(path):
    found = card.check_file(str(path), default_policy())
    assert failures(found) == []
    assert {f.check for f in found} >= {"card-required-field", "card-field-type", "card-placeholder"}


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.name)
def test_bad_cards_fail_at_the_marked_place(path):
    expect = re.match(r"# expect: (\S+) (\d+):(\d+) (\S+)", path.read_text().splitlines()[0])
    assert expect, f"{path.name} lacks its '# expect:' line"
    check_id, line, column, field = expect[1], int(expect[2]), int(expect[3]), expect[4]
    found = failures(card.check_file(str(path), default_policy()))
    hits = [f for f in found if f.check == check_id and (f.line, f.column) == (line, column)]
    assert hits, [(f.check, f.line, f.column, f.message) for f in found]
    assert all(f.file == str(path) for f in found)
    if field != "(root)":
        assert field in hits[0].message


def test_shipped_schema_agrees_on_the_corpus():
    """The JSON Schema we ship accepts the good cards and rejects the typed defects."""
    import json

    import jsonschema

    schema = json.loads(card.schema_text())
    for path in GOOD:
        jsonschema.validate(yamldoc.load_file(str(path)).data, schema)
    for name in ("bad_missing_field.yaml", "bad_purpose_list.yaml", "bad_metric_text.yaml",
                 "bad_column_no_type.yaml", "bad_yaml11_bool.yaml"):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(yamldoc.load_file(str(CARDS / name)).data, schema)


def test_policy_adds_required_fields_and_placeholders(card_file):
    path = card_file((CARDS / "ok_template.yaml").read_text().replace("name: churn-classifier", "name: pending"))
    policy = policy_from_mapping({"card": {"required_fields": ["owners", "ethics"], "placeholders": ["pending"]}})
    found = failures(card.check_file(str(path), policy))
    assert [(f.check, f.message) for f in found] == [
        ("card-required-field", "required field 'ethics' is missing"),
        ("card-placeholder", "name is a placeholder (pending)"),
    ]


def test_extra_schema_errors_point_deep_into_the_document(tmp_path, card_file):
    schema = tmp_path / "team.schema.yaml"
    schema.write_text("type: object\nrequired: [owners]\nproperties:\n  owners:\n"
                      "    type: array\n    items: {type: string, pattern: '@'}\n")
    policy_path = tmp_path / ".mlgov.yaml"
    policy_path.write_text("card:\n  extra_schema: team.schema.yaml\n")
    from mlgov_checks.policy.load import load_policy

    policy = load_policy(str(policy_path))
    text = (CARDS / "ok_template.yaml").read_text().replace("  - data-science@example.com", "  - nobody")
    path = card_file(text)
    found = failures(card.check_file(str(path), policy))
    assert len(found) == 1
    f = found[0]
    assert f.check == "card-extra-schema"
    assert "owners[0]" in f.message
    lines = text.splitlines()
    assert lines[f.line - 1][f.column - 1:].startswith("nobody")


def test_empty_file_is_a_root_finding(card_file):
    found = failures(card.check_file(str(card_file("")), default_policy()))
    assert [f.check for f in found] == ["card-root"]


def test_missing_file_is_an_error_not_a_crash(tmp_path):
    found = card.check_file(str(tmp_path / "nope.yaml"), default_policy())
    assert [(f.check, f.status) for f in found] == [("card-readable", Status.ERROR)]


@pytest.mark.parametrize(("text", "expected"), (
    ("a: 1\nb: 2\n", {}),
    ("a: &x [1, 2]\nb: *x\n", {}),
    ("a: 1\na: 2\n", {"duplicate-key"}),
    ("? [1]\n: x\n", {"complex-key"}),
    ("a: !!binary aGVsbG8=\n", {"tag"}),
    ("a: 1\n---\nb: 2\n", {"multi-document"}),
))
def test_loader_problems(text, expected):
    doc = yamldoc.parse_text(text, "t.yaml")
    assert {p.kind.value for p in doc.problems} == set(expected)


def test_loader_keeps_marks_for_nested_values():
    doc = yamldoc.parse_text("a:\n  b:\n    - x\n    - {c: 3}\n", "t.yaml")
    assert doc.marks[("a", "b", 1, "c")] == yamldoc.Mark(4, 11)
    assert doc.key_marks[("a", "b")] == yamldoc.Mark(2, 3)
    assert doc.mark_of(("a", "b", 7)) == yamldoc.Mark(3, 5)


def test_merge_keys_are_applied():
    doc = yamldoc.parse_text("base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  y: 3\n", "t.yaml")
    assert doc.data["d"] == {"x": 1, "y": 3}
    assert doc.problems == []
