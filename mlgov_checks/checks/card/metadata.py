"""`card-metadata`: the Hugging Face metadata governance needs (opt-in: `card.governance` in the policy)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mlgov_checks.cards import keys
from mlgov_checks.cards.model import CanonicalCard, Origin, Value
from mlgov_checks.cards.source import render
from mlgov_checks.cards.values import is_blank, texts

Problem = tuple[str, int, int]  # message, line, column


def _meta(card: CanonicalCard, name: str) -> Value | None:
    """A metadata key: the reader's (front matter, Model Card Toolkit), else a key of that name in the card."""
    if name in card.meta:
        return card.meta[name]
    hit = keys.find(card.data, name, names=(keys.norm(name),)) if isinstance(card.data, dict) else None
    if hit is None or is_blank(hit[1]):
        return None
    return Value(tuple(t for _, t in texts(hit[1])), Origin(card.path, 1, 1, render(hit[0])))


def _where(card: CanonicalCard) -> str:
    return "to the front matter" if card.format == "huggingface" else "to the card"


def check_metadata(card: CanonicalCard, conf: Mapping[str, Any]) -> list[Problem]:
    """What the card's metadata lacks for the policy's `card.governance` keys."""
    found: list[Problem] = []
    lic = _meta(card, "license")
    allowed = [str(a).lower() for a in conf.get("allowed_licenses") or []]
    if lic is None and (conf.get("require_license") or allowed):
        found.append((f"the card names no license: add `license:` {_where(card)}", 1, 1))
    elif lic is not None and allowed:
        names = [t.lower() for t in lic.texts]
        if "other" in names and "license_name" in card.meta:
            names = [t.lower() for t in card.meta["license_name"].texts]
        bad = [n for n in names if n not in allowed]
        if bad:
            found.append((f"license {', '.join(bad)!s} is not one the policy allows ({', '.join(allowed)})",
                          lic.origin.line, lic.origin.column))
    if conf.get("require_base_model") and "fine_tuned" in card.meta and _meta(card, "base_model") is None:
        o = card.meta["fine_tuned"].origin
        found.append((f"the card describes a fine-tuned model ({o.where}) but names no `base_model:`; add it "
                      f"{_where(card)}", o.line, o.column))
    if conf.get("require_dataset_revisions"):
        found.extend(_revisions(card))
    return found


def _revisions(card: CanonicalCard) -> list[Problem]:
    data = card.data if isinstance(card.data, dict) else {}
    index = data.get("model-index")
    found: list[Problem] = []
    seen = 0
    for i, entry in enumerate(index if isinstance(index, list) else []):
        results = entry.get("results") if isinstance(entry, dict) else None
        for j, res in enumerate(results if isinstance(results, list) else []):
            ds = res.get("dataset") if isinstance(res, dict) else None
            if not isinstance(ds, dict):
                continue
            seen += 1
            if not str(ds.get("revision") or "").strip():
                name = ds.get("name") or ds.get("type") or "?"
                line = next((m.origin.line for m in card.metrics if m.origin.where.startswith(
                    f"model-index[{i}].results[{j}]")), 1)
                found.append((f"model-index[{i}].results[{j}].dataset ({name}) pins no `revision:`", line, 1))
    if not seen:
        found.append(("no dataset revision is pinned: add `model-index[].results[].dataset.revision` "
                      f"{_where(card)}", 1, 1))
    return found
