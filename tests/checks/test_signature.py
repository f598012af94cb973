"""card-signature-match: cards compared with MLflow signatures, as the MLmodel file stores them."""

from __future__ import annotations

import json

import pytest

from mlgov_checks.checks.card import signature
from mlgov_checks.checks.card.type_names import agree, family
from mlgov_checks.findings import Status
from mlgov_checks.yamlio import loader as yamldoc

REST = "purpose: p q\ntraining_data: t\nperformance_metrics: {auc: 0.9}\nlimitations: l m\n"


def sig(inputs, outputs=None):
    return {"inputs": json.dumps(inputs), "outputs": None if outputs is None else json.dumps(outputs),
            "params": None}


def run(card_text, signature_dict):
    doc = yamldoc.parse_text(card_text + REST, "model_card.yaml")
    return list(signature.check_signature(doc, signature_dict, target="models:/churn/1"))


def bad(findings):
    return [(f.status.value, f.line, f.message) for f in findings if f.status is not Status.PASS]


CHURN = sig([{"type": "long", "name": "tenure_months", "required": True},
             {"type": "double", "name": "monthly_spend", "required": True}],
            [{"type": "double", "required": True}])


def test_a_card_documenting_the_signature_passes():
    found = run("input_schema:\n  - {name: tenure_months, type: int64}\n  - {name: monthly_spend, type: float}\n"
                "output_schema: {churn_probability: {type: number}}\n", CHURN)
    assert bad(found) == []
    assert [f.message for f in found] == ["the card agrees with the model's signature (2 of 2 sides compared)"]


def test_a_column_the_model_lacks_fails_naming_both_columns():
    found = run("input_schema:\n  - {name: tenure_months, type: integer}\n  - {name: age, type: integer}\n"
                "output_schema: [{name: p, type: double}]\n", CHURN)
    assert bad(found) == [
        ("fail", 3, "the card documents input column 'age', which the model does not have "
                    "(the model's inputs: tenure_months, monthly_spend)"),
        ("fail", 2, "the model takes input column 'monthly_spend', which the card does not document "
                    "(the card's inputs: tenure_months, age)"),
    ]


def test_a_type_that_disagrees_fails_at_the_column():
    found = run("input_schema:\n  type: object\n  properties:\n    tenure_months: {type: string}\n"
                "    monthly_spend: {type: number}\noutput_schema: {type: number}\n", CHURN)
    assert bad(found) == [("fail", 4, "input type of 'tenure_months': the card says string, "
                                      "the model's signature says long")]


def test_an_optional_input_the_card_leaves_out_is_a_warning():
    s = sig([{"type": "long", "name": "a", "required": True}, {"type": "string", "name": "b", "required": False}])
    assert bad(run("input_schema: {a: int}\noutput_schema: {p: float}\n", s)) == [
        ("warn", 1, "the model takes optional input column 'b', which the card does not document "
                    "(the card's inputs: a)")]


def test_no_signature_is_a_warning_never_a_silent_pass():
    found = run("input_schema: {a: int}\noutput_schema: {p: float}\n", None)
    assert [(f.status, f.check) for f in found] == [(Status.WARN, "card-signature-match")]


def test_an_unreadable_signature_could_not_be_evaluated():
    found = run("input_schema: {a: int}\noutput_schema: {p: float}\n", {"inputs": "[{not json"})
    assert [f.status for f in found] == [Status.ERROR]


def test_tensor_cards_compare_dtype_and_shape():
    s = sig([{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 28, 28]}}],
            [{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1, 10]}}])
    ok = ("input_schema: [{type: tensor, tensor-spec: {dtype: float32, shape: [-1, 28, 28]}}]\n"
          "output_schema: {type: tensor, tensor-spec: {dtype: float64, shape: [-1, 10]}}\n")
    assert bad(run(ok, s)) == []
    wrong = ok.replace("[-1, 28, 28]", "[-1, 32, 32]").replace("dtype: float64", "dtype: int64")
    assert [m for *_, m in bad(run(wrong, s))] == [
        "input shape: the card says [-1, 32, 32], the model's signature says [-1, 28, 28]",
        "output type of the value: the card says int64, the model's signature says float64"]


def test_a_tensor_card_for_a_model_taking_columns_fails():
    found = run("input_schema: [{type: tensor, tensor-spec: {dtype: float32, shape: [-1, 2]}}]\n"
                "output_schema: {p: float}\n", CHURN)
    assert [m for *_, m in bad(found)] == [
        "the card documents a tensor input but the model takes columns: tenure_months, monthly_spend"]


def test_a_json_schema_without_properties_is_compared_as_far_as_it_goes():
    s = sig([{"type": "string", "name": "text", "required": True}], [{"type": "long", "required": True}])
    assert bad(run("input_schema: {name: text, type: str}\noutput_schema: {type: integer}\n", s)) == []
    assert [m for *_, m in bad(run("input_schema: {oneOf: [{type: string}]}\noutput_schema: {type: string}\n",
                                   s))] == ["output type of the value: the card says string, "
                                            "the model's signature says long"]


def test_with_a_signature_inferred_by_mlflow():
    import pandas as pd
    from mlflow.models import infer_signature

    frame = pd.DataFrame({"age": [31, 45], "monthly_spend": [20.5, 80.0], "plan": ["basic", "pro"],
                          "active": [True, False]})
    logged = infer_signature(frame, pd.Series([0.1, 0.7])).to_dict()
    good = ("input_schema:\n  age: integer\n  monthly_spend: number\n  plan: string\n  active: boolean\n"
            "output_schema: {name: churn_probability, type: double}\n")
    assert bad(run(good, logged)) == []
    drifted = good.replace("age: integer", "age_years: integer")
    assert [m for *_, m in bad(run(drifted, logged))] == [
        "the card documents input column 'age_years', which the model does not have "
        "(the model's inputs: age, monthly_spend, plan, active)",
        "the model takes input column 'age', which the card does not document "
        "(the card's inputs: age_years, monthly_spend, plan, active)"]


@pytest.mark.parametrize(("a", "b", "same"), [
    ("long", "int64", True), ("integer", "int", True), ("double", "float64", True), ("float", "number", True),
    ("long", "number", True), ("string", "str", True), ("text", "string", True), ("boolean", "bool", True),
    ("datetime", "timestamp", True), ("binary", "bytes", True), ("np.float32", "double", True),
    ("datetime64[ns]", "datetime", True), ("Int64", "long", True), ("decimal(10,2)", "double", True),
    ("long", "double", False), ("string", "integer", False), ("boolean", "int", False),
    ("category", "whatever-type", True),
])
def test_one_mapping_of_type_names(a, b, same):
    assert agree(family(a), family(b)) is same
