"""Approval checks: enough valid, recorded approvals of this exact model version; semver order; roles."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from mlgov_checks.checks._base import Check, Context
from mlgov_checks.findings import Finding
from mlgov_checks.governance import identity, roles, semver
from mlgov_checks.policy.load import Policy
from mlgov_checks.records import ModelVersionRecord

PREFIX = "mlgov.approval."
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")
MAX_COMMENT = 2000


@dataclass(frozen=True)
class Approval:
    """One approver's approval of one model version, stored as its own model-version tag."""

    approver: str
    time: str  # ISO 8601, UTC
    comment: str
    policy_sha256: str
    model: str
    version: str
    revoked: bool = False
    revoked_time: str | None = None
    revoke_comment: str | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, ensure_ascii=False)


def approval_key(actor: str) -> str:
    """The tag key of `actor`'s approval: one key per approver, so concurrent approvals never collide.

    MLflow tag keys allow only letters, digits, `_ . - / : space`; other characters become `_` and a
    short hash of the exact name keeps two names that differ only there apart.
    """
    name = actor.strip().casefold()
    safe = _UNSAFE.sub("_", name)
    if safe != name or not safe:
        safe = f"{safe}.{hashlib.sha256(name.encode()).hexdigest()[:8]}"
    return PREFIX + safe[:200]


def parse_approval(key: str, value: str) -> tuple[Approval | None, str | None]:
    """(approval, None), or (None, why the tag is not a valid approval record)."""
    try:
        data: Any = json.loads(value)
    except ValueError:
        return None, f"tag {key!r} is not JSON"
    fields = ("approver", "time", "comment", "policy_sha256", "model", "version")
    if not isinstance(data, dict) or not all(isinstance(data.get(f), str) for f in fields):
        return None, f"tag {key!r} is not an approval record ({', '.join(fields)})"
    approval = Approval(**{f: data[f] for f in fields}, revoked=data.get("revoked") is True,
                        revoked_time=data.get("revoked_time"), revoke_comment=data.get("revoke_comment"))
    if approval_key(approval.approver) != key:
        return None, f"tag {key!r} names approver {approval.approver!r}, whose key differs"
    return approval, None


def recorded(tags: Mapping[str, str]) -> list[tuple[str, Approval | None, str | None]]:
    """Every approval tag on a version: (key, approval or None, problem or None), by key."""
    return [(k, *parse_approval(k, v)) for k, v in sorted(tags.items()) if k.startswith(PREFIX)]


def authors(version: ModelVersionRecord) -> list[str]:
    run = version.run
    if run is None:
        return []
    found = [run.tags.get("mlflow.user") or "", run.user or ""]
    return [a for a in dict.fromkeys(found) if a.strip()]


def reviewer(version: ModelVersionRecord, policy: Policy) -> str | None:
    if version.run is None:
        return None
    value = version.run.value(policy.section("provenance")["review"]["reviewer_key"])
    return value.strip() if value and value.strip() else None


def refusal(actor: str, version: ModelVersionRecord, policy: Policy) -> str | None:
    """Why `actor`'s approval of `version` does not count under `policy`, or None when it does."""
    conf = policy.section("approval")
    people = identity.People(policy.data)
    allowed = conf["allowed_approvers"]
    if allowed and not people.listed(actor, allowed):
        return f"{actor!r} is not in approval.allowed_approvers"
    ok, why = roles.permitted(actor, roles.Action.APPROVE, policy)
    if not ok:
        return why
    if conf["forbid_author"] and (clash := [a for a in authors(version) if people.same(actor, a)]):
        return f"{actor!r} is the run's author ({clash[0]}): no self-approval"
    rev = reviewer(version, policy)
    if conf["forbid_reviewer"] and rev and people.same(actor, rev):
        return f"{actor!r} reviewed the code (approval.forbid_reviewer)"
    return None


def valid_approvals(version: ModelVersionRecord, policy: Policy) -> tuple[list[Approval], list[str]]:
    """The approvals that count, and a note for every one that does not (revoked ones silently drop)."""
    counted: list[Approval] = []
    notes: list[str] = []
    people = identity.People(policy.data)
    by_person: dict[str, Approval] = {}
    for key, approval, problem in recorded(version.tags):
        if approval is None:
            notes.append(f"ignored: {problem}")
        elif approval.revoked:
            continue
        elif (approval.model, approval.version) != (version.name, version.version):
            notes.append(f"ignored: {key} approves models:/{approval.model}/{approval.version}, "
                         "not this version")
        elif why := refusal(approval.approver, version, policy):
            notes.append(f"ignored approval by {approval.approver}: {why}")
        elif (first := by_person.get(people.key(approval.approver))) is not None:
            notes.append(f"ignored approval by {approval.approver}: the same person as {first.approver}, "
                         "whose approval already counts (one person, one approval)")
        else:
            by_person[people.key(approval.approver)] = approval
            counted.append(approval)
    return counted, notes


SUBJECT = "version"
PREFIXES = ("approval", "semver", "role")  # the check-id prefixes this family owns
DEFAULT = False  # `mlgov check` judges approvals through evidence-approval; promote to production adds these


def evaluate(version: ModelVersionRecord, ctx: Context) -> Iterator[Finding]:
    """The recorded approvals of this version meet `approval.required_approvers` and `min_approvals`."""
    return quorum(version, ctx.policy)


def quorum(version: ModelVersionRecord, policy: Policy) -> Iterator[Finding]:
    """The approval findings of one version under `policy`."""
    conf = policy.section("approval")
    target = version.target
    counted, notes = valid_approvals(version, policy)
    for note in notes:
        yield IGNORED.warned(target, note)
    names = [a.approver for a in counted]
    required = list(conf["required_approvers"])
    missing = [r for r in required if not identity.People(policy.data).listed(r, names)]
    if missing:
        yield REQUIRED.failed(target, "required approver(s) have not approved: " + ", ".join(missing))
    elif required:
        yield REQUIRED.passed(target, "every required approver approved: " + ", ".join(required))
    need = int(conf["min_approvals"])
    shown = ", ".join(names) or "none"
    if len(counted) < need:
        yield QUORUM.failed(target, f"{len(counted)} valid approval(s) of {need} required ({shown})")
    else:
        yield QUORUM.passed(target, f"{len(counted)} valid approval(s), {need} required ({shown})")


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
    `mlgov approve` (each its own `mlgov.approval.<approver>` tag on the version). An approval
    counts when it names this exact model and version, is not revoked, its approver is in
    `approval.allowed_approvers` (when set) and holds the `approve` permission (when roles are
    configured), is not the run's author (`approval.forbid_author`, default true) and, with
    `approval.forbid_reviewer`, is not the code reviewer. One person counts once: names are
    compared case-insensitively, and an e-mail address or GitHub noreply address is its user
    (`ann`, `ANN`, `ann@corp.example` and `123+ann@users.noreply.github.com` are one approval).
    Used when `evidence.approval` is `approvals` or `either`, and always by `mlgov promote` to a
    production alias or stage.
    """, "record approvals: mlgov approve models:/NAME/VERSION --comment '...'")
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
    A recorded approval that does not count: malformed, for another version, by someone outside
    `allowed_approvers` or without the `approve` permission, or by the run's author (or reviewer).
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
