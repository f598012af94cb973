"""Google Model Card Toolkit JSON (schemas v0.0.1 and v0.0.2), as `ModelCard.to_json()` writes it.

Mapping to the canonical card:

- purpose: `considerations.use_cases[]` (v0.0.2 `{description}`, v0.0.1 text), else
  `model_details.overview`;
- training_data: `model_parameters.data[]` (v0.0.2: a list of `{name, link, description, ...}`; the
  entries named like a training set first), v0.0.1 `model_parameters.data.train`;
- performance_metrics: `quantitative_analysis.performance_metrics[]`: `type` and `value` (a string in
  the schema: "0.93", "93.4%"), `slice`, `confidence_interval {lower_bound, upper_bound}`;
- limitations: `considerations.limitations[]` (`{description}` or text);
- input_schema / output_schema: `model_parameters.input_format` / `output_format` (and the
  `_map` variants) are descriptive text, not typed columns: typed I/O comes from the logged
  model's signature (`card.typed_io`).
Metadata: `model_details.licenses[]`, `model_details.version`, `schema_version`.
"""

from __future__ import annotations

from typing import Any

from mlgov_checks.cards import keys, values
from mlgov_checks.cards.keyed import Builder
from mlgov_checks.cards.model import CanonicalCard, Options, Value
from mlgov_checks.cards.source import Located

NAME = "mct"
LABEL = "Model Card Toolkit JSON"
SECTIONS = ("model_details", "model_parameters", "quantitative_analysis", "considerations")
HINTS = {
    "purpose": 'add "considerations": {"use_cases": [{"description": ...}]} (or "model_details.overview")',
    "training_data": 'add "model_parameters": {"data": [{"name": ..., "description": ...}]} with the training set',
    "performance_metrics": 'add "quantitative_analysis": {"performance_metrics": [{"type": ..., "value": ...}]}',
    "limitations": 'add "considerations": {"limitations": [{"description": ...}]}',
    "input_schema": "`model_parameters.input_format` is text: log the model with an MLflow signature",
    "output_schema": "`model_parameters.output_format` is text: log the model with an MLflow signature",
}


def claims(path: str, head: bytes) -> bool:
    return b'"model_details"' in head or b'"quantitative_analysis"' in head or b"model_details:" in head


def fits(data: Any) -> bool:
    """A Model Card Toolkit document: two of its sections, or one and its `schema_version`."""
    if not isinstance(data, dict):
        return False
    found = sum(1 for s in SECTIONS if isinstance(data.get(s), dict))
    return found >= 2 or (found >= 1 and "schema_version" in data)


def _get(data: Any, *path: str) -> Any:
    for p in path:
        if not isinstance(data, dict):
            return None
        data = data.get(p)
    return data


def read(loc: Located, options: Options, *, json: bool = True) -> CanonicalCard:
    data = loc.data
    b = Builder(loc, options)
    version = str(data.get("schema_version") or "")
    own = options.fields
    for name, path in (("purpose", ("considerations", "use_cases")), ("limitations", ("considerations",
                                                                                      "limitations"))):
        hit = keys.lookup(data, own[name]) if name in own else None
        value = hit[1] if hit else _get(data, *path)
        where = hit[0] if hit else path
        if hit is None and name == "purpose" and values.is_blank(value):
            where, value = ("model_details", "overview"), _get(data, "model_details", "overview")
        if value is not None or hit is not None:
            b.text_field(name, where, value)
    _training(b, data, own)
    mhit = keys.lookup(data, own["performance_metrics"]) if "performance_metrics" in own else None
    mpath, metrics = mhit if mhit else (("quantitative_analysis", "performance_metrics"),
                                        _get(data, "quantitative_analysis", "performance_metrics"))
    if metrics is not None:
        b.metrics_from(tuple(mpath), metrics)
    for name, key in (("input_schema", "input_format"), ("output_schema", "output_format")):
        for k in (key, f"{key}_map"):
            v = _get(data, "model_parameters", k)
            if v is not None and not values.is_blank(v) and name not in b.fields:
                b.fields[name] = Value(tuple(t for _, t in values.texts(v)), loc.origin(("model_parameters", k)), v)
    meta = {}
    for key, path in (("license", ("model_details", "licenses")), ("version", ("model_details", "version"))):
        v = _get(data, *path)
        if v is not None and not values.is_blank(v):
            meta[key] = Value(tuple(t for _, t in values.texts(v)), loc.origin(path), v)
    label = f"{LABEL} (schema {version})" if version else LABEL
    return b.card(name=NAME, label=label, hints=HINTS, typed_io=False, meta=meta, problems=tuple(loc.doc.problems))


def _training(b: Builder, data: Any, own: dict[str, str] | Any) -> None:
    if "training_data" in own:
        hit = keys.lookup(data, own["training_data"])
        if hit is not None:
            b.text_field("training_data", hit[0], hit[1])
        return
    sets = _get(data, "model_parameters", "data")
    base = ("model_parameters", "data")
    if isinstance(sets, dict):  # v0.0.1: {train: {...}, eval: {...}}
        inner = keys.sub(sets, ("train", "training", "trainingdata"))
        if inner is not None:
            b.text_field("training_data", (*base, inner[0]), inner[1])
        elif not values.is_blank(sets):
            b.text_field("training_data", base, sets)
        return
    if isinstance(sets, list):
        named = [(i, d) for i, d in enumerate(sets)
                 if isinstance(d, dict) and "train" in str(d.get("name", "")).lower()]
        others = [(i, d) for i, d in enumerate(sets) if not any(
            w in str(d.get("name", "") if isinstance(d, dict) else d).lower() for w in ("eval", "test", "valid"))]
        chosen = named or others
        if chosen:
            i, d = chosen[0]
            b.text_field("training_data", (*base, i), [x for _, x in chosen])
            return
    if sets is not None:
        b.text_field("training_data", base, sets)
