"""JSON Schema as a card schema notation: how to recognise one, and what makes it malformed (no jsonschema)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from mlgov_checks.checks.card.type_names import JSON_SCHEMA_NAME, JSON_SCHEMA_TYPES, family

Path = tuple[str | int, ...]

_JS_MARKERS = ("$schema", "$ref", "$defs", "definitions")
_JS_COMBINERS = ("oneOf", "anyOf", "allOf")
_JS_KEYWORDS = frozenset({
    "type", "properties", "items", "prefixItems", "required", "enum", "const", "title", "description",
    "default", "examples", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
    "minLength", "maxLength", "pattern", "format", "minItems", "maxItems", "uniqueItems", "contains",
    "additionalProperties", "patternProperties", "minProperties", "maxProperties", "propertyNames",
    "unevaluatedProperties", "not", "if", "then", "else", "dependentRequired", "dependentSchemas",
    "contentEncoding", "contentMediaType", "nullable", "deprecated", "readOnly", "writeOnly", "$id",
    "$comment", *_JS_MARKERS, *_JS_COMBINERS,
})
MAX_REFS = 8


class IssueSink(Protocol):
    def __call__(self, path: Path, message: str, *, value: Any = None, text: bool = False) -> None: ...


def dotted(path: Path) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(root)"


def describe(v: Any) -> str:
    if v is None:
        return "nothing (null)"
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, (int, float)):
        return "a number"
    if isinstance(v, dict):
        return "a mapping"
    if isinstance(v, list):
        return "a list"
    return "text" if isinstance(v, str) else "a date"


def path_key(k: Any) -> str | int:
    return k if isinstance(k, (str, int)) and not isinstance(k, bool) else str(k)


def resolve(root: Mapping[Any, Any], ref: str) -> Any:
    """A local `#/$defs/X` reference inside the same schema; None for anything else."""
    if not ref.startswith("#/"):
        return None
    node: Any = root
    for part in ref[2:].split("/"):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def validate(issue: IssueSink, node: Any, path: Path) -> None:
    """What makes a JSON Schema malformed as a card schema: unknown types, misshapen keywords."""
    stack = [(node, path)]
    while stack:
        n, p = stack.pop()
        if isinstance(n, bool):
            continue
        if not isinstance(n, dict):
            issue(p, f"{dotted(p)} must be a JSON Schema (a mapping), got {describe(n)}")
            continue
        if not n:
            continue
        t = n.get("type")
        for one in (t if isinstance(t, list) else [t] if "type" in n else []):
            if one not in JSON_SCHEMA_TYPES:
                fam = family(one)
                tip = f"; for `{one}` write `{JSON_SCHEMA_NAME[fam]}`" if fam else ""
                issue((*p, "type"), f"{dotted((*p, 'type'))}: `{one}` is not a JSON Schema type "
                        f"({', '.join(JSON_SCHEMA_TYPES)}){tip}", value=one, text=not isinstance(one, str))
        for key in ("properties", "patternProperties", "$defs", "definitions"):
            sub = n.get(key)
            if key in n and not isinstance(sub, dict):
                issue((*p, key), f"{dotted((*p, key))} must be a mapping of name -> schema")
            elif isinstance(sub, dict):
                stack.extend((s, (*p, key, path_key(k))) for k, s in sub.items())
        for key in ("items", "additionalProperties", "not", "if", "then", "else", "contains"):
            if key in n:
                sub = n[key]
                if isinstance(sub, list) and key == "items":
                    stack.extend((s, (*p, key, i)) for i, s in enumerate(sub))
                else:
                    stack.append((sub, (*p, key)))
        for key in (*_JS_COMBINERS, "prefixItems"):
            sub = n.get(key)
            if key in n and not (isinstance(sub, list) and sub):
                issue((*p, key), f"{dotted((*p, key))} must be a non-empty list of schemas")
            elif isinstance(sub, list):
                stack.extend((s, (*p, key, i)) for i, s in enumerate(sub))
        req = n.get("required")
        if "required" in n and not isinstance(req, bool) and not (
                isinstance(req, list) and all(isinstance(x, str) for x in req)):
            issue((*p, "required"), f"{dotted((*p, 'required'))} must be a list of property names")
        if "enum" in n and not (isinstance(n["enum"], list) and n["enum"]):
            issue((*p, "enum"), f"{dotted((*p, 'enum'))} must be a non-empty list")
        if "$ref" in n and not isinstance(n["$ref"], str):
            issue((*p, "$ref"), f"{dotted((*p, '$ref'))} must be a reference (text)")


def looks_like_json_schema(m: Mapping[Any, Any]) -> bool:
    if "name" in m or "dtype" in m:
        return False
    if any(k in m for k in _JS_MARKERS):
        return True
    only_keywords = all(isinstance(k, str) and k in _JS_KEYWORDS for k in m)
    t = m.get("type")
    props = m.get("properties")
    if isinstance(props, dict) and not isinstance(props.get("type"), str) and (
            t in (None, "object") or only_keywords):
        return True
    if any(isinstance(m.get(k), list) for k in _JS_COMBINERS) and only_keywords:
        return True
    if "items" in m and (t == "array" or only_keywords) and isinstance(m["items"], (dict, list, bool)):
        return True
    types = t if isinstance(t, list) else [t]
    return only_keywords and bool(types) and all(x in JSON_SCHEMA_TYPES for x in types)
