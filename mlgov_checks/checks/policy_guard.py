"""Policy guard: the policy in the working tree must not loosen the trusted (base branch) policy."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from mlgov_checks.checks._base import Check, Context
from mlgov_checks.findings import Finding
from mlgov_checks.policy import strictness
from mlgov_checks.policy.load import Policy
from mlgov_checks.policy.ref import Judgement

LOOSENED = Check("policy-loosened", "The change does not loosen the policy", """
    With `--policy-ref REF` the gate is judged by the policy committed at REF (for a pull request:
    its base branch), so the pull request under review cannot weaken the rules that judge it. The
    working tree's policy is still compared with it, and every loosening is a failing finding. What
    counts as a loosening is derived from the policy schema, where every key declares which way is
    stricter: a lower minimum or a higher maximum (or a bound removed), a requirement removed from
    a list (required fields, artifacts, tags, approvers, placeholders, production aliases), an
    accepted value added (review status, requirements file, approver, role member, permission), a
    requirement turned off, a weaker approval mode, a changed name or location (protected branch,
    review or provenance keys, card artifact, baseline alias, extra schema), and any new or changed
    waiver. A changed key whose direction the schema does not declare fails too (fail closed).
    The files the policy names (its extra card schema, its lists of signers and keys) are read at
    REF as well, and any change the working tree makes to one of them fails: such a change is
    merged on its own first, like a change to the policy. A policy file read through a symbolic
    link the change made is refused (exit 2).
    Tightening the policy, or changing a neutral key such as `timeout`, is always allowed.
    """, "get the policy change approved and merged on its own, before the change that needs it")

CHECKS = (LOOSENED,)


SUBJECT = "policy"
PREFIXES = ("policy",)
DEFAULT = False  # runs only with --policy-ref


def evaluate(judgement: Judgement, ctx: Context) -> Iterator[Finding]:
    """The work tree's policies against REF's (`judgement`, from `policy.ref.judge`)."""
    return compare(judgement.pairs, ref=judgement.ref, changed=judgement.changed)


def _at_ref(policy: Policy, ref: str) -> str:
    return (policy.source or "").removeprefix(f"{ref}:")


def compare(pairs: Sequence[tuple[Policy, Policy, str]], *, ref: str,
            changed: Sequence[tuple[str, str]] = ()) -> Iterator[Finding]:
    """Findings for every (work tree's policy, REF's policy for the same place, place) pair.

    No policy in the work tree where REF has one is a loosening by itself; then every way in
    which the defaults are weaker than REF's file. `changed`: (file, why) for each file REF's
    policy names that the work tree changes. One pass when nothing loosens.
    """
    found = bool(changed)
    for place, why in changed:
        yield LOOSENED.failed(place, why, file=place)
    for head, base, _place in pairs:
        where = head.source or base.display_path
        target = where or "policy"
        has_file = base.source is not None and not base.source.endswith("(defaults)")
        if head.source is None and has_file:
            found = True
            yield LOOSENED.failed(target, f"the working tree has no policy file where {ref} has "
                                          f"{_at_ref(base, ref)} (it was deleted, renamed or moved away): "
                                          "the defaults would apply", file=where)
        if head.source is None or _at_ref(base, ref) == head.source.replace("\\", "/"):
            prefix = f"the working tree's policy loosens the one at {ref}"
        else:
            prefix = f"the working tree's {head.source} loosens {base.source or ref}"
        for what in strictness.loosenings(base.data, head.data):
            found = True
            yield LOOSENED.failed(target, f"{prefix}: {what}", file=where)
    if not found:
        where = pairs[0][0].source if pairs else None
        yield LOOSENED.passed(where or "policy", f"no loosening of the policy at {ref}", file=where)
