"""What a command can be pointed at: runs and model versions, parsed before any network call."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from mlgov_checks.errors import UsageError
from mlgov_checks.secrets import mask

TARGET_FORMS = "runs:/RUN_ID, RUN_ID, models:/NAME/VERSION, models:/NAME@ALIAS or models:/NAME/latest"
TARGETS_HELP = f"TARGET: {TARGET_FORMS}."

_RUN_ID = re.compile(r"^[0-9a-zA-Z_-]{1,64}$")
# NAME may be a Unity Catalog three-level name (catalog.schema.model): dots are part of it.
_MODEL = re.compile(r"^models:/(?P<name>[^/@]+?)(?:@(?P<alias>[^/@]+)|/(?P<ref>[^/@]+))$")


@dataclass(frozen=True)
class Target:
    """A parsed target: a run, or a model version by number, alias or `latest`."""

    text: str
    run_id: str | None = None
    name: str | None = None
    version: str | None = None
    alias: str | None = None
    latest: bool = False

    @property
    def is_model(self) -> bool:
        return self.name is not None


def parse_target(text: str) -> Target:
    """`runs:/ID`, a bare run id, `models:/NAME/VERSION`, `models:/NAME@ALIAS`, `models:/NAME/latest`."""
    t = text.strip()
    if t.startswith("runs:/"):
        run_id = t[len("runs:/"):].strip("/")
        if _RUN_ID.match(run_id):
            return Target(text, run_id=run_id)
    elif t.startswith("models:/"):
        m = _MODEL.match(t)
        if m and m["alias"]:
            return Target(text, name=m["name"], alias=m["alias"])
        if m and m["ref"] == "latest":
            return Target(text, name=m["name"], latest=True)
        if m and m["ref"].isdigit():
            return Target(text, name=m["name"], version=str(int(m["ref"])))
    elif _RUN_ID.match(t) and ":" not in t:
        return Target(text, run_id=t)
    raise UsageError(f"not a target: {mask(text)!r}", hint=f"use {TARGET_FORMS}")


def parse_targets(texts: Iterable[str]) -> list[Target]:
    """Parse every target first (a typo is exit 2 before any network call); drop repeats."""
    seen: dict[str, Target] = {}
    for text in texts:
        seen.setdefault(text.strip(), parse_target(text))
    return list(seen.values())


def parse_model_version(text: str) -> Target:
    """A target that must name a model version (approve, promote)."""
    parsed = parse_target(text)
    if not parsed.is_model:
        raise UsageError(f"{mask(text)}: not a model version", hint="use models:/NAME/VERSION or models:/NAME@ALIAS")
    return parsed
