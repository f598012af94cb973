"""One resolution of many targets: versions by model, aliases, runs by id, then evidence, batched."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from mlgov_checks.backend import convert as records
from mlgov_checks.backend.failures import retarget
from mlgov_checks.backend.spec import FetchSpec
from mlgov_checks.errors import EvaluationError
from mlgov_checks.records import ModelVersionRecord, RunRecord
from mlgov_checks.targets import Target

Versions = Mapping[str, ModelVersionRecord]
Problem = tuple[str, "str | None"]  # (message, hint) of a target that could not be evaluated


@dataclass(frozen=True)
class Resolved:
    """What the reader found for one target: a record, or why it could not be evaluated."""

    target: Target
    record: RunRecord | ModelVersionRecord | None = None
    error: str | None = None
    hint: str | None = None
    baseline_note: str | None = None


class Source(Protocol):
    """The reads a resolution is made of (the Reader)."""

    @property
    def shown_uri(self) -> str: ...

    def versions_of(self, name: str) -> dict[str, ModelVersionRecord]: ...

    def version_by_alias(self, name: str, alias: str) -> ModelVersionRecord | None: ...

    def runs(self, run_ids: Sequence[str], experiments: Mapping[str, str] | None = None) -> dict[str, RunRecord]:
        ...

    def add_evidence(self, found: dict[str, ModelVersionRecord], spec: FetchSpec,
                     problems: dict[str, Problem]) -> None: ...


def experiment_hints(versions: Sequence[ModelVersionRecord]) -> dict[str, str]:
    """run id -> experiment id, where a version's source is its run's artifact location.

    MLflow 2.x stores `mlflow-artifacts:/<experiment>/<run>/artifacts/...` (or the store's path of
    the same shape); `runs:/` and logged-model sources say nothing about the experiment.
    """
    hints: dict[str, str] = {}
    for mv in versions:
        if mv.run_id:
            m = re.search(rf"(?:^|[:/])(\d+)/{re.escape(mv.run_id)}/artifacts(?:/|$)", mv.source or "")
            if m:
                hints[mv.run_id] = m[1]
    return hints


def with_context(mv: ModelVersionRecord, *, run: RunRecord | None, requested_as: str,
                 baseline: ModelVersionRecord | None, aliases: tuple[str, ...],
                 versions: Versions) -> ModelVersionRecord:
    """A resolved version with its run, baseline, aliases and the earlier versions' semantic versions."""
    return replace(mv, run=run, requested_as=requested_as, baseline=baseline, aliases=aliases,
                   earlier_semantic_versions=records.earlier_semvers(versions, mv.version))


def no_model(name: str, shown_uri: str, target: str | None = None) -> str:
    """What every command says of a registered model that is not there (exit 3: docs/exit-codes.md)."""
    where = target or f"models:/{name}"
    return f"{where}: registered model {name!r} not found or has no versions (tracking URI {shown_uri})"


class Resolution:
    """The steps of `Reader.resolve`, each one batched over every target."""

    def __init__(self, reader: Source, targets: Sequence[Target], spec: FetchSpec) -> None:
        self.reader = reader
        self.targets = list(targets)
        self.spec = spec
        self.errors: dict[str, EvaluationError] = {}  # model name, or name@alias -> why it failed
        self.by_name: dict[str, Versions] = {}
        self.aliases: dict[tuple[str, str], ModelVersionRecord | None] = {}
        self.problems: dict[str, Problem] = {}  # target text -> (message, hint)
        self.chosen: dict[str, ModelVersionRecord] = {}  # target text -> version

    def run(self) -> list[Resolved]:
        self._versions()
        self._aliases()
        self._choose()
        found = self._records(self._runs())
        if self.spec.evidence:
            versions = {k: v for k, v in found.items() if isinstance(v, ModelVersionRecord)}
            self.reader.add_evidence(versions, self.spec, self.problems)
            found = {k: versions.get(k, v) for k, v in found.items() if k not in self.problems}
        return self._results(found)

    def _versions(self) -> None:
        for name in dict.fromkeys(t.name for t in self.targets if t.name):
            try:
                self.by_name[name] = self.reader.versions_of(name)
            except EvaluationError as e:
                self.errors[name] = e

    def _aliases(self) -> None:
        wanted = [(t.name, t.alias) for t in self.targets if t.name and t.alias]
        if self.spec.baseline_alias:
            wanted += [(n, self.spec.baseline_alias) for n in self.by_name]
        for name, alias in dict.fromkeys(wanted):
            if name in self.errors:
                continue
            try:
                self.aliases[(name, alias)] = self.reader.version_by_alias(name, alias)
            except EvaluationError as e:
                self.errors[f"{name}@{alias}"] = e

    def _error_of(self, t: Target) -> EvaluationError | None:
        names = [t.name or ""]
        if t.alias:
            names.append(f"{t.name}@{t.alias}")
        if self.spec.baseline_alias:  # a baseline that could not be read is an error, not "no baseline yet"
            names.append(f"{t.name}@{self.spec.baseline_alias}")
        return next((self.errors[n] for n in names if n in self.errors), None)

    def _choose(self) -> None:
        for t in self.targets:
            if not t.name:
                continue
            err = self._error_of(t)
            if err is not None:
                self.problems[t.text] = (retarget(err.message, t.text), err.hint)
                continue
            mv = self._pick(t)
            if mv is None:
                self.problems[t.text] = (self._not_found(t), None)
            else:
                self.chosen[t.text] = mv

    def _pick(self, t: Target) -> ModelVersionRecord | None:
        versions = self.by_name[t.name or ""]
        if t.version is not None:
            return versions.get(t.version)
        if t.latest:
            ready = [v for v in versions.values() if v.status in (None, "READY")]
            return max(ready, key=lambda v: int(v.version), default=None)
        mv = self.aliases.get((t.name or "", t.alias or ""))
        if mv is None:
            return None
        return versions.get(mv.version, mv)

    def _not_found(self, t: Target) -> str:
        where = f"(tracking URI {self.reader.shown_uri})"
        if not self.by_name[t.name or ""]:
            return no_model(t.name or "", self.reader.shown_uri, t.text)
        if t.alias:
            return f"{t.text}: model {t.name!r} has no alias @{t.alias} {where}"
        return f"{t.text}: model {t.name!r} has no version {t.version} {where}"

    def _baseline(self, name: str) -> ModelVersionRecord | None:
        return self.aliases.get((name, self.spec.baseline_alias)) if self.spec.baseline_alias else None

    def _runs(self) -> dict[str, RunRecord]:
        run_ids = [t.run_id for t in self.targets if t.run_id]
        run_ids += [mv.run_id for mv in self.chosen.values() if mv.run_id]
        run_ids += [b.run_id for b in map(self._baseline, self.by_name) if b is not None and b.run_id]
        hints = experiment_hints([*self.chosen.values(), *filter(None, map(self._baseline, self.by_name))])
        try:
            return self.reader.runs(run_ids, hints)
        except EvaluationError as e:
            for t in self.targets:
                self.problems.setdefault(t.text, (retarget(e.message, t.text), e.hint))
            return {}

    def _aliases_of(self, mv: ModelVersionRecord) -> tuple[str, ...]:
        own = list(mv.aliases)
        own += [a for (n, a), v in self.aliases.items()
                if v is not None and n == mv.name and v.version == mv.version]
        return tuple(dict.fromkeys(own))

    def _records(self, runs: dict[str, RunRecord]) -> dict[str, RunRecord | ModelVersionRecord]:
        found: dict[str, RunRecord | ModelVersionRecord] = {}
        for t in self.targets:
            if t.text in self.problems:
                continue
            if t.run_id:
                if t.run_id in runs:
                    found[t.text] = runs[t.run_id]
                else:
                    self.problems[t.text] = (f"{t.text}: run not found (tracking URI {self.reader.shown_uri})",
                                             None)
                continue
            mv = self.chosen[t.text]
            base = self._baseline(t.name or "")
            baseline = replace(base, run=runs.get(base.run_id or "")) if base is not None else None
            found[t.text] = with_context(mv, run=runs.get(mv.run_id or ""), requested_as=t.text,
                                         baseline=baseline, aliases=self._aliases_of(mv),
                                         versions=self.by_name[t.name or ""])
        return found

    def _results(self, found: dict[str, RunRecord | ModelVersionRecord]) -> list[Resolved]:
        out: list[Resolved] = []
        alias = self.spec.baseline_alias
        for t in self.targets:
            if t.text in self.problems:
                msg, hint = self.problems[t.text]
                out.append(Resolved(t, error=msg, hint=hint))
                continue
            rec = found[t.text]
            note = None
            if alias and isinstance(rec, ModelVersionRecord) and rec.baseline is None:
                note = f"model {rec.name!r} has no @{alias} yet"
            out.append(Resolved(t, record=rec, baseline_note=note))
        return out
