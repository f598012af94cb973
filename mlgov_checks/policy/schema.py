"""The policy's JSON Schema: read once, checked on every load, explained by file:line when it fails.

Every load validates: nothing is remembered between runs, so no file on disk can vouch for a policy.
The check that runs on every load (the commit hook's included) reads the few keywords the policy
schema uses, in a millisecond; importing jsonschema alone costs about 50 ms, and fastjsonschema
spends 12 ms compiling the schema. When the check rejects a policy, jsonschema validates in full and
finds the problem to report first, with its place in the file. tests/test_policy_schema.py holds
the check to jsonschema's answers.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from mlgov_checks.errors import PolicyError
from mlgov_checks.yamlio import loader as yamldoc

# The keywords `conforms` reads, each as JSON Schema 2020-12 defines it, and those that only
# annotate. A schema node with any other keyword (bar our `x-mlgov-*` notes) is left to jsonschema.
ANNOTATIONS = frozenset({"$schema", "$id", "title", "description"})
KEYWORDS = frozenset({"type", "properties", "additionalProperties", "required", "enum", "minimum", "maximum",
                      "exclusiveMinimum", "minItems", "minLength", "minProperties", "pattern", "items",
                      "uniqueItems", "anyOf"})


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


_TYPES: dict[str, Callable[[Any], bool]] = {
    "object": lambda v: isinstance(v, dict), "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str), "boolean": lambda v: isinstance(v, bool), "null": lambda v: v is None,
    "number": _is_number, "integer": lambda v: _is_number(v) and float(v).is_integer(),
}


class _Unread(Exception):
    """The schema uses a keyword `conforms` does not read."""


@functools.lru_cache(maxsize=1)
def policy_schema() -> dict[str, Any]:
    """The shipped policy schema, read as plain JSON."""
    from importlib import resources

    text = resources.files("mlgov_checks").joinpath("schemas/policy.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _equal(a: Any, b: Any) -> bool:
    """JSON equality (enum, uniqueItems): 1 equals 1.0, true is not 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if _is_number(a) and _is_number(b):
        return bool(a == b)
    return type(a) is type(b) and bool(a == b)


def _valid(v: Any, s: Any) -> bool:
    """Whether instance `v` matches schema node `s` (each keyword applies to its own kind of value)."""
    if isinstance(s, bool):
        return s
    if any(k not in KEYWORDS and k not in ANNOTATIONS and not k.startswith("x-mlgov-") for k in s):
        raise _Unread
    t = s.get("type")
    if t is not None and not any(_TYPES[x](v) for x in (t if isinstance(t, list) else [t])):
        return False
    if "enum" in s and not any(_equal(v, e) for e in s["enum"]):
        return False
    if "anyOf" in s and not any(_valid(v, sub) for sub in s["anyOf"]):
        return False
    if _is_number(v):
        return (("minimum" not in s or v >= s["minimum"]) and ("maximum" not in s or v <= s["maximum"])
                and ("exclusiveMinimum" not in s or v > s["exclusiveMinimum"]))
    if isinstance(v, str):
        return len(v) >= s.get("minLength", 0) and ("pattern" not in s or re.search(s["pattern"], v) is not None)
    if isinstance(v, list):
        unique = not s.get("uniqueItems") or not any(_equal(a, b) for i, a in enumerate(v) for b in v[i + 1:])
        return len(v) >= s.get("minItems", 0) and unique and all(_valid(x, s.get("items", True)) for x in v)
    if isinstance(v, dict):
        props = s.get("properties", {})
        return (len(v) >= s.get("minProperties", 0) and all(k in v for k in s.get("required", ()))
                and all(_valid(x, props[k] if k in props else s.get("additionalProperties", True))
                        for k, x in v.items()))
    return True


def verdict(raw: Mapping[str, Any]) -> bool | None:
    """Whether the policy matches the schema; None when the schema uses a keyword this check does not
    read (jsonschema alone decides then)."""
    try:
        return _valid(dict(raw), policy_schema())
    except _Unread:
        return None


def check_schema(raw: Mapping[str, Any], *, source: str | None, doc: yamldoc.Document | None) -> None:
    """Raise PolicyError naming file:line and the key when the policy does not match the schema."""
    fast = verdict(raw)
    if fast:
        return
    problem = explain(raw, source=source, doc=doc)
    if problem is not None:
        raise problem
    if fast is False:  # the two validators disagree: the stricter answer stands
        raise PolicyError("the policy does not match the policy schema", file=source,
                          hint="this is a bug in mlgov-checks: please report it with the policy file")


def explain(raw: Mapping[str, Any], *, source: str | None, doc: yamldoc.Document | None) -> PolicyError | None:
    """jsonschema's first problem (the shallowest) as a PolicyError at its key; None when it finds none."""
    import jsonschema  # deferred: ~50 ms of imports, paid only for a policy that is wrong

    validator = jsonschema.Draft202012Validator(policy_schema())
    errors = sorted(validator.iter_errors(dict(raw)), key=lambda e: (len(e.absolute_path), str(e.path)))
    if not errors:
        return None
    e = errors[0]
    path = tuple(e.absolute_path)
    hint = None
    if e.validator == "additionalProperties":
        extra = sorted(set(e.instance) - set(e.schema.get("properties", {})), key=str)
        path = (*path, extra[0]) if extra else path
        msg = f"unknown key {'.'.join(str(p) for p in path)!r}"
        hint = "allowed here: " + ", ".join(sorted(e.schema.get("properties", {}))) or None
    else:
        msg = f"{'.'.join(str(p) for p in path) or '(top level)'}: {e.message}"
    line = column = None
    if doc is not None:
        m = doc.key_mark_of(path)
        line, column = m.line, m.column
    more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
    return PolicyError(msg + more, file=source, line=line, column=column, hint=hint)
