"""`model_card.json`: the native card's six fields as a JSON object, under the native rules.

Mapping: as the native card (`"purpose"`, `"input_schema"`, ...). Parsed by `json` for values and
by the project's YAML loader for marks and limits: duplicate keys, nesting depth and size are
findings, as in YAML cards; JSON has no unquoted text, so the YAML 1.1 checks do not apply.
"""

from __future__ import annotations

from mlgov_checks.cards import native
from mlgov_checks.cards.model import FIELDS, CanonicalCard, Options
from mlgov_checks.cards.source import Located

NAME = "json"
LABEL = "native JSON card"
HINTS = {f: f'add "{f}" to the JSON object' for f in FIELDS}
fits = native.fits


def claims(path: str, head: bytes) -> bool:
    return path.lower().endswith(".json")


def read(loc: Located, options: Options, *, shallow: bool = False) -> CanonicalCard:
    return native.read(loc, options, name=NAME, label=LABEL, hints=HINTS, shallow=shallow)
