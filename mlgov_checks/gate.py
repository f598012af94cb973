"""The one runner: subjects -> the registry's families -> findings -> waivers; never prints."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mlgov_checks import checks
from mlgov_checks.checks._base import Check, Context
from mlgov_checks.findings import Finding
from mlgov_checks.policy.load import Policy

if TYPE_CHECKING:  # records are imported by the gate's functions: the card hook never needs them
    from mlgov_checks.backend import FetchSpec, Reader, Resolved
    from mlgov_checks.integrations.gitrepo import LazyRepository
    from mlgov_checks.policy.ref import Judgement
    from mlgov_checks.records import ModelVersionRecord, RunRecord

REGISTRY_SUBJECTS = ("run", "version")  # the subjects a registry read gives the gate


@dataclass(frozen=True)
class GateOptions:
    """What to check and against what; built by the CLI from its options."""

    repo: str | None = None  # --repo: the git repository the runs came from
    families: tuple[str, ...] | None = None  # None: every family `mlgov check` runs by default
    now: dt.datetime | None = None

    def chosen(self) -> tuple[str, ...]:
        return self.families if self.families is not None else checks.default_families(REGISTRY_SUBJECTS)


@dataclass(frozen=True)
class GateResult:
    """What a gate run found, on which targets, from which fetched records."""

    findings: list[Finding]
    targets: tuple[str, ...]  # every evaluated target, as findings name it
    records: tuple[RunRecord | ModelVersionRecord, ...]  # what was fetched (for later recording)


def fetch_spec(policy: Policy, families: Sequence[str]) -> FetchSpec:
    """What the chosen families need the backend to fetch, as each family's `needs(policy)` says."""
    from mlgov_checks.backend import FetchSpec

    wanted: dict[str, Any] = {}
    for name in families:
        needs = getattr(checks.family(name), "needs", None)
        if needs is not None:
            wanted.update(needs(policy))
    return FetchSpec(**wanted)


def _hooks(name: str, subjects: tuple[str, ...] = REGISTRY_SUBJECTS) -> list[tuple[str, Any]]:
    """(family, its `name` attribute) for every family of `subjects` that declares one."""
    return [(n, getattr(m, name)) for n, m in checks.families(subjects) if getattr(m, name, None) is not None]


def unreadable(target: str, message: str, hint: str | None) -> Finding:
    """The finding for a target that could not be read, by the check a family declares for it."""
    found = _hooks("UNREADABLE")
    if not found:  # invariant: a built-in family declares it
        raise LookupError("no check family declares UNREADABLE")
    check: Check = found[0][1]
    return check.errored(target, message, hint=hint)


def run(targets: Sequence[str], policy: Policy, options: GateOptions, reader: Reader) -> GateResult:
    """Gate every target; a target that cannot be read becomes an ERROR finding, never an exception."""
    from mlgov_checks.targets import parse_targets

    parsed = parse_targets(targets)  # a bad target string: UsageError before any call
    return judge(reader.resolve(parsed, fetch_spec(policy, options.chosen())), policy, options)


def judge(resolved: Sequence[Resolved], policy: Policy, options: GateOptions) -> GateResult:
    """The chosen families on records already fetched (promote fetches once, then judges)."""
    from mlgov_checks.records import ModelVersionRecord

    repository = _repository(options.repo)
    findings: list[Finding] = []
    shown: list[str] = []
    records: list[RunRecord | ModelVersionRecord] = []
    names: dict[str, list[str]] = {}
    for item in resolved:
        if item.record is None:
            text = item.target.text
            shown.append(text)
            message = (item.error or "could not be evaluated").removeprefix(f"{text}: ")
            findings.append(unreadable(text, message, item.hint))
            continue
        asked = item.record.requested_as if isinstance(item.record, ModelVersionRecord) else None
        if asked and asked != item.record.target:  # a waiver may name the alias or `latest`
            names.setdefault(item.record.target, []).append(asked)
        if item.record.target in shown:  # models:/m/3, models:/m@champion and models:/m/latest alike
            continue
        shown.append(item.record.target)
        records.append(item.record)
        findings.extend(evaluate(item.record, policy, options, baseline_note=item.baseline_note,
                                 repository=repository))
    return GateResult(findings=finalize(findings, policy, names=names), targets=tuple(dict.fromkeys(shown)),
                      records=tuple(records))


def _repository(path: str | None) -> LazyRepository | None:
    if path is None:
        return None
    from mlgov_checks.integrations.gitrepo import LazyRepository

    return LazyRepository(path)


def evaluate(record: RunRecord | ModelVersionRecord, policy: Policy, options: GateOptions, *,
             baseline_note: str | None = None, repository: LazyRepository | None = None) -> Iterator[Finding]:
    """The chosen families on one fetched record (a run, or a version and its run)."""
    from mlgov_checks.records import ModelVersionRecord, RunRecord

    chosen = options.chosen()
    version = record if isinstance(record, ModelVersionRecord) else None
    run = version.run if version is not None else record
    ctx = Context(policy=policy, target=record.target, now=options.now, repository=repository,
                  baseline=version.baseline if version is not None else None, baseline_note=baseline_note)
    families = [(n, m) for n, m in checks.families(REGISTRY_SUBJECTS) if n in chosen]
    if version is not None and run is None and any(m.SUBJECT == "run" for _, m in families):
        for name, runless in _hooks("runless"):  # nothing else can be judged: say why, once
            if name not in chosen:
                yield from runless(version, ctx)
    for _, module in families:
        if module.SUBJECT == "run" and isinstance(run, RunRecord):
            yield from module.evaluate(run, ctx)
        elif module.SUBJECT == "version" and version is not None:
            yield from module.evaluate(version, ctx)


def finalize(findings: Sequence[Finding], policy: Policy, *, today: dt.date | None = None,
             names: Mapping[str, Sequence[str]] | None = None) -> list[Finding]:
    """Every command's findings end here: the findings families (waivers), the one place a status
    may change. A family whose policy section is empty is not even imported (the card hook).

    `names`: target -> the other names it was requested by (alias, latest), for waivers naming those.
    """
    out = list(findings)
    for name, entry in checks.FAMILIES.items():
        if entry.subject == "findings" and (entry.section is None or policy.section(entry.section)):
            ctx = Context(policy=policy, today=today, requested=names or {}, known=frozenset(checks.registry()))
            out = list(checks.family(name).evaluate(out, ctx))
    return out


def judge_policy(judgement: Judgement) -> list[Finding]:
    """`--policy-ref`: the policy families on what the work tree changes of REF's policy."""
    ctx = Context(policy=judgement.policy, ref=judgement.ref)
    return [f for _, module in checks.families(("policy",)) for f in module.evaluate(judgement, ctx)]


# -- model cards on disk ---------------------------------------------------------------------------

_SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".mypy_cache", "site-packages"}


def discover_cards(cwd: str | None = None, policy: Policy | None = None) -> list[str]:
    """The model cards git tracks or would track (untracked, not ignored) under `cwd`, in every format.

    Outside git, a walk that skips hidden and vendored dirs. The policy's `card.discovery` globs
    add files (`include`) or leave them out (`exclude`).
    """
    from mlgov_checks.cards import discovery
    from mlgov_checks.integrations import gitrepo

    base = cwd or os.getcwd()
    conf = (policy.section("card").get("discovery") if policy is not None else None) or {}
    include, exclude = list(conf.get("include") or ()), list(conf.get("exclude") or ())
    tracked = gitrepo.tracked_files([*discovery.GLOBS, *include], base, untracked=True, icase=True)
    if tracked is None:
        tracked = []
        for root, dirs, files in os.walk(base):
            dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
            tracked.extend(os.path.relpath(os.path.join(root, f), base) for f in sorted(files))
    return discovery.select(tracked, base, include=include, exclude=exclude)


def run_cards(paths: Sequence[str], policy: Policy) -> list[Finding]:
    """Every card-subject family on every file, in order; never an exception for bad input."""
    findings: list[Finding] = []
    families = checks.families(("card",))
    ctx = Context(policy=policy)
    for path in paths:
        for _, module in families:
            findings.extend(module.evaluate(path, ctx))
    return finalize(findings, policy)
