"""A `model_card.md` in the paper's sections, without front matter: read by its headings, advised in them."""

from __future__ import annotations

from mlgov_checks.checks import card
from mlgov_checks.findings import Status
from mlgov_checks.policy.load import default_policy

CARD = """\
# Model Card

## Model Details
Gradient boosting classifier, default settings.

## Intended Use
Estimate whether a listing sells within 30 days, to order the agents' call list.

## Training Data
Listing export 2022, 75% of the rows.

## Evaluation Data
The other 25% of the rows.

## Metrics
METRICS

## Out-of-scope uses
Pricing decisions.

## Limitations
Listings outside the three pilot cities were not in the data.
"""


def check(tmp_path, metrics):
    p = tmp_path / "model_card.md"
    p.write_text(CARD.replace("METRICS", metrics), encoding="utf-8")
    found = card.check_file(str(p), default_policy())
    return [f for f in found if f.status is Status.FAIL], found


def test_a_markdown_card_with_its_values_passes_and_says_how_it_was_read(tmp_path):
    failing, found = check(tmp_path, "Precision: 0.71. Recall: 0.64.")
    assert failing == []
    assert any(f.check == "card-format" and f.message == "read as Markdown model card" for f in found)


def test_a_metrics_section_that_only_names_metrics_is_named_in_the_finding(tmp_path):
    failing, _ = check(tmp_path, "* precision\n* recall")
    (bad,) = failing
    assert bad.check == "card-required-field" and bad.line == 15  # the `## Metrics` heading
    assert bad.message == ("performance_metrics: the `## Metrics` section gives no measured value (no number) "
                           "(read as Markdown model card)")
    assert "add a `## Metrics` (or `## Evaluation results`) section" in bad.hint
    assert "front matter" not in bad.message + bad.hint


def test_a_markdown_metric_without_its_value_is_a_finding_quoting_it(tmp_path):
    failing, _ = check(tmp_path, "- Precision: 0.71\n- Recall: pending")
    (bad,) = failing
    assert bad.check == "card-field-type" and "metric 'Recall' is 'pending', which is not a number" in bad.message


def test_a_limitations_heading_is_preferred_to_an_earlier_out_of_scope_line(tmp_path):
    from mlgov_checks import cards

    p = tmp_path / "model_card.md"
    p.write_text(CARD.replace("METRICS", "F1: 0.7").replace("## Out-of-scope uses\nPricing decisions.\n",
                                                            "- **Out-of-Scope Uses:** pricing decisions\n"), "utf-8")
    read = cards.read_file(str(p), default_policy().section("card")).card
    assert read.fields["limitations"].origin.where == "section `## Limitations`"
