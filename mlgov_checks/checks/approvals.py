"""Approval checks: enough valid, recorded approvals of this exact model version; semver order; roles."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from mlgov_checks.checks._base import Check, Context
from mlgov_checks.evidence.approval_record import MAX_COMMENT as MAX_COMMENT
from mlgov_checks.evidence.approval_record import PREFIX as PREFIX
from mlgov_checks.evidence.approval_record import Record as Record
from mlgov_checks.evidence.approval_record import approval_key as approval_key
from mlgov_checks.evidence.approval_record import recorded as recorded
from mlgov_checks.evidence.verify import Counted, Proof, verify
from mlgov_checks.evidence.verify import Verdict as Verdict
from mlgov_checks.evidence.verify import authors as authors
from mlgov_checks.evidence.verify import load_signers as load_signers
from mlgov_checks.evidence.verify import refusal as refusal
from mlgov_checks.evidence.verify import reviewer as reviewer
from mlgov_checks.findings import Finding
from mlgov_checks.governance import identity, semver
from mlgov_checks.policy.load import Policy
from mlgov_checks.records import ModelVersionRecord

if TYPE_CHECKING:
    from mlgov_checks.evidence.signers import AllowedSigners



def valid_approvals(version: ModelVersionRecord, policy: Policy, signers: AllowedSigners | None = None, *,
                    content: bool = True) -> tuple[list[Counted], list[str]]:
    """The approvals that count, and a note for every one that does not (revoked ones silently drop).
    `content=False`: for listings that never read model files (see `verify`)."""
    verdict = verify(version, policy, signers, content=content)
    notes = [f"ignored approval by {r.who}: {r.reason}" for r in verdict.refused]
    return list(verdict.counted), notes


def shown(counted: list[Counted]) -> str:
    """The people whose approvals count; unsigned ones are marked as the claims they are."""
    names = [c.person if c.proof is not Proof.CLAIM else f"{c.person} (claim)" for c in counted]
    return ", ".join(names) or "none"


SUBJECT = "version"
PREFIXES = ("approval", "semver", "role")  # the check-id prefixes this family owns
DEFAULT = False  # `mlgov check` judges approvals through evidence-approval; promote to production adds these


def needs(policy: Policy) -> dict[str, Any]:
    """What verifying approvals reads: the logged card and, for versions that carry an approval, the
    digest of their model files (streamed once; versions without approvals are not read)."""
    return {"evidence": True, "card_artifact": policy.section("evidence").get("card_artifact") or None,
            "card_max_bytes": int(policy.section("card")["max_bytes"]), "model_digest_tag_prefix": PREFIX}


def evaluate(version: ModelVersionRecord, ctx: Context) -> Iterator[Finding]:
    """The recorded approvals of this version meet `approval.required_approvers` and `min_approvals`."""
    return quorum(version, ctx.policy)


def quorum(version: ModelVersionRecord, policy: Policy, signers: AllowedSigners | None = None, *,
           content: bool = True) -> Iterator[Finding]:
    """The approval findings of one version under `policy` (`signers`: the trust root, by default the
    file `approval.allowed_signers` names): what a server plugin calls to judge a version.
    `content=False` skips only the comparison with the model files and card (see `verify`)."""
    conf = policy.section("approval")
    target = version.target
    counted, notes = valid_approvals(version, policy, signers, content=content)
    for note in notes:
        yield IGNORED.warned(target, note)
    names = [a.person for a in counted]
    people = identity.People(policy.data)
    required = list(conf["required_approvers"])
    missing = [r for r in required if not any(people.listed(r, c.names) for c in counted)]
    if missing:
        yield REQUIRED.failed(target, "required approver(s) have not approved: " + ", ".join(missing))
    elif required:
        yield REQUIRED.passed(target, "every required approver approved: " + ", ".join(required))
    need = int(conf["min_approvals"])
    if len(names) < need:
        yield QUORUM.failed(target, f"{len(counted)} valid approval(s) of {need} required ({shown(counted)})")
    else:
        yield QUORUM.passed(target, f"{len(counted)} valid approval(s), {need} required ({shown(counted)})")


def check_semver_order(version: str, tags: Mapping[str, str | None], *, target: str) -> Iterator[Finding]:
    """The `semantic_version` tag of `version` is valid and greater than every earlier version's.

    `tags`: MLflow version number -> semantic_version tag, for every version of the model.
    """
    earlier = {n: t for n, t in tags.items() if int(n) <= int(version)}
    problem = semver.order_problems(earlier.items()).get(version)
    if problem:
        yield SEMVER_ORDER.failed(target, f"version {version} {problem}")
    else:
        yield SEMVER_ORDER.passed(target, f"semantic_version {tags.get(version)} is in order")


QUORUM = Check("approval-quorum", "Enough valid approvals", """
    The model version carries at least `approval.min_approvals` valid approvals recorded with
    `mlgov approve` (each its own `mlgov.approval.<approver>` tag on the version, holding an in-toto
    statement of what was approved). An approval counts when its statement names this exact model
    and version and still matches it: the root sha256 of the model's files, the logged card's
    sha256, the source run and the policy in force (when one changed, the approval no longer
    counts, and the note says which). Signed approvals (`mlgov approve --sign-with KEY`, or a CI
    key file) count as the principal of their key in `approval.allowed_signers` (read where the
    policy is read, at the base ref under --policy-ref), and only while that key may sign (its
    namespaces, valid-after and valid-before); with `approval.require_signature` unsigned ones
    (hand-written tags, `--as` claims) do not count, and without it they count and are shown as
    claims. The approver must be in `approval.allowed_approvers` (when set), hold the `approve`
    permission (when roles are configured), not be the run's author (`approval.forbid_author`,
    default true) nor, with `approval.forbid_reviewer`, the code reviewer. One person counts
    once: one key is one person whatever its names, and names are compared after Unicode NFKC,
    with invisible characters removed and look-alike letters mapped (TR39 skeleton), ignoring
    case, an e-mail domain and a GitHub noreply prefix (`ann`, `ANN`, `ann@corp.example` are one);
    a name written with invisible or look-alike characters does not count at all.
    Used when `evidence.approval` is `approvals` or `either`, and always by `mlgov promote` to a
    production alias or stage.
    """, "record approvals: mlgov approve models:/NAME/VERSION --comment '...' [--sign-with ~/.ssh/id_ed25519]")
REQUIRED = Check("approval-required", "Required approvers approved", """
    Every person named in `approval.required_approvers` has a valid approval on the version.
    """, "ask the named approvers to run mlgov approve")
ELIGIBLE = Check("approval-eligible", "Approver may approve this version", """
    `mlgov approve` refuses (exit 1, nothing written) an approver outside
    `approval.allowed_approvers` (when set), the run's author (`approval.forbid_author`) and, with
    `approval.forbid_reviewer`, the code reviewer: the same rules by which `approval-quorum`
    decides which recorded approvals count.
    """)
IGNORED = Check("approval-ignored", "Approval not counted", """
    A recorded approval that does not count: malformed or hand-written, for another version, out
    of date (the model files, card, source run or policy changed since), unsigned under
    `approval.require_signature`, signed by a key not in the allowed signers (or expired, or not
    for this namespace), a disguised name, by someone outside `allowed_approvers` or without the
    `approve` permission, by the run's author (or reviewer), or by a person already counted.
    A warning: it never fails by itself, but the approval is not counted towards the quorum.
    """)
SEMVER_ORDER = Check("semver-order", "Semantic version increases", """
    With `evidence.require_semantic_version`, the version's `semantic_version` tag is a valid
    semantic version (semver.org 2.0.0, pre-releases allowed and ordered by its rules) and is
    strictly greater than the tag of every earlier version of the model. Checked by
    `mlgov promote` and reported by `mlgov audit`; `mlgov next-version` prints the next one.
    """, "tag the version with the output of: mlgov next-version NAME")
ROLE_PERMISSION = Check("role-permission", "Actor holds the permission", """
    When the policy configures roles (`roles.members`), the acting person (`--as`, else
    GITHUB_ACTOR, else MLFLOW_TRACKING_USERNAME, else the OS user) must hold a role whose
    `roles.permissions` include the action: approve, promote, archive, waive or record.
    mlgov refuses otherwise (exit 1) and changes nothing. The registry's own permissions remain
    the real boundary: see the README's trust model.
    """, "ask an admin to add you to a role with that permission")

CHECKS = (QUORUM, REQUIRED, ELIGIBLE, IGNORED, SEMVER_ORDER, ROLE_PERMISSION)
