"""Mitchell-style cards: the sections of "Model Cards for Model Reporting" as keys, in YAML or JSON.

Keys are matched without regard to case, spaces, underscores, hyphens or `&` (`Intended Use`,
`intended_use`, `intendedUse` are one name), breadth first, up to three levels down. This is also
how team-made cards (`model_card.json` with `intended_use`, `metrics`, `known_limitations`) are read.

Mapping to the canonical card:

- purpose: `Intended Use` (its `Primary intended uses` when it is a mapping), `purpose`, `use_cases`,
  `uses`, `Model Details.overview` / `description`, `summary`, `objective`, `task`; a key that only
  describes (`description`, `overview`, `summary`, `task`) counts when its text states a purpose,
  not a task's name (`text-summarization`) or how the model is built ("two linear layers");
- training_data: `Training Data` (its `train` entry when it maps splits), `datasets`, `dataset`,
  `data`, `data_source`; never inside `Evaluation Data` or a test/validation entry;
- performance_metrics: `Quantitative Analyses`, `Metrics`, `performance`, `results`, `evaluation`
  (every one at the shallowest level): `name: number`, nested per split/segment/model, lists of
  `{name|type, value, slice|split}`, quoted numbers, percentages, `0.84 ± 0.02`, and prose
  ("93.4% accuracy"); else metric-named keys at the top (`test_accuracy: 0.93`);
- limitations: `Caveats and Recommendations`, `Limitations`, `known_limitations`, `risks`,
  `Out-of-scope use cases` (text, a list, or a mapping of category to list);
- input_schema / output_schema: `inputs` / `input_format` / `features` and `outputs` /
  `output_format` when present; the format has no typed I/O of its own (`card.typed_io`).
A YAML file holding the Hub's metadata on its own (`model-index`, `base_model`, ...) is read so,
its metrics from `model-index`, and advised in the Hub's terms (`datasets:`, `model-index`, README
sections). A team's own key for a field is `card.fields` in the policy (`purpose: intended_use.summary`).
"""

from __future__ import annotations

from typing import Any

from mlgov_checks.cards import keyed, keys, readme_metrics
from mlgov_checks.cards.keyed import Builder
from mlgov_checks.cards.model import FIELDS, CanonicalCard, IssueKind, Options
from mlgov_checks.cards.source import Located

NAME = "mitchell"
LABEL = "Mitchell-style card"
TITLES = {"purpose": "Intended Use", "training_data": "Training Data",
          "performance_metrics": "Quantitative Analyses", "limitations": "Caveats and Recommendations",
          "input_schema": "Input Schema", "output_schema": "Output Schema"}
SECTIONS = frozenset(keys.norm(s) for s in (
    "Model Details", "Intended Use", "Factors", "Metrics", "Evaluation Data", "Training Data",
    "Quantitative Analyses", "Ethical Considerations", "Caveats and Recommendations"))


HUB_KEYS = ("model-index", "base_model", "pipeline_tag", "library_name")
# The Hub's metadata keeps data sets and results; purpose and limitations live in the README's sections.
HUB_HINTS = {
    "purpose": "the Hub's metadata has no key for the purpose: write it in a `## Uses` section of the model's "
               "README.md (or name the team's own key in the policy's `card.fields`)",
    "training_data": "add `datasets:` to the metadata, or a `## Training data` section to the model's README.md",
    "performance_metrics": "add `model-index[0].results[].metrics[]` to the metadata",
    "limitations": "the Hub's metadata has no key for limitations: write them in a `## Bias, Risks, and "
                   "Limitations` section of the model's README.md (or name the team's own key in `card.fields`)",
}


def claims(path: str, head: bytes) -> bool:
    return path.lower().endswith((".yaml", ".yml", ".json"))


def fits(data: Any) -> bool:
    """Some canonical field stands under a name other than the native one."""
    if not isinstance(data, dict):
        return False
    for field in FIELDS:
        hit = keys.find(data, field)
        if hit is not None and hit[0] != (field,):
            return True
    return False


# The names a team card that does not use the paper's sections is advised to add.
PLAIN = {"purpose": "intended use", "training_data": "training data", "performance_metrics": "metrics",
         "limitations": "limitations", "input_schema": "input schema", "output_schema": "output schema"}


def hints(data: Any, *, json: bool, sections: bool) -> dict[str, str]:
    titles = TITLES if sections else {f: t.title() if not json else t for f, t in PLAIN.items()}
    return {f: keyed.styled(t, data, json=json) for f, t in titles.items()}


def read(loc: Located, options: Options, *, json: bool) -> CanonicalCard:
    b = Builder(loc, options)
    keyed.read_fields(b)
    data = loc.data
    if not b.metrics and isinstance(data, dict) and "model-index" in data:  # the Hub's metadata on its own
        readme_metrics.model_index(b, data["model-index"])
        if b.metrics:
            b.issues[:] = [i for i in b.issues if i.field != "performance_metrics" or i.kind is not IssueKind.EMPTY]
    mitchell = isinstance(data, dict) and sum(  # the paper's section titles, not snake_case team keys
        keys.norm(k) in SECTIONS and (" " in str(k) or str(k)[:1].isupper()) for k in data) >= 2
    label = LABEL if mitchell else ("team JSON card" if json else "team YAML card")
    advice = hints(data, json=json, sections=mitchell)
    if isinstance(data, dict) and any(k in data for k in HUB_KEYS):  # the Hub's metadata in a file of its own
        label, advice = "Hugging Face metadata file", {**advice, **HUB_HINTS}
    return b.card(name=NAME, label=f"{label} (keys read by name)", hints=advice,
                  typed_io=False,
                  problems=tuple(loc.doc.problems))
