"""A card nested under one root key (`model_card:`, `{"modelCard": {...}}`): the inside is read as its own format.

Mapping: the root key is stripped and the mapping under it is read as a native, Model Card Toolkit
or Mitchell-style card; paths and findings keep the root key (`model_card.intended_use`).
"""

from __future__ import annotations

from typing import Any

NAME = "nested"
LABEL = "card nested under one root key"


def claims(path: str, head: bytes) -> bool:
    return path.lower().endswith((".yaml", ".yml", ".json"))


def fits(data: Any) -> bool:
    if not isinstance(data, dict) or len(data) != 1:
        return False
    (key, inner), = data.items()
    return isinstance(key, str) and isinstance(inner, dict) and bool(inner)


def root_key(data: Any) -> str:
    (key, _), = data.items()
    return str(key)
