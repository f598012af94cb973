"""Metric values as teams write them, in every format, through the real CLI: a percentage is a fraction
and the report says so, an uncertainty is kept, and a value that is not a number is a finding quoting it.

`mlgov card --show-canonical FILE` is the command that shows what was read (the canonical card,
with where each value came from); `mlgov card --format json` is the report.
"""

from __future__ import annotations

import json

import pytest

from tests.card_corpus import mlgov, run_card

# One card per format, its metric written as VALUE (the rest of each card is complete).
CARDS = {
    "native-yaml": ("model_card.yaml", """\
purpose: Rank support tickets by urgency.
input_schema: [{name: text, type: string}]
output_schema: [{name: urgency, type: float}]
training_data: Ticket export 2024.
performance_metrics:
  accuracy: VALUE
limitations: English only.
"""),
    "native-json": ("model_card.json", """\
{"purpose": "Rank support tickets by urgency.",
 "input_schema": [{"name": "text", "type": "string"}],
 "output_schema": [{"name": "urgency", "type": "float"}],
 "training_data": "Ticket export 2024.",
 "performance_metrics": {"accuracy": "VALUE"},
 "limitations": "English only."}
"""),
    "mct": ("model_card.json", """\
{"schema_version": "0.0.2",
 "model_details": {"name": "ticket urgency", "overview": "Ranks support tickets by urgency."},
 "model_parameters": {"data": [{"name": "tickets-train-2024", "description": "Ticket export 2024."}]},
 "quantitative_analysis": {"performance_metrics": [{"type": "accuracy", "value": "VALUE", "slice": "test"}]},
 "considerations": {"use_cases": [{"description": "Order the support queue by urgency."}],
                    "limitations": [{"description": "English only."}]}}
"""),
    "mitchell": ("model_card.yaml", """\
Model Details:
  Overview: Ranks support tickets.
Intended Use:
  Primary intended uses: Order the support queue by urgency.
Training Data:
  Datasets: Ticket export 2024.
Quantitative Analyses:
  test:
    accuracy: VALUE
Caveats and Recommendations:
  - English only.
"""),
    "team-json": ("model_card.json", """\
{"model_name": "ticket-urgency",
 "intended_use": "Order the support queue by urgency.",
 "training_data": "Ticket export 2024.",
 "test_accuracy": "VALUE",
 "known_limitations": ["English only."]}
"""),
    "huggingface": ("README.md", """\
---
license: mit
datasets: [acme/tickets-2024]
---

# ticket-urgency

## Uses

Order the support queue by urgency.

## Evaluation results

- Accuracy: VALUE

## Limitations

English only.
"""),
}


def write(tmp_path, fmt, value):
    name, text = CARDS[fmt]
    (tmp_path / name).write_text(text.replace("VALUE", value), encoding="utf-8")
    return name


def canonical_metrics(tmp_path, name):
    proc = mlgov(tmp_path, "card", "--show-canonical", name)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    read = json.loads(proc.stdout)
    return read["fields"]["performance_metrics"]


def report(tmp_path, name):
    proc = run_card(tmp_path, name)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, json.loads(proc.stdout)["findings"]


@pytest.mark.parametrize("fmt", sorted(CARDS))
def test_a_percentage_is_read_as_a_fraction_and_the_report_says_so(tmp_path, fmt):
    name = write(tmp_path, fmt, "93.4%")
    (metric,) = canonical_metrics(tmp_path, name)
    assert metric["value"] == pytest.approx(0.934) and metric["written"] == "93.4%" and metric["percent"] is True
    assert metric["from"]["file"] == name and metric["from"]["line"] >= 1
    code, findings = report(tmp_path, name)
    assert code == 0, [f for f in findings if f["status"] != "pass"]
    (typed,) = [f for f in findings if f["check"] == "card-field-type"]
    assert typed["status"] == "pass" and "percentages read as fractions" in typed["message"]
    assert "93.4% = 0.934" in typed["message"]
    text = mlgov(tmp_path, "card", "-v", "--no-color", name)  # the text report, passing checks shown
    assert text.returncode == 0 and "percentages read as fractions" in text.stdout
    assert "93.4% = 0.934" in text.stdout


@pytest.mark.parametrize("written", ["0.84 ± 0.02", "0.84 +/- 0.02"])
@pytest.mark.parametrize("fmt", sorted(CARDS))
def test_a_value_with_its_uncertainty_keeps_the_uncertainty(tmp_path, fmt, written):
    name = write(tmp_path, fmt, written)
    (metric,) = canonical_metrics(tmp_path, name)
    assert (metric["value"], metric["uncertainty"], metric["written"]) == (0.84, 0.02, written)
    assert "percent" not in metric
    code, findings = report(tmp_path, name)
    assert code == 0, [f for f in findings if f["status"] != "pass"]


@pytest.mark.parametrize("fmt", sorted(CARDS))
def test_a_metric_that_is_not_a_number_is_a_finding_quoting_it(tmp_path, fmt):
    name = write(tmp_path, fmt, "pending")
    code, findings = report(tmp_path, name)
    failing = [f for f in findings if f["status"] == "fail"]
    assert code == 1
    assert [f["check"] for f in failing] == ["card-field-type"], failing
    assert "'pending'" in failing[0]["message"] and failing[0]["line"] >= 1


def test_a_metric_without_a_number_in_the_hubs_model_index_is_a_finding_quoting_it(tmp_path):
    (tmp_path / "README.md").write_text("""\
---
license: mit
datasets: [acme/tickets-2024]
model-index:
- name: ticket-urgency
  results:
  - dataset: {name: tickets, type: acme/tickets-2024}
    metrics:
    - {type: accuracy, value: not measured yet}
---

# ticket-urgency

## Uses

Order the support queue by urgency.

## Limitations

English only.
""", encoding="utf-8")
    code, findings = report(tmp_path, "README.md")
    (bad,) = [f for f in findings if f["status"] == "fail"]
    assert code == 1 and bad["check"] == "card-field-type" and bad["line"] == 9
    assert "'not measured yet', which is not a number" in bad["message"]
    assert "(read as Hugging Face README)" in bad["message"]
