"""Card schema notations: every notation teams use passes; what says nothing fails at its line."""

from __future__ import annotations

import json

import pytest

from mlgov_checks.checks import card
from mlgov_checks.checks._base import Context
from mlgov_checks.checks.card import extra as card_extra
from mlgov_checks.checks.card import schemas as card_schemas
from mlgov_checks.checks.card.schemas import Kind
from mlgov_checks.findings import Status
from mlgov_checks.policy.load import default_policy
from mlgov_checks.yamlio import loader as yamldoc
from tests.conftest import CARDS

REALISTIC = sorted((CARDS / "realistic").glob("*.yaml"))
REST = """\
purpose: Score things.
training_data: a table
performance_metrics: {auc: 0.9}
limitations: none known beyond the obvious
"""


def failures(findings):
    return [f for f in findings if f.status is not Status.PASS]


def test_the_realistic_corpus_is_large_enough():
    assert len(REALISTIC) >= 25


@pytest.mark.parametrize("path", REALISTIC, ids=lambda p: p.name)
def test_realistic_cards_pass_every_check(path):
    found = card.check_file(str(path), default_policy())
    assert failures(found) == []
    assert "card-field-type" in {f.check for f in found}


def test_the_shipped_schema_accepts_the_realistic_corpus():
    import jsonschema

    validator = jsonschema.Draft202012Validator(json.loads(card.schema_text()))
    for path in REALISTIC:
        errors = [e.message for e in validator.iter_errors(card_extra._jsonable(yamldoc.load_file(str(path)).data))]
        assert errors == [], path.name


NOTATIONS = {
    "json schema object": ("type: object\n  properties:\n    tenure_months: {type: integer}\n"
                           "    plan: {type: string, enum: [a, b]}\n  required: [tenure_months]",
                           Kind.COLUMNS, [("tenure_months", "integer"), ("plan", "string")]),
    "json schema array of records": ("type: array\n  items:\n    type: object\n    properties:\n"
                                     "      a: {type: number}", Kind.COLUMNS, [("a", "number")]),
    "json schema ref": ("$ref: '#/$defs/row'\n  $defs:\n    row:\n      type: object\n      properties:\n"
                        "        a: {type: string, format: date-time}", Kind.COLUMNS, [("a", "datetime")]),
    "json schema oneOf": ("oneOf: [{type: string}, {type: number}]", Kind.SCHEMA, []),
    "json schema scalar": ("{type: number, minimum: 0, maximum: 1}", Kind.SCHEMA, [(None, "number")]),
    "mlflow columns": ('[{"type": "long", "name": "age", "required": true}, {"type": "double", "required": true}]',
                       Kind.COLUMNS, [("age", "long"), (None, "double")]),
    "mlflow tensor": ('[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 28, 28]}}]',
                      Kind.TENSOR, [(None, "float32")]),
    "column list with extra keys": ("- {name: amount, type: double, nullable: false, unit: EUR}",
                                    Kind.COLUMNS, [("amount", "double")]),
    "one-key column list": ("- age: integer\n  - income: {type: float}", Kind.COLUMNS,
                            [("age", "integer"), ("income", "float")]),
    "mapping column -> type": ("age: int\n  income: {type: float, unit: EUR}", Kind.COLUMNS,
                               [("age", "int"), ("income", "float")]),
    "features wrapper": ("format: tabular\n  features:\n    - {name: amount, type: double}",
                         Kind.COLUMNS, [("amount", "double")]),
    "columns wrapper mapping": ("description: x\n  columns: {a: int32}", Kind.COLUMNS, [("a", "int32")]),
    "fields wrapper (Avro)": ("type: record\n  name: Row\n  fields:\n    - {name: a, type: [\"null\", string]}",
                              Kind.COLUMNS, [("a", "string")]),
    "inputs wrapper": ("inputs:\n    - {name: a, type: string}", Kind.COLUMNS, [("a", "string")]),
    "one column": ("{name: fraud_score, type: double, range: [0, 1]}", Kind.COLUMNS, [("fraud_score", "double")]),
    "one unnamed column": ("{type: double, required: true}", Kind.COLUMNS, [(None, "double")]),
    "one tensor": ("type: tensor\n  tensor-spec: {dtype: float32, shape: [-1, 3]}", Kind.TENSOR,
                   [(None, "float32")]),
}


@pytest.mark.parametrize(("text", "kind", "columns"), NOTATIONS.values(), ids=NOTATIONS.keys())
def test_every_notation_passes_and_is_read_as_columns(card_file, text, kind, columns):
    body = f"input_schema:\n  {text}\noutput_schema: {{score: float}}\n{REST}"
    assert failures(card.check_file(str(card_file(body)), default_policy())) == []
    schema = card_schemas.recognise(yamldoc.parse_text(body, "c").data["input_schema"], ("input_schema",))
    assert schema.kind is kind
    assert [(c.name, c.type) for c in schema.columns] == columns


SAYS_NOTHING = {
    "empty list": ("input_schema: []", 1, 15, "input_schema has no columns"),
    "empty mapping": ("input_schema: {}", 1, 15, "input_schema has no columns"),
    "boolean": ("input_schema: true", 1, 15, "input_schema must be a schema, got a boolean"),
    "number": ("input_schema: 3", 1, 15, "input_schema must be a schema, got a number"),
    "placeholder": ("input_schema: TBD", 1, 15, "input_schema must be a schema, got text"),
    "column without type": ("input_schema:\n  - {name: age}", 2, 5, "input_schema[0] has no `type`"),
    "bare column names": ("input_schema: [age, income]", 1, 16, "input_schema[0] must be a column with a `type`"),
    "mapping entry without type": ("input_schema:\n  age:\n  income: float", 2, 3, "input_schema.age has no type"),
    "unknown json schema type": ("input_schema:\n  type: objekt\n  properties:\n    a: {type: integer}", 2, 9,
                                 "input_schema.type: `objekt` is not a JSON Schema type"),
    "json schema property type": ("input_schema:\n  type: object\n  properties:\n    a: {type: double}", 4, 15,
                                  "for `double` write `number`"),
    "empty oneOf": ("input_schema: {oneOf: []}", 1, 23, "input_schema.oneOf must be a non-empty list"),
    "tensor without dtype": ("input_schema:\n  - {type: tensor, tensor-spec: {shape: [-1]}}", 2, 33,
                             "input_schema[0].tensor-spec has no `dtype`"),
}


@pytest.mark.parametrize(("text", "line", "column", "message"), SAYS_NOTHING.values(), ids=SAYS_NOTHING.keys())
def test_what_says_nothing_fails_at_its_line_with_the_notations_named(card_file, text, line, column, message):
    body = f"{text}\noutput_schema: {{score: float}}\n{REST}"
    found = [f for f in failures(card.check_file(str(card_file(body)), default_policy()))
             if f.check == "card-field-type"]
    assert [(f.line, f.column) for f in found if message in f.message] == [(line, column)], found
    assert all("JSON Schema" in (f.hint or "") and "features" in (f.hint or "") for f in found)


def test_the_shipped_schema_refuses_what_says_nothing():
    import jsonschema
    import yaml

    validator = jsonschema.Draft202012Validator(json.loads(card.schema_text()))
    for text, *_ in SAYS_NOTHING.values():
        data = {**yaml.safe_load(REST), **yaml.safe_load(text), "output_schema": {"score": "float"}}
        assert list(validator.iter_errors(data)), text


def test_explain_lists_the_notations():
    text = card.TYPE.explanation
    for word in ("JSON Schema", "tensor-spec", "features", "columns", "fields", "inputs", "outputs",
                 "{name: fraud_score, type: double"):
        assert word in text


HUGE = {
    "400-digit integer": ("9" * 400, "a 401-digit integer, too large for a float"),
    "5000-digit integer": ("9" * 5000, "a number too large to read (5000 characters)"),
    "float overflow": ("1.0e+400", "must be a finite number, got inf"),
    "negative infinity": ("-.inf", "must be a finite number, got -inf"),
    "nan": (".nan", "must be a finite number, got nan"),
    "quoted number": ("'0.9'", "must be a number, got text"),
}


@pytest.mark.parametrize(("value", "message"), HUGE.values(), ids=HUGE.keys())
def test_numbers_a_float_cannot_hold_are_field_type_findings(card_file, value, message):
    body = (f"input_schema: {{a: int}}\noutput_schema: {{b: float}}\npurpose: x y\ntraining_data: t\n"
            f"performance_metrics:\n  auc: {value}\nlimitations: l m\n")
    found = failures(card.check_file(str(card_file(body)), default_policy()))
    assert [(f.check, f.line, f.column) for f in found] == [("card-field-type", 6, 8)]
    assert message in found[0].message
    assert len(found[0].message) < 200


def test_a_huge_integer_metric_in_a_logged_card_is_a_finding_not_an_abort():
    from mlgov_checks.checks import evidence
    from tests.checks.test_evidence import CARD, make_version, policy

    fields = {k: v for k, v in CARD.items() if k != "performance_metrics"}
    text = json.dumps(fields)[:-1] + ', "performance_metrics": {"accuracy": 0.87, "big": ' + "9" * 400 + "}}"
    found = list(evidence.evaluate(make_version(card=text), Context(policy())))
    failed = [(f.check, f.line, f.column) for f in found if f.status in (Status.FAIL, Status.ERROR)]
    assert failed == [("card-field-type", 1, text.index("9" * 400) + 1)]
    assert "card-artifact-valid" not in {f.check for f in found if f.status is Status.PASS}
