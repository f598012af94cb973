"""The gate: fetch every target's records in batches, run the check families, finish the findings."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from mlgov_checks import engine
from mlgov_checks.checks.evidence import REACHABLE
from mlgov_checks.findings import Finding
from mlgov_checks.policy import Policy
from mlgov_checks.records import ModelVersionRecord, RunRecord


class Family(str, enum.Enum):
    PROVENANCE = "provenance"
    METRICS = "metrics"
    EVIDENCE = "evidence"


ALL = (Family.PROVENANCE, Family.METRICS, Family.EVIDENCE)


@dataclass(frozen=True)
class GateOptions:
    """Where to look and what to check; built by the CLI from its options and the policy."""

    tracking_uri: str | None = None
    timeout: float | None = None  # None: the policy's `timeout`
    repo: str | None = None
    families: tuple[Family, ...] = ALL
    now: dt.datetime | None = None
    workers: int | None = None


@dataclass(frozen=True)
class GateResult:
    findings: list[Finding]
    targets: tuple[str, ...]  # every evaluated target, as findings name it
    records: tuple[RunRecord | ModelVersionRecord, ...]  # what was fetched (for later recording)


def run(targets: Sequence[str], policy: Policy, options: GateOptions) -> GateResult:
    """Gate every target; a target that cannot be read becomes an ERROR finding, never an exception."""
    from mlgov_checks import mlflow_adapter

    parsed = mlflow_adapter.parse_targets(targets)  # a bad target string: UsageError before any call
    timeout = options.timeout if options.timeout is not None else float(policy.section("timeout"))
    kwargs = {"workers": options.workers} if options.workers else {}
    adapter = mlflow_adapter.Adapter(options.tracking_uri, timeout=timeout, **kwargs)
    baseline = (policy.section("metrics").get("baseline") or {}).get("alias")
    wanted = mlflow_adapter.Wanted(
        evidence=Family.EVIDENCE in options.families,
        baseline_alias=baseline if Family.METRICS in options.families else None)
    resolved = adapter.fetch(parsed, policy, wanted)
    findings: list[Finding] = []
    shown: list[str] = []
    records: list[RunRecord | ModelVersionRecord] = []
    names: dict[str, list[str]] = {}
    for item in resolved:
        if item.record is None:
            text = item.target.text
            shown.append(text)
            message = (item.error or "could not be evaluated").removeprefix(f"{text}: ")
            findings.append(REACHABLE.errored(text, message, hint=item.hint))
            continue
        asked = item.record.requested_as if isinstance(item.record, ModelVersionRecord) else None
        if asked and asked != item.record.target:  # a waiver may name the alias or `latest`
            names.setdefault(item.record.target, []).append(asked)
        if item.record.target in shown:  # models:/m/3, models:/m@champion and models:/m/latest alike
            continue
        shown.append(item.record.target)
        records.append(item.record)
        findings.extend(evaluate(item.record, policy, options, baseline_note=item.baseline_note))
    return GateResult(findings=engine.finalize(findings, policy, names=names), targets=tuple(dict.fromkeys(shown)),
                      records=tuple(records))


def evaluate(record: RunRecord | ModelVersionRecord, policy: Policy, options: GateOptions, *,
             baseline_note: str | None = None) -> Iterator[Finding]:
    """The requested check families on one fetched record (a run, or a version and its run)."""
    from mlgov_checks.checks import evidence, metrics, provenance

    target = record.target
    if isinstance(record, ModelVersionRecord):
        run, baseline = record.run, record.baseline
    else:
        run, baseline = record, None
    families = options.families
    if isinstance(record, ModelVersionRecord) and Family.EVIDENCE not in families and run is None:
        yield from evidence.check_source_run(record, policy)  # nothing else can be judged
    if run is not None:
        if Family.PROVENANCE in families:
            yield from provenance.evaluate(run, policy, target=target, repo=options.repo, now=options.now)
        if Family.METRICS in families:
            yield from metrics.evaluate(run, policy, target=target, baseline=baseline,
                                        baseline_note=baseline_note)
    if isinstance(record, ModelVersionRecord) and Family.EVIDENCE in families:
        yield from evidence.evaluate(record, policy)


def families_of(names: Iterable[str]) -> tuple[Family, ...]:
    return tuple(Family(n) for n in names)
