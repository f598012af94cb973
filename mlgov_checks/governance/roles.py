"""Roles and actors: who is acting, which roles they hold, and what those roles permit."""

from __future__ import annotations

import enum
import getpass
import os
from collections.abc import Mapping

from mlgov_checks.governance import identity
from mlgov_checks.policy.load import Policy

ACTOR_ENV = ("GITHUB_ACTOR", "MLFLOW_TRACKING_USERNAME")


class Action(str, enum.Enum):
    """What a role may permit (policy `roles.permissions`)."""

    APPROVE = "approve"
    PROMOTE = "promote"
    ARCHIVE = "archive"
    WAIVE = "waive"
    RECORD = "record"


def current_actor(explicit: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """`--as`, else GITHUB_ACTOR, else MLFLOW_TRACKING_USERNAME, else the operating-system user."""
    if explicit and explicit.strip():
        return explicit.strip()
    environ = os.environ if env is None else env
    for name in ACTOR_ENV:
        value = (environ.get(name) or "").strip()
        if value:
            return value
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        return "unknown"


def configured(policy: Policy) -> bool:
    """Roles apply once the policy names at least one member; before that every actor may act."""
    return any(policy.section("roles")["members"].values())


def members(policy: Policy) -> dict[str, list[str]]:
    """Role -> members, as the policy lists them."""
    return {role: list(names) for role, names in policy.section("roles")["members"].items()}


def permissions(policy: Policy) -> dict[str, set[Action]]:
    """Role -> the actions it permits."""
    return {role: {Action(a) for a in acts} for role, acts in policy.section("roles")["permissions"].items()}


def roles_of(actor: str, policy: Policy) -> list[str]:
    people = identity.People(policy.data)
    return [role for role, names in members(policy).items() if people.listed(actor, names)]


def permitted(actor: str, action: Action | str, policy: Policy) -> tuple[bool, str]:
    """Whether `actor` may perform `action`, and why (a sentence for a finding)."""
    act = Action(action)
    if not configured(policy):
        return True, "no roles are configured (policy `roles.members` is empty)"
    held = roles_of(actor, policy)
    if not held:
        return False, f"{actor!r} is not a member of any role in the policy"
    perms = permissions(policy)
    granting = [r for r in held if act in perms.get(r, set())]
    if granting:
        return True, f"{actor!r} may {act.value} as {granting[0]}"
    return False, f"{actor!r} ({', '.join(held)}) has no {act.value!r} permission"
