"""Policy loosenings derived from the schema: every key declares which way is stricter.

Each key of `schemas/policy.schema.json` carries `x-mlgov-stricter`:

- `higher` / `lower`: a number; a lower (higher) value, or removing it, loosens;
- `true` / `false`: a flag; turning the stricter value off loosens;
- `superset`: a list of requirements; removing an item loosens;
- `subset`: a list of what is accepted; adding an item loosens; with `x-mlgov-empty:
  unrestricted` an empty list accepts everything, so emptying it loosens too;
- `{"order": [loosest, ..., strictest]}`: an enumeration; moving towards the start loosens;
- `same`: a name or location (where evidence is read, which branch is protected); any change may
  loosen, so any change is reported;
- `neutral`: never loosens (`timeout`, `version`);
- `each`: a mapping; each key is compared by its own direction (for a map with free keys, by
  the direction of `additionalProperties`); a key removed compares as the empty value.

Fail closed: a changed key whose schema declares no direction is reported as a possible loosening.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from mlgov_checks.policy.schema import policy_schema

KEYWORD = "x-mlgov-stricter"
EMPTY_KEYWORD = "x-mlgov-empty"
DIRECTIONS = ("higher", "lower", "true", "false", "superset", "subset", "same", "neutral", "each")


def child_schema(node: Mapping[str, Any] | None, key: str) -> Mapping[str, Any] | None:
    """The schema of `key` inside the object schema `node`: a named property, else the map's entries."""
    if node is None:
        return None
    props = node.get("properties") or {}
    if key in props:
        sub: Mapping[str, Any] = props[key]
        return sub
    extra = node.get("additionalProperties")
    return extra if isinstance(extra, Mapping) else None


def loosenings(base: Any, head: Any, schema: Mapping[str, Any] | None = None) -> Iterator[str]:
    """Human-readable ways in which `head` is weaker than `base`, by the schema's directions."""
    root = dict(schema if schema is not None else policy_schema())
    root.setdefault(KEYWORD, "each")
    yield from _compare(root, base, head, ())


def _name(path: tuple[str, ...]) -> str:
    return ".".join(path) or "(the policy)"


def _show(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False) if isinstance(value, (dict, list)) else repr(value)


def _empty_like(value: Any) -> Any:
    return {} if isinstance(value, Mapping) else [] if isinstance(value, list) else None


def _is_empty(value: Any) -> bool:
    if isinstance(value, Mapping):
        return all(_is_empty(v) for v in value.values())
    return value is None or value == [] or value == ""


def _compare(node: Mapping[str, Any] | None, base: Any, head: Any, path: tuple[str, ...]) -> Iterator[str]:
    if base == head:
        return
    where = _name(path)
    direction = node.get(KEYWORD) if node is not None else None
    if direction is None:
        yield (f"{where} changed from {_show(base)} to {_show(head)}, and the schema declares no stricter "
               "direction for it: treated as a possible loosening")
        return
    if node is not None and node.get(EMPTY_KEYWORD) == "unrestricted":
        if _is_empty(base):
            return  # nothing was restricted: anything is at least as strict
        if _is_empty(head):
            yield f"{where} was emptied: it no longer restricts anyone or anything"
            return
    if isinstance(direction, Mapping) and isinstance(direction.get("order"), list):
        yield from _ordered(list(direction["order"]), base, head, where)
    elif direction == "each":
        yield from _each(node, base, head, path)
    elif direction in ("superset", "subset"):
        yield from _sets(str(direction), base, head, where)
    else:
        yield from _scalar(str(direction), base, head, where)


def _each(node: Mapping[str, Any] | None, base: Any, head: Any, path: tuple[str, ...]) -> Iterator[str]:
    if not isinstance(base, Mapping) or not isinstance(head, Mapping):
        base = base if isinstance(base, Mapping) else {}
        head = head if isinstance(head, Mapping) else {}
    for key in [*base, *(k for k in head if k not in base)]:
        sub = child_schema(node, str(key))
        b, h = base.get(key), head.get(key)
        if key in base and key not in head:
            h = _empty_like(b)
            if isinstance(b, Mapping) and b and any(_compare(sub, b, h, (*path, str(key)))):
                yield f"{_name((*path, str(key)))} was removed"  # one line for a whole section
                continue
        elif key in head and key not in base:
            b = _empty_like(h)
        yield from _compare(sub, b, h, (*path, str(key)))


def _items(value: Any) -> dict[str, Any]:
    values = value if isinstance(value, list) else [] if value is None else [value]
    return {json.dumps(v, sort_keys=True, ensure_ascii=False): v for v in values}


def _sets(direction: str, base: Any, head: Any, where: str) -> Iterator[str]:
    b, h = _items(base), _items(head)
    if direction == "superset":
        gone = [_show(item) for key, item in b.items() if key not in h]
        if gone:
            yield f"{where}: removed {', '.join(gone)}"
    else:
        new = [_show(item) for key, item in h.items() if key not in b]
        if new:
            yield f"{where}: added {', '.join(new)}"


def _ordered(order: list[Any], base: Any, head: Any, where: str) -> Iterator[str]:
    if base in order and head in order:
        if order.index(head) < order.index(base):
            yield f"{where} weakened from {base!r} to {head!r}"
    elif base is not None:
        yield f"{where} changed from {_show(base)} to {_show(head)}: treated as a possible loosening"


def _scalar(direction: str, base: Any, head: Any, where: str) -> Iterator[str]:
    if direction == "neutral":
        return
    if base is None:
        return  # a bound, flag or name added where there was none only tightens
    if head is None:
        yield f"{where} was removed (it was {_show(base)})"
    elif direction in ("higher", "lower") and _is_number(base) and _is_number(head):
        if direction == "higher" and head < base:
            yield f"{where} lowered from {base} to {head}"
        elif direction == "lower" and head > base:
            yield f"{where} raised from {base} to {head}"
    elif direction in ("true", "false") and isinstance(base, bool) and isinstance(head, bool):
        strict = direction == "true"
        if base is strict and head is not strict:
            yield f"{where} turned {'off' if strict else 'on'}"
    elif direction == "same":
        yield f"{where} changed from {_show(base)} to {_show(head)}"
    else:
        yield (f"{where} changed from {_show(base)} to {_show(head)}, which its declared direction "
               f"{direction!r} cannot compare: treated as a possible loosening")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
