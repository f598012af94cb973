"""Hugging Face model card: `README.md` with YAML front matter (the Hub's metadata) and a Markdown body.

Mapping to the canonical card:

- purpose: the body's `## Uses` / `### Direct Use`, `## Intended uses & limitations`, `## Intended use`,
  `## Model description` / `## Model Details` / `### Model Description`, `## Overview`, `## Summary`
  (first one that says something), else the text under the title unless it is the generated
  "This model is a fine-tuned version of ..." line;
- training_data: a `## Training data` / `## Training and evaluation data` / `### Training Data` /
  `## Dataset` section, else the front matter's `datasets:`;
- performance_metrics: `model-index[].results[].metrics[]` (`type`/`name`, `value`; the slice is the
  result's `dataset`), else the values of an `## Evaluation results` / `## Results` / `## Performance`
  section (tables, `- Accuracy: 0.93` lists, prose such as "93.4% accuracy"), else such lists in the
  text under the title (the Trainer's "It achieves the following results");
- limitations: `## Limitations`, `## Bias, Risks, and Limitations`, `## Limitations and bias`,
  `## Intended uses & limitations`, `## Out-of-Scope Use`, `## Caveats`, `## Risks`;
- input_schema / output_schema: none (a README holds no typed I/O; see `card.typed_io`).

A Markdown card without front matter (`model_card.md` in the paper's sections: `## Intended Use`,
`## Training Data`, `## Metrics`, `## Caveats and Recommendations`) is read the same way, as a
"Markdown model card", and advised in sections rather than front matter keys.

Front matter is read with the project's YAML loader (marks point at README lines); text that only
says "[More Information Needed]" (the Hub template's default) counts as not written. Metadata for
governance: `license` (`license_name` for `other`), `base_model`, `datasets`, `pipeline_tag`.
"""

from __future__ import annotations

import re
from typing import Any

from mlgov_checks.cards import keys, markdown, readme_metrics, values
from mlgov_checks.cards.keyed import Builder
from mlgov_checks.cards.model import CanonicalCard, Issue, IssueKind, Options, Origin, Value
from mlgov_checks.cards.source import Located, Source, parse_yaml, split_front_matter
from mlgov_checks.yamlio.loader import Document

NAME = "huggingface"
LABEL = "Hugging Face README"
HINTS = {
    "purpose": "add a `## Uses` section (or `## Intended uses & limitations`) to the README",
    "training_data": "add `datasets:` to the front matter, or a `## Training data` section to the README",
    "performance_metrics": "add `model-index[0].results[].metrics[]` to the front matter (or an "
                           "`## Evaluation results` section with the values)",
    "limitations": "add a `## Bias, Risks, and Limitations` (or `## Limitations`) section to the README",
    "input_schema": "a README holds no typed input schema: log the model with an MLflow signature",
    "output_schema": "a README holds no typed output schema: log the model with an MLflow signature",
}
# A Markdown card without front matter (`model_card.md` in the paper's sections) is advised in sections.
MARKDOWN_LABEL = "Markdown model card"
MARKDOWN_HINTS = {
    **HINTS,
    "purpose": "add an `## Intended Use` section to the card",
    "training_data": "add a `## Training Data` section to the card",
    "performance_metrics": "add a `## Metrics` (or `## Evaluation results`) section with the measured values "
                           "(`- Accuracy: 0.93`, or a table)",
    "limitations": "add a `## Limitations` (or `## Caveats and Recommendations`) section to the card",
}
# Front matter keys only a model card's metadata has; keys a dataset card has; keys both may have.
MODEL_KEYS = frozenset({"model-index", "base_model", "pipeline_tag", "library_name", "datasets", "metrics",
                        "model_name", "widget", "inference", "co2_eq_emissions", "model_type", "new_version",
                        "base_model_relation", "model_creator", "quantized_by"})
DATASET_KEYS = frozenset({"task_categories", "size_categories", "dataset_info", "configs", "annotations_creators",
                          "source_datasets", "task_ids", "language_creators", "multilinguality", "pretty_name"})
SHARED_KEYS = frozenset({"license", "license_name", "license_link", "language", "tags", "thumbnail"})

_PURPOSE = ("directuse", "intendeduses", "intendeduse", "intendedusesandlimitations", "uses", "intendedpurpose",
            "purpose", "usecases", "modeldescription", "description", "modeldetails", "modelsummary", "summary",
            "overview", "about", "introduction", "aboutthemodel", "modeloverview")
_TRAINING = ("trainingdata", "trainingdataset", "trainingdatasets", "trainingandevaluationdata", "pretrainingdata",
             "trainingcorpus", "dataset", "datasets", "data", "datasetsused", "trainingset")
_LIMITS = ("limitation", "caveat", "outofscope", "risk", "bias", "knownissue", "weakness", "misuse")
_GENERATED = re.compile(r"^\s*this model is a fine-?tuned version of", re.I)
_BOILERPLATE = re.compile(r"(users \(both direct and downstream\) should be made aware of the risks, biases and "
                          r"limitations of the model|more information needed for further recommendations|"
                          r"use the code below to get started with the model|\{\{.*?\}\})", re.I)
_HEADING_LINE = re.compile(r"^ {0,3}(#{1,6}(\s|$)|(=+|-+)\s*$)|^\s*<h[1-6]")
_LINE_LABEL = re.compile(r"^\s*(?:[-*+]\s+)?(?:\*\*[^*]+\*\*|__[^_]+__)?:?\s*")


def claims(path: str, head: bytes) -> bool:
    """A Markdown file: a README (with or without front matter) or any `.md` card."""
    return path.lower().endswith((".md", ".markdown"))


def is_model_card(head: bytes) -> bool:
    """Does a README's front matter carry model-card metadata (discovery: other READMEs are not cards)?"""
    text = head.decode("utf-8", "replace").lstrip("\ufeff")
    split = split_front_matter(text)
    front = split.front if split.front is not None else (text if split.problem is not None else None)
    if front is None:
        return False  # no front matter at all
    found = {m.group(1) for m in re.finditer(r"^([A-Za-z_][\w\-]*)\s*:", front, re.M)}
    if found & MODEL_KEYS:
        return True
    return bool(found & SHARED_KEYS) and not found & DATASET_KEYS


def _said(text: str, options: Options) -> str:
    """What a section says once comments, template fillers and labelled-but-empty lines are gone."""
    kept = []
    for line in text.split("\n"):
        if _HEADING_LINE.match(line):
            continue
        line = _BOILERPLATE.sub("", line)
        rest = markdown.plain(_LINE_LABEL.sub("", line, count=1)).strip(" \t-*:|")
        if re.search(r"[^\W_]", rest) and not options.is_filler(rest):
            kept.append(line.strip())
    return "\n".join(kept).strip()


def _quote(text: str) -> str:
    first = next((ln.strip() for ln in text.split("\n") if ln.strip()), "")
    return repr(first[:60])


def _pick(secs: list[markdown.Section], names: tuple[str, ...], *, contains: bool = False) -> \
        list[markdown.Section]:
    if contains:  # headings before bold lines, then by the name they hold, then in the card's order
        found = [s for s in secs if any(n in s.key for n in names) and s.level != markdown.PSEUDO or (
            s.level == markdown.PSEUDO and any(n in s.key for n in names) and len(s.key) < 40)]
        return sorted(found, key=lambda s: (s.level == markdown.PSEUDO,
                                            next(i for i, n in enumerate(names) if n in s.key)))
    ranked = [(names.index(s.key), k, s) for k, s in enumerate(secs) if s.key in names]
    return [s for _, _, s in sorted(ranked, key=lambda r: (r[0], r[1]))]


def _origin(path: str, s: markdown.Section) -> Origin:
    return Origin(path, s.line, s.column, f"section `{s.heading}`")


def _text_field(b: Builder, name: str, found: list[markdown.Section], options: Options) -> bool:
    """The first of `found` that says something; an empty or template-only one is an issue."""
    for s in found:
        said = _said(s.text, options)
        if said:
            b.fields[name] = Value((said,), _origin(b.loc.doc.path, s))
            return True
    for s in found[:1]:
        what = "is empty" if not s.text.strip() else "holds only template text (" + _quote(s.text) + ")"
        o = _origin(b.loc.doc.path, s)
        b.issues.append(Issue(IssueKind.EMPTY, name, f"{name}: the `{s.heading}` section {what}", o))
    return False


def read(source: Source, options: Options) -> CanonicalCard:
    text = source.text or ""
    split = split_front_matter(text)
    problems = list(source.problems)
    if split.problem is not None:
        problems.append(split.problem)
    doc = parse_yaml(source, split.front, line_offset=split.front_line - 1, marks=True) if split.front is not None \
        else Document(source.path)
    problems.extend(doc.problems)
    meta_data = doc.data if isinstance(doc.data, dict) else {}
    if split.front is not None and not doc.fatal and doc.data is not None and not isinstance(doc.data, dict):
        from mlgov_checks.yamlio.loader import Mark, Problem, ProblemKind

        problems.append(Problem(ProblemKind.SYNTAX, "the front matter must be a mapping of metadata keys",
                                Mark(split.front_line, 1)))
    loc = Located(doc, line_offset=split.front_line - 1 if split.front is not None else 0)
    b = Builder(loc, options)
    if source.text is not None and not any(p.kind.value in ("too-large", "encoding") for p in problems):
        _read_body(b, split.body, split.body_line, meta_data, options)
    meta = _meta(loc, meta_data)
    front = split.front is not None or split.problem is not None
    return b.card(name=NAME, label=LABEL if front else MARKDOWN_LABEL, hints=HINTS if front else MARKDOWN_HINTS,
                  typed_io=False, meta=meta, problems=tuple(problems))


def _read_body(b: Builder, body: str, first_line: int, meta: dict[str, Any], options: Options) -> None:
    preamble, secs = markdown.sections(body, first_line)
    path = b.loc.doc.path
    own = {f: options.fields[f] for f in options.fields}
    for name in ("purpose", "training_data", "limitations"):
        spec = own.get(name)
        if spec is not None:
            want = markdown.clean_title(spec.lstrip("#").strip())
            hits = [s for s in secs if s.key == keys.norm(want)]
            if hits:
                _text_field(b, name, hits, options)
                continue
            if (found := keys.lookup(meta, spec)) is not None:
                b.text_field(name, found[0], found[1])
            continue
        if name == "purpose":
            title = next((s for s in secs if s.level == 1), None)
            if not _text_field(b, name, _pick(secs, _PURPOSE), options):
                intro = _prose(title.own if title is not None else preamble, options)
                if intro and not _GENERATED.match(intro) and title is not None:
                    _found(b, name, Value((intro,), _origin(path, title)))
        elif name == "training_data":
            if not _text_field(b, name, _pick(secs, _TRAINING), options) and "datasets" in meta and not \
                    values.is_blank(meta["datasets"]):
                b.issues[:] = [i for i in b.issues if i.field != name]
                b.text_field(name, ("datasets",), meta["datasets"])
            if name not in b.fields:
                _training_prose(b, secs, options)
        else:
            _text_field(b, name, _pick(secs, _LIMITS, contains=True), options)
        if name not in b.fields:
            _from_labels(b, name, body, first_line, options)
    if "model-index" in meta:
        readme_metrics.model_index(b, meta["model-index"])
    if not b.metrics:
        readme_metrics.body_metrics(b, preamble, secs)



_LABELS = {"purpose": _PURPOSE, "training_data": _TRAINING, "limitations": ("limitations", "knownlimitations",
                                                                          "caveats", "outofscope", "risks")}


_DATA_WORDS = re.compile(r"\b(data(sets?)?|corpus|corpora|trained on|examples|samples|images|records)\b", re.I)


def _training_prose(b: Builder, secs: list[markdown.Section], options: Options) -> None:
    """`## Training procedure` / `## Training` that says what the model was trained on."""
    for s in secs:
        if "train" in s.key and "hyperparam" not in s.key and (said := _said(s.own, options)) and \
                _DATA_WORDS.search(said):
            _found(b, "training_data", Value((said,), _origin(b.loc.doc.path, s)))
            return


def _found(b: Builder, name: str, value: Value) -> None:
    b.issues[:] = [i for i in b.issues if i.field != name]
    b.fields[name] = value


def _from_labels(b: Builder, name: str, body: str, first_line: int, options: Options) -> None:
    """`* dataset: opus`, `- Intended use: ...`: a field given as a labelled list item."""
    for line, column, label, value in markdown.labelled(body, first_line):
        if keys.norm(label) in _LABELS[name] and _said(value, options):
            _found(b, name, Value((value,), Origin(b.loc.doc.path, line, column, f"list item `{label}:`")))
            return


def _prose(text: str, options: Options) -> str:
    """The sentences of a text: no `label: value` items, tables, images or badges."""
    kept = []
    for line in _said(text, options).split("\n"):
        s = line.strip()
        if re.match(r"^[-*+]\s+[^:]{1,40}:", s) or s.startswith(("|", "![", "[![", "<img", "<a ")):
            continue
        kept.append(s)
    prose = "\n".join(kept).strip()
    return prose if len(prose.split()) >= 4 else ""





def _meta(loc: Located, data: dict[str, Any]) -> dict[str, Value]:
    out: dict[str, Value] = {}
    for key in ("license", "license_name", "license_link", "base_model", "base_model_relation", "datasets",
                "pipeline_tag", "library_name", "tags"):
        v = data.get(key)
        if v is not None and not values.is_blank(v):
            out[key] = Value(tuple(t for _, t in values.texts(v)), loc.origin((key,)),
                             v if isinstance(v, (list, dict)) else None)
    return out
