"""The card family's checks: ids, titles and the explanations `mlgov explain` prints."""

from __future__ import annotations

from mlgov_checks.checks._base import Check
from mlgov_checks.yamlio.loader import ProblemKind

SYNTAX = Check("card-syntax", "Card is valid YAML", """
    The card must parse as a single YAML document. The finding points at the line and column
    where the parser gave up; the usual causes are a tab used for indentation, an unclosed
    bracket or quote, or a `key: value` line that is missing its space after the colon.
    """, "fix the YAML at the marked position")
ENCODING = Check("card-encoding", "Card is UTF-8 text", """
    The card must be UTF-8 text (a BOM is accepted) without control characters. Binary files,
    Latin-1 files and files with NUL bytes are refused at the first offending byte.
    """, "re-save the file as UTF-8")
SIZE = Check("card-size", "Card is within the size limit", """
    A model card is documentation, not data: files over `card.max_bytes` (default 1 MiB) are refused
    before they are read, so a hook never stalls on a stray dump.
    """, "move large material (datasets, reports) to artifacts and link them from the card")
STRUCTURE = Check("card-structure", "Card is not pathologically nested", """
    Refuses nesting deeper than `card.max_depth` (default 64), documents that expand to more than
    `card.max_nodes` nodes through aliases (the "billion laughs" alias bomb), and mapping keys that
    are themselves mappings or lists. These are findings, never a hang or a crash.
    """, "flatten the card; do not use YAML anchors to repeat large blocks")
DUPLICATE = Check("card-duplicate-key", "No duplicate keys", """
    A key that appears twice in the same mapping is refused. YAML parsers silently keep only the
    last value, so the first one would be ignored without anyone noticing.
    """, "remove or rename one of the duplicate keys")
TAG = Check("card-tag", "No YAML tags", """
    Explicit YAML tags (`!!python/object`, `!!binary`, `!custom`, even `!!str`) are refused: a card
    is plain data, and tags are how unsafe loaders are tricked into running code.
    """, "remove the tag; quote the value if you need it to be text")
ROOT = Check("card-root", "Card is a mapping", """
    The top level of a card must be a mapping of field names to values. An empty file, a list or a
    bare scalar at the top is refused.
    """, "start from `mlgov init`'s template")
REQUIRED = Check("card-required-field", "Required fields are present", """
    Every card must have: purpose, input_schema, output_schema, training_data, performance_metrics
    and limitations, plus any field the policy adds in `card.required_fields`. A field that is
    present but empty (`purpose:` with nothing after it) counts as missing.
    """, "add the field; `mlgov init` writes a complete template")
TYPE = Check("card-field-type", "Fields have the right type", """
    purpose: non-empty text. training_data: text or a mapping. performance_metrics: a mapping of
    metric name to a finite number (not inf or nan, not a quoted number, not an integer too large
    for a float). limitations: non-empty text or a list of texts.

    input_schema / output_schema: any of these notations.
      - a JSON Schema: `{type: object, properties: {age: {type: integer}}}`, `type: array` with
        `items`, `$ref` to `$defs`, `oneOf` / `anyOf`, with `required`, `enum`, `minimum`, ...
      - MLflow signature specs as `ModelSignature.to_dict()` gives them, parsed:
        `[{type: long, name: age, required: true}, {type: double}]` (the name may be left out), or
        tensor specs `[{type: tensor, tensor-spec: {dtype: float32, shape: [-1, 28, 28]}}]`
      - a list of columns `[{name: age, type: integer, nullable: false, unit: years}]` (extra keys
        are fine), or of one-key mappings `[{age: integer}]`
      - a mapping of column -> type `{age: integer}` or column -> `{type: integer, ...}`
      - a mapping with the columns under `features`, `columns`, `fields`, `inputs` or `outputs`,
        beside descriptive keys: `{format: tabular, features: [{name: age, type: integer}]}`
      - one column `{name: fraud_score, type: double, range: [0, 1]}`
    Refused, at the line and column: a schema that says nothing (an empty list or mapping, a
    boolean, a number, free text or a placeholder), a column without a type, and a JSON Schema
    that is malformed (a `type` that is not one of object, array, string, number, integer,
    boolean, null; `properties` that is not a mapping; an empty `oneOf`). The shipped JSON Schema
    `model_card.schema.json` says the same.
    """)
PLACEHOLDER = Check("card-placeholder", "No placeholder values", """
    Values such as TODO, TBD, N/A, "...", FIXME or an empty string are refused anywhere in the card
    (compared case-insensitively after trimming). The list is `card.placeholders` in the policy.
    """, "write the real content, or remove the field if the policy does not require it")
YAML11 = Check("card-yaml11", "No YAML 1.1 surprises", """
    Where text is expected, unquoted values that YAML 1.1 turns into something else are refused:
    `no`, `off`, `on`, `yes` become booleans, `1.10` becomes the number 1.1, `12:30` becomes 750,
    `2024-01-01` becomes a date. Keys like `on:` or `no:` are refused everywhere. Where a number is
    expected, `1e-3` is refused because YAML 1.1 reads it as text.
    """, "quote the value: 'no', '1.10'; write numbers as 0.001 or 1.0e-3")
EXTRA = Check("card-extra-schema", "Card satisfies the team's schema", """
    When the policy names `card.extra_schema` (a JSON Schema file, JSON or YAML, relative to the
    policy file), every card must also satisfy it. Each violation is reported at its own line.
    """)
METADATA = Check("card-metadata", "Card carries the metadata governance needs", """
    Opt-in (`card.governance` in the policy): `require_license` (a `license:`; with
    `allowed_licenses`, one of those; `license: other` is judged by its `license_name`),
    `require_base_model` (a card that describes a fine-tuned model, such as the Hub Trainer's
    "This model is a fine-tuned version of ..." or a `base_model_relation`, names its `base_model`)
    and `require_dataset_revisions` (every `model-index[].results[].dataset` pins a `revision`).
    """, "add the key to the card's metadata (the README's front matter)")
FORMAT = Check("card-format", "Card is read in its own format", """
    A card is read in the format it is written in: the native `model_card.yaml`, `model_card.json`,
    a card nested under one root key, a Hugging Face `README.md`, Model Card Toolkit JSON, or
    Mitchell-style sections (and team-made cards with their own key names). The format is detected
    from the file name and its content, or pinned with `card.format` in the policy; every finding
    says which format the card was read as. `mlgov card --show-canonical FILE` prints what was read,
    field by field, with where each came from. Formats that cannot hold typed input/output schemas
    (README, Model Card Toolkit, Mitchell-style) are not refused for lacking them: with
    `card.typed_io: signature` (the default) `mlgov check` then requires the logged model's MLflow
    signature (card-signature-match); `card.typed_io: card` demands them in every card.
    Each format's mapping of its fields to the canonical ones follows.
    """)
READABLE = Check("card-readable", "Card file can be read", """
    The card file named on the command line must exist and be readable. A missing file means the
    card could not be evaluated (exit 3).
    """, "check the path")

CARD_VALID = Check("card-artifact-valid", "Logged model card is valid", """
    The model card artifact (`evidence.card_artifact`) of a model version's run exists and passes
    every `mlgov card` check. The card is downloaded from the run and validated with exactly the
    checks of `mlgov card`; those findings point at the artifact
    (`models:/NAME/VERSION/documentation/model_card.yaml`). Run by `mlgov check` with the evidence.
    """)
CARD_METRICS = Check("card-metrics-match", "Card metrics match the run", """
    Every metric the logged card claims in `performance_metrics` matches the run's logged value,
    within `metrics.card_tolerance` (absolute, default 0.005). A card that claims a metric the run
    did not log fails too: a card must not oversell the model it documents.
    """, "update the card from the run's logged metrics")
SIGNATURE = Check("card-signature-match", "Card agrees with the model's signature", """
    In `mlgov check`: the columns the card documents in input_schema / output_schema agree with
    the MLflow signature of the logged model (the `MLmodel` file of the version's source). A
    column the card documents that the model does not have fails, and so does an input the
    model takes that the card leaves out (an optional one is a warning); both are named. Types are
    compared by family, through one mapping of names: MLflow long/integer/double/float/string/
    boolean/datetime/binary, JSON Schema integer/number/string/boolean (number admits integers),
    and spellings such as int, int64, float64, bool, str, text, timestamp. A type name outside
    the mapping is not compared. Cards without columns (tensor specs, a JSON Schema without
    properties) are compared as far as they go: dtype and shape, or the one value type. A model
    logged without a signature is a warning, never a silent pass.
    """, "make the card's schema match the signature, or log the model with the signature the card describes")

# What the loader refuses, by the check that reports it.
PROBLEM_CHECK = {
    ProblemKind.SYNTAX: SYNTAX, ProblemKind.MULTI_DOCUMENT: SYNTAX, ProblemKind.ENCODING: ENCODING,
    ProblemKind.TOO_LARGE: SIZE, ProblemKind.TOO_DEEP: STRUCTURE, ProblemKind.ALIAS_BOMB: STRUCTURE,
    ProblemKind.COMPLEX_KEY: STRUCTURE, ProblemKind.DUPLICATE_KEY: DUPLICATE, ProblemKind.TAG: TAG,
}

CHECKS = (SYNTAX, ENCODING, SIZE, STRUCTURE, DUPLICATE, TAG, ROOT, REQUIRED, TYPE, PLACEHOLDER, YAML11,
          EXTRA, METADATA, FORMAT, READABLE, CARD_VALID, CARD_METRICS, SIGNATURE)


def schema_text() -> str:
    """The shipped JSON Schema for cards (documentation, and for other validators)."""
    import json
    from importlib import resources

    text = resources.files("mlgov_checks").joinpath("schemas/model_card.schema.json").read_text("utf-8")
    json.loads(text)
    return text
