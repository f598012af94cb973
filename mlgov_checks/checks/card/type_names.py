"""One mapping of column type names (MLflow, JSON Schema, numpy/pandas, SQL spellings) to families."""

from __future__ import annotations

import re

# family -> spellings. "number" is JSON Schema's: it admits both integers and floats.
_FAMILIES: dict[str, tuple[str, ...]] = {
    "integer": ("integer", "int", "long", "short", "bigint", "smallint", "tinyint", "int8", "int16",
                "int32", "int64", "uint8", "uint16", "uint32", "uint64", "integral"),
    "float": ("float", "double", "real", "float16", "float32", "float64", "half", "single",
              "double precision"),
    "number": ("number", "numeric", "decimal"),
    "string": ("string", "str", "text", "varchar", "char", "utf8", "unicode", "category",
               "categorical"),
    "boolean": ("boolean", "bool"),
    "datetime": ("datetime", "timestamp", "date", "datetime64", "time", "timestamptz", "date-time"),
    "binary": ("binary", "bytes", "blob", "bytearray", "varbinary"),
    "array": ("array", "list", "sequence"),
    "object": ("object", "map", "dict", "struct", "record"),
}
_CANONICAL = {name: fam for fam, names in _FAMILIES.items() for name in names}
_NOISE = re.compile(r"^(?:np|numpy|pd|pandas|pa|pyarrow|torch|tf)\.|\[.*\]$|\(.*\)$")
_NUMERIC = frozenset({"integer", "float", "number"})

JSON_SCHEMA_TYPES = ("object", "array", "string", "number", "integer", "boolean", "null")
# the JSON Schema name for each family, for hints ("for `double` write `number`")
JSON_SCHEMA_NAME = {"integer": "integer", "float": "number", "number": "number", "string": "string",
                    "boolean": "boolean", "datetime": "string", "binary": "string", "array": "array",
                    "object": "object"}


def family(name: object) -> str | None:
    """The family of a type name (`int64` -> integer, `double` -> float), None when unknown."""
    if not isinstance(name, str):
        return None
    key = name.strip().lower()
    for _ in range(2):  # `np.float64`, `datetime64[ns]`, `decimal(10,2)`, `Int64`
        key = _NOISE.sub("", key).strip()
    return _CANONICAL.get(key)


def agree(a: str | None, b: str | None) -> bool:
    """True unless both families are known and disagree (`number` agrees with integer and float)."""
    if a is None or b is None or a == b:
        return True
    return a in _NUMERIC and b in _NUMERIC and "number" in (a, b)
