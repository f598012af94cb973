"""The native card's `performance_metrics`: a mapping of metric names to finite numbers.

`93.4%` and `0.84 ± 0.02` are numbers YAML and JSON can only write as text, so they are read as
written (0.934, 0.84 with its uncertainty) and the report says how a percentage was read; a bare
quoted number such as `"0.9"` is refused, and a text that is not a number is quoted.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any, Protocol

from mlgov_checks.checks._base import Check
from mlgov_checks.checks.card.ids import TYPE, YAML11
from mlgov_checks.checks.card.jsonschema_notation import describe as _kind
from mlgov_checks.checks.card.jsonschema_notation import dotted as _dotted
from mlgov_checks.yamlio import loader as yamldoc
from mlgov_checks.yamlio.loader import Document, Mark, Path

_NUMBER_TAGS = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
_FLOAT12 = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")


class Failing(Protocol):
    doc: Document

    def fail(self, check: Check, message: str, mark: Mark, hint: str | None = None) -> None: ...

    def at(self, path: Path) -> Mark: ...


def percent_note(shown: Sequence[str]) -> str:
    """What the report adds to a passing card-field-type: `accuracy 93.4% = 0.934`, at most three."""
    return f"; percentages read as fractions: {', '.join(shown[:3])}" if shown else ""


def check_metrics(ctx: Failing, value: Any) -> list[str]:
    """Fail every metric that is not a finite number; return the percentages read (for `percent_note`)."""
    path: Path = ("performance_metrics",)
    if not isinstance(value, dict):
        if value is not None:
            ctx.fail(TYPE, f"performance_metrics must be a mapping of metric -> number, got {_kind(value)}",
                     ctx.at(path))
        return []
    if not value:
        ctx.fail(TYPE, "performance_metrics is empty", ctx.at(path))
    read: list[str] = []
    for metric, v in value.items():
        mpath = (*path, yamldoc.path_key(metric))
        if finite_number(v):
            continue
        if (pct := _with_unit(v)) is not None:
            if pct:
                read.append(f"{metric} {pct}")
            continue
        plain = ctx.doc.plain.get(mpath)
        if isinstance(v, str) and plain is not None and plain.tag in _NUMBER_TAGS:
            ctx.fail(TYPE, f"{_dotted(mpath)} must be a finite number, got a number too large to read "
                     f"({len(plain.text)} characters)", ctx.at(mpath))
        elif isinstance(v, str) and _FLOAT12.match(v.strip()) and plain is not None:
            ctx.fail(YAML11, f"{_dotted(mpath)}: `{v}` is read by YAML 1.1 as text, not a number",
                     ctx.at(mpath), hint="write it with a dot and a signed exponent (1.0e-3) or as 0.001")
        elif _is_number(v):
            ctx.fail(TYPE, f"{_dotted(mpath)} must be a finite number, got {_shown_number(v)}", ctx.at(mpath))
        elif isinstance(v, str):
            shown = v.strip()[:60] or "an empty string"
            ctx.fail(TYPE, f"{_dotted(mpath)} must be a number, got text {shown!r}", ctx.at(mpath))
        else:
            ctx.fail(TYPE, f"{_dotted(mpath)} must be a number, got {_kind(v)}", ctx.at(mpath))
    return read


def _with_unit(v: Any) -> str | None:
    """`93.4%` (its reading, `accuracy 93.4% = 0.934`, is returned) or `0.84 ± 0.02` (""): a number
    YAML and JSON can only write as text. None for anything else."""
    from mlgov_checks.cards.values import parse_number

    n = parse_number(v) if isinstance(v, str) else None
    if n is None or not (n.percent or n.uncertainty is not None):
        return None
    return f"{v.strip()} = {n.value:g}" if n.percent else ""


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def finite_number(v: Any) -> bool:
    """A number a float can hold: a 400-digit integer is not (float() would raise OverflowError)."""
    if not _is_number(v):
        return False
    try:
        return math.isfinite(v)
    except OverflowError:
        return False


def _shown_number(v: float) -> str:
    if isinstance(v, int):  # no str(): Python refuses to print integers over 4,300 digits
        return f"a {int(v.bit_length() * 0.30103) + 1}-digit integer, too large for a float"
    return repr(v)
