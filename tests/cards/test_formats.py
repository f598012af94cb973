"""Each card format read into the canonical card: fields found where the format keeps them, findings in its terms."""

from __future__ import annotations

import pytest

from mlgov_checks import cards
from mlgov_checks.checks import card
from mlgov_checks.findings import Status
from mlgov_checks.policy.load import default_policy, policy_from_mapping

HF = """\
---
license: apache-2.0
base_model: distilbert-base-uncased
tags: [generated_from_trainer]
datasets: [imdb]
model-index:
- name: review-sentiment
  results:
  - task: {type: text-classification, name: Text Classification}
    dataset: {name: imdb, type: imdb, split: test}
    metrics:
    - {type: accuracy, value: 0.9306, name: Accuracy}
---

# review-sentiment

## Intended uses & limitations

Sorts English product reviews into positive and negative for a weekly dashboard.
It was not tested on reviews shorter than five words.

## Training and evaluation data

More information needed
"""
MCT = """{
  "schema_version": "0.0.2",
  "model_details": {"name": "payment screen", "overview": "Scores card payments for review."},
  "model_parameters": {"data": [{"name": "payments-train-2024"}, {"name": "payments-eval-2024"}]},
  "quantitative_analysis": {"performance_metrics": [
    {"type": "accuracy", "value": "93.4%", "slice": "all"},
    {"type": "auc", "value": "0.91"}]},
  "considerations": {"use_cases": [{"description": "Rank payments for manual review."}],
                     "limitations": [{"description": "Not validated on wire transfers."}]}
}
"""
MITCHELL = """\
Model Details:
  Overview: Ranks support tickets.
Intended Use:
  Primary intended uses: Route incoming support tickets to a queue.
  Out-of-scope use cases: Legal escalation.
Training Data:
  Datasets: ticket export 2023-2024
Quantitative Analyses:
  test:
    accuracy: 0.84 ± 0.02
    f1: "0.81"
Caveats and Recommendations:
  - English only.
"""


def read(tmp_path, name, text, policy=None):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    policy = policy or default_policy()
    return cards.read_file(str(p), policy.section("card")), card.check_file(str(p), policy)


def failures(found):
    return [f for f in found if f.status in (Status.FAIL, Status.ERROR)]


def test_hugging_face_readme_fields_come_from_front_matter_and_sections(tmp_path):
    reading, found = read(tmp_path, "README.md", HF)
    c = reading.card
    assert c.format == "huggingface"
    assert c.fields["purpose"].origin.line == 17 and c.fields["purpose"].origin.where == \
        "section `## Intended uses & limitations`"
    assert c.fields["training_data"].origin.where == "datasets"  # the section says only the template text
    assert c.fields["training_data"].origin.line == 5
    (m,) = c.metrics
    assert (m.name, m.value, m.slice, m.origin.line) == ("accuracy", 0.9306, "imdb/test", 12)
    assert failures(found) == []
    assert any(f.check == "card-format" and "Hugging Face README" in f.message for f in found)


def test_a_readme_missing_metrics_fails_in_the_readmes_terms(tmp_path):
    text = HF.replace("model-index:", "old-index:")
    _, found = read(tmp_path, "README.md", text)
    (bad,) = failures(found)
    assert bad.check == "card-required-field"
    assert "add `model-index[0].results[].metrics[]` to the front matter" in bad.message
    assert "(read as Hugging Face README)" in bad.message


def test_model_card_toolkit_percentages_are_fractions_and_the_report_says_so(tmp_path):
    reading, found = read(tmp_path, "model_card.json", MCT)
    c = reading.card
    assert c.format == "mct"
    acc = next(m for m in c.metrics if m.name == "accuracy")
    assert (acc.value, acc.percent, acc.slice) == (0.934, True, "all")
    assert c.fields["training_data"].origin.where == "model_parameters.data[0]"
    assert failures(found) == []
    typed = next(f for f in found if f.check == "card-field-type")
    assert "all/accuracy 93.4% = 0.934" in typed.message


def test_mitchell_sections_in_any_spelling_with_uncertainty(tmp_path):
    reading, found = read(tmp_path, "model_card.yaml", MITCHELL)
    c = reading.card
    assert c.format == "mitchell"
    assert c.fields["purpose"].origin.where == "Intended Use.Primary intended uses"
    acc = next(m for m in c.metrics if m.name == "accuracy")
    assert (acc.value, acc.uncertainty, acc.slice) == (0.84, 0.02, "test")
    assert failures(found) == []
    snake = MITCHELL.replace("Intended Use:", "intended_use:").replace("Caveats and Recommendations:",
                                                                         "caveats_and_recommendations:")
    assert failures(read(tmp_path, "model_card.yaml", snake)[1]) == []


def test_a_metric_that_is_not_a_number_is_a_finding_quoting_it(tmp_path):
    _, found = read(tmp_path, "model_card.yaml", MITCHELL.replace('f1: "0.81"', "f1: good"))
    (bad,) = failures(found)
    assert bad.check == "card-field-type" and "'good', which is not a number" in bad.message


def test_a_card_nested_under_one_root_key_is_read_inside(tmp_path):
    nested = "model_card:\n" + "".join(f"  {line}\n" for line in MITCHELL.splitlines())
    reading, found = read(tmp_path, "model_card.yaml", nested)
    assert reading.card.fields["purpose"].origin.where == "model_card.Intended Use.Primary intended uses"
    assert "under `model_card`" in reading.card.label
    assert failures(found) == []


def test_the_policy_maps_a_field_to_the_teams_own_key(tmp_path):
    text = MITCHELL.replace("Caveats and Recommendations:", "Watch out:").replace(
        "  Out-of-scope use cases: Legal escalation.\n", "")
    assert [f.check for f in failures(read(tmp_path, "model_card.yaml", text)[1])] == ["card-required-field"]
    policy = policy_from_mapping({"card": {"fields": {"limitations": "Watch out"}}})
    assert failures(read(tmp_path, "model_card.yaml", text, policy)[1]) == []


@pytest.mark.parametrize(("name", "text", "check"), [
    ("README.md", "---\nlicense: mit\n# never closed\n", "card-syntax"),
    ("model_card.json", '{"purpose": "a", "purpose": "b"}', "card-duplicate-key"),
    ("model_card.json", "[" * 5000 + "]" * 5000, "card-structure"),
    ("model_card.json", '{"purpose": ', "card-syntax"),
    ("README.md", "---\nlicense: mit\n---\n" + "x" * (11 * 1024 * 1024), "card-size"),
])
def test_hostile_input_is_a_finding(tmp_path, name, text, check):
    _, found = read(tmp_path, name, text)
    assert check in {f.check for f in failures(found)}


def test_native_limitations_may_be_grouped_by_category(tmp_path):
    body = ("purpose: Score leads for the sales team.\ninput_schema: [{name: a, type: integer}]\n"
            "output_schema: [{name: s, type: float}]\ntraining_data: crm export 2024\n"
            "performance_metrics: {accuracy: 0.9}\nlimitations:\n  data: [Only 2024 leads.]\n  scope: B2C only.\n")
    _, found = read(tmp_path, "model_card.yaml", body)
    assert failures(found) == []
    _, found = read(tmp_path, "model_card.yaml", body.replace("scope: B2C only.", "scope: [1]"))
    assert [(f.check, f.line) for f in failures(found)] == [("card-yaml11", 8)]


def test_the_hubs_metadata_in_a_yaml_file_of_its_own_is_advised_in_its_terms(tmp_path):
    text = ("license: mit\ndatasets: [plant/xray-2024]\nmodel-index:\n- name: porosity\n  results:\n"
            "  - dataset: {name: xray-2024, type: plant/xray-2024}\n    metrics:\n    - {type: f1, value: 0.96}\n")
    reading, found = read(tmp_path, "modelcard.yaml", text)
    assert [m.name for m in reading.card.metrics] == ["f1"]
    missing = [f for f in failures(found) if f.check == "card-required-field"]
    assert {f.message.split("'")[1] for f in missing} == {"purpose", "limitations"}
    assert all("to the card" not in f.message and "Hugging Face metadata file" in f.message for f in missing)
    assert not any("add `limitations:`" in f.message or "add `intended" in f.message for f in missing)
    by_field = {f.message.split("'")[1]: f.message for f in missing}
    assert "`## Uses` section of the model's README.md" in by_field["purpose"]
    assert "`## Bias, Risks, and Limitations` section" in by_field["limitations"]
    text = text.replace("datasets: [plant/xray-2024]\n", "")
    missing = [f for f in failures(read(tmp_path, "modelcard.yaml", text)[1]) if f.check == "card-required-field"]
    assert any("add `datasets:` to the metadata" in f.message for f in missing)


TEAM = """\
model:
  name: ticket-urgency
  {key}: {value}
training_data: Ticket export 2024.
metrics: {{accuracy: 0.91}}
limitations: English only.
"""


@pytest.mark.parametrize(("key", "value", "why"), [
    ("task", "text-classification", "'text-classification', a task name, not a statement of what the model is for"),
    ("description", '"two linear layers with dropout, then the classification layer"',
     "describes how the model is built"),
    ("description", '"Random forest trained with reweighing"', "describes how the model is built"),
    ("summary", "urgency_ranker", "a name, not a statement"),
])
def test_a_descriptive_key_that_states_no_purpose_is_not_the_purpose(tmp_path, key, value, why):
    _, found = read(tmp_path, "model_card.yaml", TEAM.format(key=key, value=value))
    (bad,) = failures(found)
    assert bad.check == "card-required-field" and bad.line == 3
    assert bad.message.startswith(f"purpose: model.{key} ") and why in bad.message
    assert "(read as team YAML card" in bad.message and bad.hint == "add `intended_use:` to the card"


@pytest.mark.parametrize(("key", "value"), [
    ("task", "Detect urgent tickets so the on-call team answers them first"),
    ("description", "A BERT model that sorts support tickets by urgency"),
    ("intended_use", "ticket_triage"),  # a key named for the purpose is taken as written
])
def test_a_key_that_states_the_purpose_is_the_purpose(tmp_path, key, value):
    reading, found = read(tmp_path, "model_card.yaml", TEAM.format(key=key, value=value))
    assert reading.card.fields["purpose"].origin.where == f"model.{key}"
    assert failures(found) == []


def test_a_later_key_that_states_the_purpose_is_found_past_one_that_does_not(tmp_path):
    text = ('{"short_description": "Ranks applications for a recruiter\'s first screening call",\n'
            ' "ai_model": {"description": "Random forest trained with reweighing", "test_accuracy": 0.81},\n'
            ' "training_data": "Applications 2023", "limitations": ["Not audited for age."]}\n')
    reading, found = read(tmp_path, "model_card.json", text)
    assert reading.card.fields["purpose"].origin.where == "short_description"
    assert failures(found) == []
