"""The decision for one protected request: allowed, refused naming what is missing, or break-glass."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Protocol

from mlgov_checks.governance import stages
from mlgov_checks.integrations.server import required as evidence
from mlgov_checks.integrations.server.surface import Demand, Need, Rule, normalized
from mlgov_checks.policy.load import Policy
from mlgov_checks.records import ModelVersionRecord, RunRecord


class State(Protocol):
    """The registry as the server's own store holds it (integrations.server.state)."""

    def version(self, name: str, number: str, policy: Policy) -> ModelVersionRecord:
        """The version with its run, and the card and model digest its approvals are verified
        against; EvaluationError when it cannot be read."""

    def versions(self, name: str) -> Mapping[str, ModelVersionRecord]:
        """Every version of the model (no runs), by number; {} when the model does not exist."""

    def aliases(self, name: str) -> Mapping[str, str]:
        """Alias -> version number; {} when the model does not exist."""

    def decision(self, run_id: str) -> RunRecord | None: ...


@dataclass(frozen=True)
class Caller:
    """Who asks: the server's authenticated user (None when the server authenticates nobody)."""

    user: str | None = None
    gate: bool = False  # the user is one of the configured gate identities
    break_glass: str | None = None  # the reason, when this caller may break the glass and gave one


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    demand: Demand
    missing: tuple[str, ...] = ()  # what the version lacks, or why only the gate may do this
    broke_glass: bool = False
    lead: str = "missing evidence"

    @property
    def rule(self) -> Rule:
        return self.demand.rule

    @property
    def subject(self) -> str:
        d = self.demand
        return f"models:/{d.model}/{d.version}" if d.version else f"models:/{d.model}"

    def message(self) -> str:
        head = f"mlgov: {self.demand.label} on {self.subject} refused (rule {self.rule.value})"
        return head + (f": {self.lead}: " + "; ".join(self.missing) if self.missing else "")


def production_of(name: str, state: State, production: frozenset[str]) -> dict[str, list[str]]:
    """Version number -> its production aliases and stage (`@champion`, `stage:Production`)."""
    held: dict[str, list[str]] = {}
    for alias, number in state.aliases(name).items():
        if normalized(alias) in production:
            held.setdefault(number, []).append(f"@{alias}")
    for number, mv in state.versions(name).items():
        if stages.is_production_stage(mv.current_stage):
            held.setdefault(number, []).append("stage:Production")
    return held


def decide(demand: Demand, policy: Policy, state: State, caller: Caller) -> Verdict | None:
    """The verdict on `demand`; None when no rule applies once the registry's state is known."""
    production = stages.production_aliases(policy)
    verdict = _judge(demand, policy, state, caller, production)
    if verdict is None or verdict.allowed or not caller.break_glass:
        return verdict
    return replace(verdict, allowed=True, broke_glass=True)


def _judge(demand: Demand, policy: Policy, state: State, caller: Caller,
           production: frozenset[str]) -> Verdict | None:
    if demand.need is Need.EVIDENCE:
        return _with_evidence(demand, state.version(demand.model, demand.version or "", policy), policy, state)
    held = production_of(demand.model, state, production)
    if demand.rule is Rule.PRODUCTION_ALIAS_DELETE:
        if not any(normalized(a) == normalized(demand.label[1:]) for a in state.aliases(demand.model)):
            return None  # MLflow has no such alias to delete
        return _gate(demand, caller, f"{demand.label} is a production alias")
    if demand.whole_model:
        if not held:
            return None
        where = ", ".join(f"version {n} ({' '.join(p)})" for n, p in sorted(held.items()))
        return _gate(demand, caller, f"the model holds production versions: {where}")
    places = held.get(demand.version or "", [])
    if demand.rule is Rule.PRODUCTION_STAGE_EXIT:
        places = [p for p in places if p == "stage:Production"]
    if not places:
        return None
    if demand.need is Need.GATE:
        return _gate(demand, caller, f"models:/{demand.model}/{demand.version} is in production "
                                     f"({' '.join(places)})")
    if caller.gate:
        return Verdict(True, demand)
    version = state.version(demand.model, demand.version or "", policy)
    key, value = demand.tag or ("", None)
    tags = {k: v for k, v in version.tags.items() if k != key}
    if value is not None:
        tags[key] = value
    after = replace(version, tags=tags)
    verdict = _with_evidence(demand, after, policy, state)
    if verdict.allowed:
        return verdict
    return replace(verdict, lead=f"{version.target} is in production ({' '.join(places)}) and would lose its "
                                 "evidence")


def _with_evidence(demand: Demand, version: ModelVersionRecord, policy: Policy, state: State) -> Verdict:
    lacking = evidence.missing(version, policy, state)
    return Verdict(not lacking, demand, tuple(lacking))


def _gate(demand: Demand, caller: Caller, why: str) -> Verdict:
    if caller.gate:
        return Verdict(True, demand)
    who = caller.user or "an unauthenticated caller"
    return Verdict(False, demand, (f"only the gate's identity may do this, and {who} is not",), lead=why)
