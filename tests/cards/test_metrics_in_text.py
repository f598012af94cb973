"""Metrics stated in prose, lines and tables: each value goes with its own name, never a neighbour's."""

from __future__ import annotations

import pytest

from mlgov_checks import cards
from mlgov_checks.cards.metric_reader import from_text
from mlgov_checks.cards.model import Origin
from mlgov_checks.policy.load import default_policy

HERE = Origin("model_card.md", 1, 1, "section `## Metrics`")


@pytest.mark.parametrize(("text", "read"), [
    ("Precision: 0.7412  \nRecall: 0.6033  \nF1: 0.6652", [("Precision", 0.7412), ("Recall", 0.6033), ("F1", 0.6652)]),
    ("Precision 0.74 Recall 0.60 F1 0.66", [("Precision", 0.74), ("Recall", 0.60), ("F1", 0.66)]),
    ("Precision: 0.68. Recall: 0.59. Fbeta: 0.63.", [("Precision", 0.68), ("Recall", 0.59), ("Fbeta", 0.63)]),
    ("91% top-1 accuracy and 0.88 F1", [("top-1 accuracy", 0.91), ("F1", 0.88)]),
    ("an F1 score of 0.88 on the test set", [("F1 score", 0.88)]),
    ("mean average precision (mAP) of 0.61", [("mAP", 0.61)]),
    ("accuracy 0.91 on val, accuracy 0.89 on test", [("accuracy", 0.91), ("accuracy", 0.89)]),
    ("trained for 3 epochs on 12,000 rows", []),
])
def test_each_value_goes_with_its_own_name(text, read):
    assert [(m.name, m.value) for m in from_text(text, HERE)] == [(n, pytest.approx(v)) for n, v in read]


def canonical(tmp_path, name, text):
    (tmp_path / name).write_text(text, encoding="utf-8")
    return cards.read_file(str(tmp_path / name), default_policy().section("card")).card


def test_a_table_with_one_hyphen_a_delimiter_cell_is_a_table(tmp_path):
    card = canonical(tmp_path, "README.md", "---\nlicense: mit\n---\n# ner\n\n## Eval results\n\n"
                     "metric|dev|test\n-|-|-\nf1 |93.6 |92.2\nrecall |94.0 |92.8\n")
    assert sorted((m.key, m.value) for m in card.metrics) == [("dev/f1", 93.6), ("dev/recall", 94.0),
                                                               ("test/f1", 92.2), ("test/recall", 92.8)]


def test_a_value_column_is_not_a_slice(tmp_path):
    card = canonical(tmp_path, "README.md", "---\nlicense: mit\n---\n# intents\n\n## Evaluation results\n\n"
                     "| Metric | Value |\n|---|---|\n| Accuracy | 0.884 |\n| F1 (macro) | 0.861 |\n")
    assert [(m.key, m.value) for m in card.metrics] == [("Accuracy", 0.884), ("F1 (macro)", 0.861)]


def test_thresholds_and_weights_of_named_metrics_are_not_measured_values(tmp_path):
    card = canonical(tmp_path, "model_card.json", '{"intended_use": "Rank leads for the sales team.", '
                     '"training_data": "CRM 2024", "limitations": ["B2C only"], "metrics": ['
                     '{"name": "accuracy", "min_threshold": 0.85, "weight": 1.0}, {"name": "recall", "weight": 0.5}]}')
    assert card.metrics == ()
    assert [i.message for i in card.issues] == ["performance_metrics: metrics gives no measured value (no number)"]


def test_a_model_comparison_table_gives_each_models_values_as_its_slice(tmp_path):
    card = canonical(tmp_path, "README.md", "---\nlicense: apache-2.0\nlibrary_name: timm\n---\n# tinynet\n\n"
                     "## Model Comparison\n|model|img_size|top1|top5|\n|---|---|---|---|\n"
                     "|tinynet_a|192|77.65|93.53|\n|tinynet_b|188|75.97|92.73|\n")
    assert [(m.key, m.value) for m in card.metrics] == [("tinynet_a/top1", 77.65), ("tinynet_a/top5", 93.53),
                                                         ("tinynet_b/top1", 75.97), ("tinynet_b/top5", 92.73)]


def test_a_metric_named_by_its_key_keeps_its_name_and_its_spread(tmp_path):
    card = canonical(tmp_path, "model_card.json", '{"intended_use": "Rank leads for the sales team.", '
                     '"training_data": "CRM 2024", "limitations": ["B2C only"], "metrics": {'
                     '"accuracy": {"value": 0.91, "ci": [0.89, 0.93]}, "f1": {"score": "0.88 ± 0.01"}, '
                     '"test": {"auc": {"mean": 0.8, "std": 0.02}}}}')
    assert [(m.key, m.value, m.uncertainty) for m in card.metrics] == [
        ("accuracy", 0.91, 0.02), ("f1", 0.88, 0.01), ("test/auc", 0.8, 0.02)]
