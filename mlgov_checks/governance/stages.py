"""Where a version can be moved: legacy stages, aliases, and which of them mean production.

One spelling for each: a stage or a production alias is compared trimmed and case-insensitively
(`Champion`, `CHAMPION` and ` champion` are the production alias `champion`), so a respelled
destination cannot dodge what production requires.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from mlgov_checks.errors import UsageError
from mlgov_checks.policy.load import Policy
from mlgov_checks.records import ModelVersionRecord

# What an alias may be spelled with as a destination: MLflow's own rule (`[\w-]`) admits any
# Unicode letter, and `сhampion` with a Cyrillic `с` is not `champion` to a reader's eye.
_ALIAS = re.compile(r"[A-Za-z0-9_-]{1,255}")


class Stage(str, enum.Enum):
    """MLflow's legacy stages; NONE is a version in no stage."""

    NONE = "None"
    STAGING = "Staging"
    PRODUCTION = "Production"
    ARCHIVED = "Archived"

    @classmethod
    def parse(cls, text: str | None) -> Stage:
        """A stage from any spelling (`production`, ` PRODUCTION `); None and "" are NONE."""
        key = fold(text or "None")
        for stage in cls:
            if stage.value.lower() == key:
                return stage
        raise UsageError(f"--stage: expected one of {', '.join(s.value for s in MOVABLE)}, got {text!r}")

    @classmethod
    def of(cls, text: str | None) -> Stage | None:
        """The stage a registry answer names, None for a spelling that is no stage."""
        try:
            return cls.parse(text)
        except UsageError:
            return None


MOVABLE = (Stage.STAGING, Stage.PRODUCTION, Stage.ARCHIVED)  # the stages `mlgov promote --stage` takes
GATED = (Stage.STAGING, Stage.PRODUCTION)  # a version in one of these must have come through promote
PRODUCTION = Stage.PRODUCTION  # the one production stage


def fold(name: str) -> str:
    """The one spelling a destination is compared by: NFKC, trimmed, case-folded."""
    return unicodedata.normalize("NFKC", name).strip().casefold()


def production_aliases(policy: Policy) -> frozenset[str]:
    """The policy's production aliases (`approval.production_aliases`), each in its compared spelling."""
    return frozenset(fold(a) for a in policy.section("approval")["production_aliases"])


def is_production_alias(alias: str, policy: Policy) -> bool:
    return fold(alias) in production_aliases(policy)


def is_production_stage(stage: str | None) -> bool:
    return Stage.of(stage) is PRODUCTION


def production_of(aliases: Mapping[str, str], versions: Iterable[ModelVersionRecord],
                  policy: Policy) -> list[tuple[str, str]]:
    """(label, version) under each production alias and in the Production stage, aliases first."""
    out = [(alias_label(a), n) for a, n in sorted(aliases.items()) if is_production_alias(a, policy)]
    out += [(stage_label(PRODUCTION), v.version) for v in versions if is_production_stage(v.current_stage)]
    return out


def stage_label(stage: Stage) -> str:
    return f"stage:{stage.value}"


def alias_label(alias: str) -> str:
    return f"@{alias}"


@dataclass(frozen=True)
class Destination:
    """Where `mlgov promote` moves a version: exactly one alias or one stage."""

    alias: str | None = None
    stage: Stage | None = None

    @classmethod
    def of(cls, *, alias: str | None = None, stage: str | None = None) -> Destination:
        """From the command line: the stage in any spelling; an alias spelled as MLflow keeps it.

        An alias with spaces or other characters MLflow refuses is refused here, before anything
        is written (exit 2).
        """
        if (alias is None) == (stage is None):
            raise UsageError("give exactly one of --alias NAME or --stage STAGE")
        if alias is not None:
            if not _ALIAS.fullmatch(alias):
                raise UsageError(f"--alias: {alias!r} is not an alias name",
                                 hint="an alias is 1-255 ASCII letters, digits, '_' or '-', with no spaces")
            if fold(alias) == "latest" or re.fullmatch(r"v\d+", alias, re.IGNORECASE):
                raise UsageError(f"--alias: {alias!r} is reserved by MLflow")
            return cls(alias=alias)
        parsed = Stage.parse(stage)
        if parsed not in MOVABLE:
            raise UsageError(f"--stage: expected one of {', '.join(s.value for s in MOVABLE)}, got {stage!r}")
        return cls(stage=parsed)

    @property
    def label(self) -> str:
        """How the decision log names it: `@champion` or `stage:Production`."""
        return alias_label(self.alias) if self.alias is not None else stage_label(self._stage)

    @property
    def _stage(self) -> Stage:
        if self.stage is None:  # invariant: a destination has an alias or a stage
            raise AssertionError("a destination without alias or stage")
        return self.stage

    @property
    def archives(self) -> bool:
        """Whether the move is an archival (the `archive` permission, no gate)."""
        return self.stage is Stage.ARCHIVED

    @property
    def displaces(self) -> bool:
        """Whether the move archives the versions already in the destination stage."""
        return self.stage is not None and self.stage is not Stage.ARCHIVED

    def is_production(self, policy: Policy) -> bool:
        if self.alias is not None:
            return is_production_alias(self.alias, policy)
        return self.stage is PRODUCTION
