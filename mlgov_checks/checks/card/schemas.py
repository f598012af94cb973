"""Recognises the notations teams use for a card's input/output schema and normalises them to columns."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mlgov_checks.checks.card.jsonschema_notation import (
    MAX_REFS,
    describe,
    dotted,
    looks_like_json_schema,
    resolve,
    validate,
)
from mlgov_checks.checks.card.jsonschema_notation import path_key as _key
from mlgov_checks.checks.card.type_names import family

Path = tuple[str | int, ...]

NOTATIONS = ("a JSON Schema (`type: object` with `properties`, or `type: array` with `items`); "
             "MLflow signature specs (a list of `{type, name?}` or `{type: tensor, tensor-spec}`); "
             "a list of columns `{name, type, ...}`; a mapping column -> type or column -> {type, ...}; "
             "a mapping with the columns under `features`, `columns`, `fields`, `inputs` or `outputs`; "
             "one column `{name, type}`")
HINT = "write it in one of the accepted notations: " + NOTATIONS + " (`mlgov explain card-field-type`)"

WRAPPER_KEYS = ("features", "columns", "fields", "inputs", "outputs")
_TYPE_KEYS = ("type", "dtype")


class Kind(str, enum.Enum):
    """How far a schema can be compared with a model signature."""

    COLUMNS = "columns"  # named (or positional) columns with types
    TENSOR = "tensor"  # tensor specs: dtype and shape
    SCHEMA = "jsonschema"  # a JSON Schema without properties: at most one value type


@dataclass(frozen=True, slots=True)
class Column:
    """One documented column (or tensor): its name and type as written, and where."""

    name: str | None
    type: str | None
    path: Path
    tensor: bool = False
    shape: tuple[int, ...] | None = None
    required: bool | None = None


@dataclass(frozen=True, slots=True)
class Issue:
    """A malformed or empty schema, at `path`; `value` is what stands there when text was expected."""

    path: Path
    message: str
    text_expected: bool = False
    value: Any = None


@dataclass(frozen=True, slots=True)
class Schema:
    """An input or output schema as recognised: its notation, kind, columns and issues."""

    notation: str
    kind: Kind
    columns: tuple[Column, ...] = ()
    issues: tuple[Issue, ...] = ()


def _is_type_name(v: Any) -> bool:
    return isinstance(v, str) and family(v) is not None


class _Reader:
    def __init__(self) -> None:
        self.issues: list[Issue] = []
        self.columns: list[Column] = []

    def issue(self, path: Path, message: str, *, value: Any = None, text: bool = False) -> None:
        self.issues.append(Issue(path, message, text, value))

    def type_of(self, spec: Any, path: Path) -> str | None:
        """A column's type as text: a type name, or a list of them (`[string, "null"]`)."""
        if isinstance(spec, str) and spec.strip():
            return spec
        if isinstance(spec, list) and spec and all(isinstance(t, str) and t.strip() for t in spec):
            named = [t for t in spec if t != "null"]
            return named[0] if named else "null"
        if isinstance(spec, str):
            self.issue(path, f"{dotted(path)} is empty; expected a type name")
        else:
            self.issue(path, f"{dotted(path)} must be a type name, got {describe(spec)}", value=spec, text=True)
        return None

    def name_of(self, v: Any, path: Path) -> str | None:
        if isinstance(v, str) and v.strip():
            return v
        if isinstance(v, int) and not isinstance(v, bool):
            return str(v)
        self.issue(path, f"{dotted(path)} must be a column name, got {describe(v)}", value=v, text=True)
        return None

    def tensor(self, spec: Mapping[Any, Any], path: Path, name: str | None) -> None:
        ts = spec.get("tensor-spec")
        tpath = (*path, "tensor-spec")
        if not isinstance(ts, dict):
            self.issue(tpath if "tensor-spec" in spec else path,
                       f"{dotted(path)} is a tensor spec without `tensor-spec: {{dtype, shape}}`")
            return
        if "dtype" not in ts:
            self.issue(tpath, f"{dotted(tpath)} has no `dtype`")
            return
        dtype = self.type_of(ts["dtype"], (*tpath, "dtype"))
        shape = ts.get("shape")
        ok = shape is None or (isinstance(shape, list) and all(
            isinstance(d, int) and not isinstance(d, bool) for d in shape))
        if not ok:
            self.issue((*tpath, "shape"), f"{dotted((*tpath, 'shape'))} must be a list of integers (-1 for any)")
        self.columns.append(Column(name, dtype, path, tensor=True,
                                   shape=tuple(shape) if ok and shape is not None else None))

    def column(self, spec: Mapping[Any, Any], path: Path, name: str | None) -> None:
        """`{type, ...}` / `{dtype, ...}` / a tensor spec, `name` given by the caller or the spec."""
        if "name" in spec and name is None:
            name = self.name_of(spec["name"], (*path, "name"))
        if spec.get("type") == "tensor" or "tensor-spec" in spec:
            self.tensor(spec, path, name)
            return
        key = next((k for k in _TYPE_KEYS if k in spec), None)
        if key is None:
            self.issue(path, f"{dotted(path)} has no `type`")
            return
        typ = self.type_of(spec[key], (*path, key))
        fmt = spec.get("format")
        if typ == "string" and fmt in ("date-time", "date"):
            typ = "datetime"
        req = spec.get("required")
        self.columns.append(Column(name, typ, path, required=req if isinstance(req, bool) else None))

    def column_list(self, value: list[Any], path: Path) -> None:
        for i, entry in enumerate(value):
            epath = (*path, i)
            if not isinstance(entry, dict):
                shown = f"a bare name ({entry!r}); give its type" if isinstance(entry, str) else describe(entry)
                self.issue(epath, f"{dotted(epath)} must be a column with a `type`, got {shown}")
            elif any(k in entry for k in (*_TYPE_KEYS, "name", "tensor-spec")):
                self.column(entry, epath, None)
            elif len(entry) == 1:  # `- age: integer`
                (col, spec), = entry.items()
                self.mapped(col, spec, (*epath, _key(col)))
            else:
                self.issue(epath, f"{dotted(epath)} has no `type`")

    def mapped(self, col: Any, spec: Any, path: Path) -> None:
        """One entry of a mapping column -> type (or -> {type, ...})."""
        name = str(col)
        if isinstance(spec, dict):
            self.column(spec, path, name)
        elif spec is None:
            self.issue(path, f"{dotted(path)} has no type")
        else:
            self.columns.append(Column(name, self.type_of(spec, path), path))

    def json_schema(self, node: Any, path: Path, root: Mapping[Any, Any], refs: int = 0) -> tuple[str, Kind]:
        validate(self.issue, node, path)
        if self.issues or not isinstance(node, dict):
            return "JSON Schema", Kind.SCHEMA
        ref = node.get("$ref")
        if isinstance(ref, str) and refs < MAX_REFS:
            target = resolve(root, ref)
            if target is not None:
                return self.json_schema(target, path, root, refs + 1)
        typ = node.get("type")
        props = node.get("properties")
        items = node.get("items")
        if isinstance(items, dict) and isinstance(items.get("properties"), dict):
            props, node, path = items["properties"], items, (*path, "items")
        if isinstance(props, dict) and props:
            required = node.get("required")
            for col, spec in props.items():
                ppath = (*path, "properties", _key(col))
                t = spec.get("type") if isinstance(spec, dict) else None
                t = (next((x for x in t if x != "null"), None) if isinstance(t, list) else t)
                if t == "string" and isinstance(spec, dict) and spec.get("format") in ("date-time", "date"):
                    t = "datetime"
                req = col in required if isinstance(required, list) else None
                self.columns.append(Column(str(col), t if isinstance(t, str) else None, ppath, required=req))
            return "JSON Schema", Kind.COLUMNS
        scalar = items.get("type") if isinstance(items, dict) else typ
        if isinstance(scalar, str) and scalar not in ("object", "array"):
            self.columns.append(Column(None, scalar, path))
        return "JSON Schema", Kind.SCHEMA


def _is_spec(v: Any) -> bool:
    return _is_type_name(v) or (isinstance(v, dict) and any(k in v for k in _TYPE_KEYS))


def recognise(value: Any, path: Path = ()) -> Schema:
    """The notation of a card's `input_schema` / `output_schema`, its columns, and what is wrong with it.

    `value` is the parsed YAML value, `path` where it stands in the card (for the issues' marks).
    Says-nothing values (empty, a boolean, a number, plain text) are issues too; None is not (a
    missing field is the required-field check's to report).
    """
    r = _Reader()
    notation, kind = "nothing", Kind.COLUMNS
    if isinstance(value, list):
        notation = "a list of columns"
        if not value:
            r.issue(path, f"{dotted(path)} has no columns")
        r.column_list(value, path)
    elif isinstance(value, dict):
        wrapper = next((k for k in WRAPPER_KEYS if isinstance(value.get(k), (list, dict))
                        and not _is_spec(value[k])), None)
        if not value:
            r.issue(path, f"{dotted(path)} has no columns")
        elif wrapper is not None:  # before `{name, type}`: an Avro record has both, and `fields`
            inner = recognise(value[wrapper], (*path, wrapper))
            return Schema(f"columns under `{wrapper}`", inner.kind, inner.columns, inner.issues)
        elif ("name" in value and any(k in value for k in _TYPE_KEYS)) or value.get("type") == "tensor" \
                or "tensor-spec" in value:
            notation = "one column"
            r.column(value, path, None)
        elif looks_like_json_schema(value):
            notation, kind = r.json_schema(value, path, value)
        elif any(k in value for k in _TYPE_KEYS) and not any(
                _is_spec(v) for k, v in value.items() if k not in _TYPE_KEYS):
            notation = "one column"
            r.column(value, path, None)
        else:
            notation = "a mapping of column -> type"
            for col, spec in value.items():
                r.mapped(col, spec, (*path, _key(col)))
    elif value is not None:
        shown = describe(value) if not isinstance(value, str) else "text, which names no columns"
        r.issue(path, f"{dotted(path)} must be a schema, got {shown}")
    if r.columns and all(c.tensor for c in r.columns):
        kind = Kind.TENSOR
    return Schema(notation, kind, tuple(r.columns), tuple(r.issues))
