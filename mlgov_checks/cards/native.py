"""The native `model_card.yaml`: the six canonical fields under their own names (the default, strictest).

Mapping: each canonical field is the key of the same name (`purpose`, `input_schema`,
`output_schema`, `training_data`, `performance_metrics`, `limitations`). Every rule of `mlgov card`
applies unchanged: YAML 1.1 traps, typed input/output schemas, metrics as a mapping of names to
numbers (`93.4%` and `0.84 ± 0.02` are read as written; a bare quoted number such as
`"0.9"` is refused), no placeholders.
"""

from __future__ import annotations

from typing import Any

from mlgov_checks.cards.model import FIELDS, CanonicalCard, Options, Value
from mlgov_checks.cards.source import Located

NAME = "native"
LABEL = "native YAML card"
HINTS = {f: f"add `{f}:` to the card" for f in FIELDS}


def claims(path: str, head: bytes) -> bool:
    return path.lower().endswith((".yaml", ".yml"))


def fits(data: Any) -> bool:
    """The native shape: typed input/output schemas under their own names."""
    return isinstance(data, dict) and ("input_schema" in data or "output_schema" in data)


def named(data: Any) -> bool:
    """Does the mapping use the native names (an incomplete native card stays under the native rules)?"""
    return isinstance(data, dict) and any(f in data for f in FIELDS)


def read(loc: Located, options: Options, *, name: str = NAME, label: str = LABEL,
         hints: dict[str, str] | None = None, shallow: bool = False) -> CanonicalCard:
    """The canonical card of a native document (what `--show-canonical` prints, what metrics compare).

    `shallow`: only the format, its wording and the loader's problems; the native rules check the
    document itself, so the hook does not pay for reading every field twice.
    """
    if shallow:
        return CanonicalCard(format=name, label=label, path=loc.doc.path, hints=hints or HINTS, typed_io=True,
                             problems=tuple(loc.doc.problems))
    from mlgov_checks.cards import values
    from mlgov_checks.cards.keyed import Builder

    data = loc.data if isinstance(loc.data, dict) else {}
    b = Builder(loc, options)
    for field in FIELDS:
        if field not in data:
            continue
        value = data[field]
        if field == "performance_metrics":
            if isinstance(value, dict):
                b.metrics_from((field,), value)
        elif field in ("input_schema", "output_schema"):
            if not values.is_blank(value):
                b.fields[field] = Value(tuple(t for _, t in values.texts(value)), loc.origin((field,)), value)
        else:
            b.text_field(field, (field,), value)
    return b.card(name=name, label=label, hints=hints or HINTS, typed_io=True, problems=tuple(loc.doc.problems))
