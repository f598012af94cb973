"""`card-signature-match`: the card's documented columns agree with the logged model's MLflow signature."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from mlgov_checks.checks.card import schemas as card_schemas
from mlgov_checks.checks.card.ids import SIGNATURE
from mlgov_checks.checks.card.schemas import Column, Kind, Schema
from mlgov_checks.checks.card.type_names import agree, family
from mlgov_checks.findings import Finding
from mlgov_checks.yamlio.loader import Document

SIDES = (("input_schema", "inputs", "input"), ("output_schema", "outputs", "output"))


def model_specs(signature: Mapping[str, Any], key: str) -> Schema | None:
    """The model's `inputs` or `outputs` as columns; None when the signature leaves them out.

    MLmodel files store each as a JSON string; an already parsed list is accepted as well.
    Raises ValueError when the value is neither.
    """
    raw = signature.get(key)
    if raw is None:
        return None
    specs = json.loads(raw) if isinstance(raw, str) else raw
    if not isinstance(specs, list):
        raise ValueError(f"signature {key} is not a list of specs")
    parsed = card_schemas.recognise(specs, ())
    if parsed.issues:
        raise ValueError(f"signature {key}: {parsed.issues[0].message}")
    return parsed


def _name_list(cols: list[Column]) -> str:
    return ", ".join(c.name or "(unnamed)" for c in cols) or "nothing"


def _type_problem(card_col: Column, model_col: Column) -> str | None:
    if not agree(family(card_col.type), family(model_col.type)):
        label = f"{card_col.name!r}" if card_col.name else "the value"
        return f"type of {label}: the card says {card_col.type}, the model's signature says {model_col.type}"
    if card_col.shape and model_col.shape and (len(card_col.shape) != len(model_col.shape) or any(
            a != b and -1 not in (a, b) for a, b in zip(card_col.shape, model_col.shape, strict=True))):
        return f"shape: the card says {list(card_col.shape)}, the model's signature says {list(model_col.shape)}"
    return None


def compare(card: Schema, model: Schema, side: str) -> Iterator[tuple[Column | None, str, bool]]:
    """(card column or None, message, is_failure) for each disagreement on one side (input or output)."""
    mine, theirs = list(card.columns), list(model.columns)
    if card.kind is Kind.TENSOR and model.kind is Kind.COLUMNS and any(c.name for c in theirs):
        yield None, (f"the card documents a tensor {side} but the model takes columns: "
                     f"{_name_list(theirs)}"), True
        return
    named = [c for c in mine if c.name] and [c for c in theirs if c.name]
    if not named:  # unnamed on one side: compare in order, as far as both say anything
        if (card.kind is not Kind.SCHEMA and len(mine) == len(theirs)) or len(mine) == len(theirs) == 1:
            for c, m in zip(mine, theirs, strict=True):
                if (problem := _type_problem(c, m)) is not None:
                    yield c, f"{side} {problem}", True
        elif mine and card.kind is not Kind.SCHEMA:
            yield None, (f"the card documents {len(mine)} {side}(s) but the model's signature has "
                         f"{len(theirs)}"), True
        return
    by_name = {m.name: m for m in theirs if m.name}
    documented = {c.name for c in mine if c.name}
    for c in mine:
        if c.name is None:
            continue
        found = by_name.get(c.name)
        if found is None:
            yield c, (f"the card documents {side} column {c.name!r}, which the model does not have "
                      f"(the model's {side}s: {_name_list(theirs)})"), True
        elif (problem := _type_problem(c, found)) is not None:
            yield c, f"{side} {problem}", True
    if card.kind is Kind.SCHEMA:
        return
    for m in theirs:
        if m.name and m.name not in documented:
            optional = m.required is False
            yield None, (f"the model takes {'optional ' if optional else ''}{side} column {m.name!r}, which the "
                         f"card does not document (the card's {side}s: {_name_list(mine)})"), not optional


def check_signature(doc: Document, signature: Mapping[str, Any] | None, *, target: str) -> Iterator[Finding]:
    """Compare a parsed card with the `signature:` mapping of the logged model's `MLmodel` file.

    `doc` is the card as `cards.parse_bytes` returns it; `signature` is the `signature` value of
    the MLmodel YAML (`{inputs: '<JSON list of specs>', outputs: '...', params: ...}`), or None
    when the model was logged without one. Yields FAIL findings at the card's columns, a WARN
    when there is no signature (never a silent pass), an ERROR when the signature cannot be read,
    and one PASS when everything that could be compared agrees.
    """
    where = {"file": doc.path}
    if not signature:
        yield SIGNATURE.warned(target, "the logged model has no MLflow signature: the card's columns cannot "
                               "be checked against it", hint="log the model with a signature "
                               "(mlflow.models.infer_signature)", **where)
        return
    data = doc.data if isinstance(doc.data, dict) else {}
    failed = False
    compared = 0
    for field, key, side in SIDES:
        try:
            model = model_specs(signature, key)
        except (ValueError, TypeError) as e:
            yield SIGNATURE.errored(target, f"the model's signature cannot be read: {e}", **where)
            return
        card = card_schemas.recognise(data.get(field), (field,))
        if model is None or card.issues or field not in data:
            continue  # card-field-type / card-required-field report a card schema that cannot be read
        compared += 1
        for col, message, is_failure in compare(card, model, side):
            path = col.path if col is not None else (field,)
            mark = doc.mark_of(path)
            loc = {**where, "line": mark.line, "column": mark.column}
            if is_failure:
                failed = True
                yield SIGNATURE.failed(target, message, **loc)
            else:
                yield SIGNATURE.warned(target, message, **loc)
    if not compared:
        yield SIGNATURE.warned(target, "nothing in the card could be compared with the model's signature",
                               **where)
    elif not failed:
        yield SIGNATURE.passed(target, f"the card agrees with the model's signature ({compared} of 2 sides "
                               "compared)", **where)

