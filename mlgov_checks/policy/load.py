"""Find, load and validate the policy (.mlgov.yaml or [tool.mlgov]) over its defaults."""

from __future__ import annotations

import copy
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mlgov_checks.errors import PolicyError
from mlgov_checks.policy.defaults import CARD_FIELDS, DEFAULTS, POLICY_NAMES
from mlgov_checks.yamlio import loader as yamldoc

if TYPE_CHECKING:  # the card hook without a policy file imports neither
    from mlgov_checks.policy.files import RefOrigin

__all__ = ["CARD_FIELDS", "DEFAULTS", "POLICY_NAMES", "Policy", "default_policy", "find_policy", "load_policy",
           "policy_from_bytes", "policy_from_mapping"]

# Sections whose mappings replace the default instead of merging into it: a team that lists its
# own thresholds means exactly those (plus nothing silently kept from ours).
_REPLACE = {("metrics", "thresholds"), ("roles", "permissions"), ("roles", "members")}


@dataclass(frozen=True)
class Policy:
    """The effective policy: defaults merged with what the file says."""

    data: Mapping[str, Any]
    source: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)
    document: yamldoc.Document | None = None
    # Where this policy's file is (or was) in the working tree, for a policy read at a git ref
    # (`source` is then `REF:path`): reporters point there, relative paths resolve from there.
    worktree_path: str | None = None
    origin: RefOrigin | None = None  # the commit a policy read at a git ref came from: its named files too

    @property
    def display_path(self) -> str | None:
        """The working-tree path a report should point at: the file itself, or where REF has it."""
        return self.worktree_path or self.source

    @property
    def base_dir(self) -> str:
        where = self.worktree_path or self.source
        return os.path.dirname(os.path.abspath(where)) if where else os.getcwd()

    @property
    def sha256(self) -> str:
        """Hash of the effective policy, recorded with every decision."""
        import hashlib
        import json

        blob = json.dumps(self.data, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()

    def section(self, name: str) -> Any:
        return self.data[name]

    def mark(self, *path: str | int) -> tuple[str | None, int | None, int | None]:
        """file, line, column of a key in the policy file, when known."""
        if self.document is None:
            return self.source, None, None
        m = self.document.key_mark_of(path)
        return self.source, m.line, m.column


def _merge(base: Any, over: Any, path: tuple[str, ...] = ()) -> Any:
    if isinstance(base, dict) and isinstance(over, dict) and path not in _REPLACE:
        out = dict(base)
        for k, v in over.items():
            out[k] = _merge(base.get(k), v, (*path, k)) if k in base else copy.deepcopy(v)
        return out
    return copy.deepcopy(over)


def default_policy() -> Policy:
    return Policy(data=copy.deepcopy(DEFAULTS))


def find_policy(start: str | None = None) -> str | None:
    """Nearest .mlgov.yaml (or pyproject.toml with [tool.mlgov]) from `start` up to the repo root."""
    d = os.path.abspath(start or os.getcwd())
    while True:
        for name in POLICY_NAMES:
            p = os.path.join(d, name)
            if os.path.isfile(p):
                return p
        pp = os.path.join(d, "pyproject.toml")
        if os.path.isfile(pp) and _pyproject_has_tool(pp):
            return pp
        if os.path.exists(os.path.join(d, ".git")):
            return None
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


def _pyproject_has_tool(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as e:
        raise PolicyError(f"cannot read {path}: {e.strerror}", file=path) from e
    return pyproject_table(data, shown=path) is not None


def pyproject_table(data: bytes, *, shown: str) -> dict[str, Any] | None:
    """The `[tool.mlgov]` table of a pyproject.toml's bytes, found by a TOML parser whatever the
    spelling (`[tool."mlgov"]`, an inline `tool = {mlgov = ...}`, dotted keys); None without one."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    try:
        tool = tomllib.loads(data.decode("utf-8")).get("tool", {})
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise PolicyError(f"malformed TOML: {e}", file=shown) from e
    table = tool.get("mlgov") if isinstance(tool, dict) else None
    if table is None:
        return None
    if not isinstance(table, dict):
        raise PolicyError("[tool.mlgov] must be a table", file=shown)
    result: dict[str, Any] = _jsonable(table)
    return result


def read_policy_file(path: str, *, shown: str | None = None) -> tuple[dict[str, Any], yamldoc.Document | None]:
    """The policy mapping as written, and the YAML document (marks) when it is YAML."""
    shown = shown or path
    if not os.path.isfile(path):
        raise PolicyError(f"policy file not found: {shown}")
    if path.endswith(".toml"):
        try:
            with open(path, "rb") as fh:
                tool = pyproject_table(fh.read(), shown=shown)
        except OSError as e:
            raise PolicyError(f"cannot read policy: {e.strerror}", file=shown) from e
        if tool is None:
            raise PolicyError("no [tool.mlgov] table", file=shown)
        return tool, None
    try:
        doc = yamldoc.load_file(path, display_path=shown, timestamps=False)
    except OSError as e:
        raise PolicyError(f"cannot read policy: {e.strerror}", file=shown) from e
    return parse_policy_document(doc), doc


def parse_policy_document(doc: yamldoc.Document) -> dict[str, Any]:
    for p in doc.problems:
        raise PolicyError(p.message, file=doc.path, line=p.mark.line, column=p.mark.column)
    if doc.empty:
        return {}
    if not isinstance(doc.data, dict):
        raise PolicyError("the policy must be a mapping of keys to values", file=doc.path, line=1, column=1)
    return doc.data


def _jsonable(v: Any) -> Any:
    """TOML dates become ISO strings so that the schema sees text, as in YAML."""
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_jsonable(x) for x in v]
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return v


def validate(raw: Mapping[str, Any], *, source: str | None, doc: yamldoc.Document | None) -> None:
    """Validate a policy mapping, every time: the schema, then what a schema cannot say."""
    from mlgov_checks.policy.schema import check_schema

    check_schema(raw, source=source, doc=doc)
    _semantic_checks(raw, source=source, doc=doc)


def _semantic_checks(raw: Mapping[str, Any], *, source: str | None, doc: yamldoc.Document | None) -> None:
    """What a JSON Schema cannot say: bounds in order."""
    for name, bounds in (raw.get("metrics", {}).get("thresholds", {}) or {}).items():
        lo, hi = bounds.get("min"), bounds.get("max")
        if lo is not None and hi is not None and lo > hi:
            m = doc.key_mark_of(("metrics", "thresholds", name)) if doc else None
            raise PolicyError(f"metrics.thresholds.{name}: min {lo} is greater than max {hi}",
                              file=source, line=m.line if m else None, column=m.column if m else None)


def load_policy(path: str | None = None, *, start: str | None = None) -> Policy:
    """The effective policy: `path`, else the nearest policy file, else the defaults."""
    source = path or find_policy(start)
    if source is None:
        return default_policy()
    shown = os.path.relpath(source) if not os.path.isabs(path or "") else source
    raw, doc = read_policy_file(source, shown=shown)
    validate(raw, source=shown, doc=doc)
    return Policy(data=_merge(DEFAULTS, raw), source=shown, raw=raw, document=doc)


def policy_from_bytes(data: bytes, *, shown: str, worktree_path: str | None = None,
                      origin: RefOrigin | None = None) -> Policy | None:
    """A policy file's content as committed at a git ref (`shown` is `REF:path`); None for a
    pyproject.toml without a [tool.mlgov] table (not a policy file)."""
    if shown.endswith(".toml"):
        tool = pyproject_table(data, shown=shown)
        if tool is None:
            return None
        raw, doc = tool, None
    else:
        doc = yamldoc.parse_bytes(data, shown, timestamps=False)
        raw = parse_policy_document(doc)
    validate(raw, source=shown, doc=doc)
    return Policy(data=_merge(DEFAULTS, raw), source=shown, raw=raw, document=doc, worktree_path=worktree_path,
                  origin=origin)


def policy_from_mapping(raw: Mapping[str, Any], *, source: str | None = None) -> Policy:
    """Validate and merge a policy given as data (tests, `--policy-ref`)."""
    validate(raw, source=source, doc=None)
    return Policy(data=_merge(DEFAULTS, dict(raw)), source=source, raw=dict(raw))
