"""Policy guard: the policy in the working tree must not loosen the trusted (base branch) policy."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from mlgov_checks.checks._base import Check, Context
from mlgov_checks.findings import Finding
from mlgov_checks.policy import Policy

LOOSENED = Check("policy-loosened", "The change does not loosen the policy", """
    With `--policy-ref REF` the gate is judged by the policy committed at REF (for a pull request:
    its base branch), so the pull request under review cannot weaken the rules that judge it. The
    working tree's policy is still compared with it, and every loosening is a failing finding: a
    lower minimum or a higher maximum on a metric (or a threshold removed), a required card field,
    artifact or tag removed, the clean-tree or description requirement dropped, a weaker approval
    mode, fewer approvals or required approvers, a wider accepted review status, a higher card
    tolerance or waiver cap, and any new waiver. Tightening the policy is always allowed.
    """, "get the policy change approved and merged on its own, before the change that needs it")

CHECKS = (LOOSENED,)

_APPROVAL_STRENGTH = {"none": 0, "either": 1, "description": 1, "approvals": 2}


def _removed(base: list[Any], head: list[Any]) -> list[Any]:
    return [x for x in base if x not in head]


def loosenings(base: Mapping[str, Any], head: Mapping[str, Any]) -> Iterator[str]:
    """Human-readable ways in which `head` (effective policy) is weaker than `base`."""
    bt, ht = base["metrics"]["thresholds"], head["metrics"]["thresholds"]
    for name, bounds in bt.items():
        hb = ht.get(name)
        if hb is None:
            yield f"metric threshold {name!r} was removed"
            continue
        if "min" in bounds and (hb.get("min") is None or hb["min"] < bounds["min"]):
            yield f"{name} minimum lowered from {bounds['min']} to {hb.get('min', 'none')}"
        if "max" in bounds and (hb.get("max") is None or hb["max"] > bounds["max"]):
            yield f"{name} maximum raised from {bounds['max']} to {hb.get('max', 'none')}"
    bb, hbl = base["metrics"].get("baseline"), head["metrics"].get("baseline")
    if bb and not hbl:
        yield "the baseline comparison was removed"
    elif bb and hbl:
        for name in _removed(list(bb.get("metrics", {})), list(hbl.get("metrics", {}))):
            yield f"baseline comparison for {name!r} was removed"
    if head["metrics"]["card_tolerance"] > base["metrics"]["card_tolerance"]:
        yield (f"card_tolerance raised from {base['metrics']['card_tolerance']} "
               f"to {head['metrics']['card_tolerance']}")
    for section, key, what in (("card", "required_fields", "required card field"),
                               ("evidence", "artifacts", "required artifact"),
                               ("evidence", "run_tags", "required run tag"),
                               ("evidence", "version_tags", "required version tag"),
                               ("approval", "required_approvers", "required approver"),
                               ("card", "placeholders", "refused placeholder")):
        for item in _removed(base[section][key], head[section][key]):
            yield f"{what} {item!r} was removed"
    for item in _removed(base["provenance"]["review"]["accepted_status"],
                         head["provenance"]["review"]["accepted_status"]) or []:
        yield f"accepted review status {item!r} was removed"
    for item in _removed(head["provenance"]["review"]["accepted_status"],
                         base["provenance"]["review"]["accepted_status"]):
        yield f"review status {item!r} is newly accepted"
    for section, key, what in (("provenance", "require_clean_tree", "a clean working tree"),
                               ("evidence", "require_description", "a model version description"),
                               ("evidence", "require_semantic_version", "a semantic_version tag"),
                               ("approval", "forbid_author", "approvers other than the run's author"),
                               ("approval", "forbid_reviewer", "approvers other than the code reviewer")):
        if base[section][key] and not head[section][key]:
            yield f"{section}.{key} turned off: {what} is no longer required"
    ba, ha = base["evidence"]["approval"], head["evidence"]["approval"]
    if _APPROVAL_STRENGTH[ha] < _APPROVAL_STRENGTH[ba] or (ba != ha and ha == "either"):
        yield f"evidence.approval weakened from {ba!r} to {ha!r}"
    if head["approval"]["min_approvals"] < base["approval"]["min_approvals"]:
        yield (f"approval.min_approvals lowered from {base['approval']['min_approvals']} "
               f"to {head['approval']['min_approvals']}")
    if base["approval"]["allowed_approvers"] and (
            not head["approval"]["allowed_approvers"]
            or _removed(head["approval"]["allowed_approvers"], base["approval"]["allowed_approvers"])):
        yield "approval.allowed_approvers widened"
    if head["waiver_max_days"] > base["waiver_max_days"]:
        yield f"waiver_max_days raised from {base['waiver_max_days']} to {head['waiver_max_days']}"
    base_waivers = {json.dumps(w, sort_keys=True) for w in base["waivers"]}
    for w in head["waivers"]:
        if json.dumps(w, sort_keys=True) not in base_waivers:
            yield f"new waiver for {w.get('check')} on {w.get('target')} (by {w.get('approved_by')})"
    for key in ("max_bytes", "max_depth", "max_nodes"):
        if head["card"][key] > base["card"][key]:
            yield f"card.{key} raised from {base['card'][key]} to {head['card'][key]}"


SUBJECT = "policy"
PREFIXES = ("policy",)
DEFAULT = False  # runs only with --policy-ref


def evaluate(head: Policy, ctx: Context) -> Iterator[Finding]:
    """The working tree's policy `head` against the judging one (`ctx.policy`, from `ctx.ref`)."""
    return compare(ctx.policy, head, ref=ctx.ref or "the base ref")


def compare(base: Policy, head: Policy, *, ref: str) -> Iterator[Finding]:
    """One failing finding per loosening of `base` (the policy at `ref`) by `head`; a pass otherwise."""
    target = head.source or "policy"
    found = False
    for what in loosenings(base.data, head.data):
        found = True
        yield LOOSENED.failed(target, f"the working tree's policy loosens the one at {ref}: {what}",
                              file=head.source)
    if not found:
        yield LOOSENED.passed(target, f"no loosening of the policy at {ref}", file=head.source)
