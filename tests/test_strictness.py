"""Loosening detection derived from the policy schema: every key has a direction, each is tested."""

from __future__ import annotations

import copy

import pytest

from mlgov_checks.policy import strictness
from mlgov_checks.policy.load import DEFAULTS, policy_from_mapping

WAIVER = {"check": "metrics-threshold", "target": "models:/m/1", "reason": "known dip",
          "approved_by": "ann", "expires": "2026-12-01"}
BASELINE = {"alias": "champion",
            "metrics": {"accuracy": {"greater_is_better": True, "min_absolute_change": 0.01,
                                     "min_relative_change": 0.05}}}


def schema_keys(node, path=()):
    """Every key the schema defines (named properties, and the entries of free-form maps)."""
    for name, sub in (node.get("properties") or {}).items():
        yield (*path, name), sub
        yield from schema_keys(sub, (*path, name))
        if isinstance(sub.get("items"), dict):
            yield from schema_keys(sub["items"], (*path, name, "[]"))
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        yield (*path, "*"), extra
        yield from schema_keys(extra, (*path, "*"))


def test_every_schema_key_declares_a_direction():
    keys = list(schema_keys(strictness.policy_schema()))
    assert len(keys) > 50
    missing = [".".join(p) for p, node in keys if strictness.KEYWORD not in node]
    assert missing == []
    for path, node in keys:
        direction = node[strictness.KEYWORD]
        assert direction in strictness.DIRECTIONS or (
            isinstance(direction, dict) and set(direction) == {"order"}), ".".join(path)
        if direction == "each":
            assert "properties" in node or isinstance(node.get("additionalProperties"), dict), ".".join(path)


# A base that sets every key, so that each can be loosened and tightened from it.
BASE = {
    "version": 1,
    "targets": ["models:/churn@candidate", "models:/fraud@candidate"],
    "card": {"required_fields": ["owners", "contact"], "extra_schema": "schemas/team.json",
             "placeholders": ["TODO", "TBD"], "max_bytes": 1000, "max_depth": 10, "max_nodes": 100,
             "format": "native", "fields": {"limitations": "known_limitations", "accuracy": "results.accuracy"},
             "typed_io": "card", "discovery": {"include": ["models/*/card.yaml"], "exclude": ["vendor/*"]},
             "governance": {"require_license": True, "allowed_licenses": ["apache-2.0", "mit"],
                            "require_base_model": True, "require_dataset_revisions": True}},
    "provenance": {"commit_keys": ["git_commit"], "branch_keys": ["git_branch"], "repo_url_keys": ["git_repo"],
                   "dirty_keys": ["git_dirty"], "protected_branch": "main", "require_clean_tree": True,
                   "review": {"reviewer_key": "code_reviewer", "status_key": "review_status",
                              "date_key": "review_date", "accepted_status": ["approved", "lgtm"]}},
    "metrics": {"thresholds": {"accuracy": {"min": 0.8, "max": 1.0}, "drift_score": {"max": 0.1}},
                "baseline": BASELINE, "card_tolerance": 0.01},
    "evidence": {"artifacts": ["a.txt", "b.txt"], "requirements": ["requirements.txt", "model/requirements.txt"],
                 "card_artifact": "documentation/model_card.yaml", "require_description": True,
                 "approval": "description", "run_tags": ["team", "project"], "version_tags": ["owner", "tier"],
                 "require_semantic_version": True},
    "approval": {"required_approvers": ["head", "lead"], "min_approvals": 2, "allowed_approvers": ["ann", "bob"],
                 "forbid_author": True, "forbid_reviewer": True, "production_aliases": ["champion", "prod"],
                 "require_signature": True, "require_signed_decisions": True, "allowed_signers": "allowed_signers"},
    "roles": {"members": {"admin": ["ann"], "data_scientist": ["bob", "carol"]},
              "permissions": {"admin": ["approve", "promote"], "data_scientist": ["record"]}},
    "model_signature": {"required": True, "public_keys": ["keys/ci.pub"], "certificate_chains": ["keys/ca.crt"]},
    "waivers": [WAIVER],
    "waiver_max_days": 30,
    "timeout": 60,
}


def setting(path, value):
    data = copy.deepcopy(BASE)
    node = data
    for key in path[:-1]:
        node = node[key]
    if value is REMOVE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return data


REMOVE = object()

# (key path, a loosening, a tightening or None when the key has no stricter value, the message).
CASES = [
    (("targets",), ["models:/churn@candidate"], [*BASE["targets"], "models:/x@candidate"],
     "targets: removed 'models:/fraud@candidate'"),
    (("card", "required_fields"), ["owners"], ["owners", "contact", "license"],
     "card.required_fields: removed 'contact'"),
    (("model_signature", "required"), False, None, "model_signature.required turned off"),
    (("model_signature", "public_keys"), ["keys/ci.pub", "keys/mine.pub"], [],
     "model_signature.public_keys: added 'keys/mine.pub'"),
    (("model_signature", "certificate_chains"), ["keys/ca.crt", "keys/mine.crt"], [],
     "model_signature.certificate_chains: added 'keys/mine.crt'"),
    (("card", "extra_schema"), REMOVE, None, "card.extra_schema was removed (it was 'schemas/team.json')"),
    (("card", "extra_schema"), "other.json", None,
     "card.extra_schema changed from 'schemas/team.json' to 'other.json'"),
    (("card", "placeholders"), [], ["TODO", "TBD", "FIXME"], "card.placeholders: removed 'TODO', 'TBD'"),
    (("card", "max_bytes"), 2000, 500, "card.max_bytes raised from 1000 to 2000"),
    (("card", "max_depth"), 20, 5, "card.max_depth raised from 10 to 20"),
    (("card", "max_nodes"), 200, 50, "card.max_nodes raised from 100 to 200"),
    (("card", "format"), "auto", None, "card.format changed from 'native' to 'auto'"),
    (("card", "fields", "accuracy"), "summary.accuracy", None,
     "card.fields.accuracy changed from 'results.accuracy' to 'summary.accuracy'"),
    (("card", "fields", "limitations"), REMOVE, None,
     "card.fields.limitations was removed (it was 'known_limitations')"),
    (("card", "typed_io"), "signature", None, "card.typed_io weakened from 'card' to 'signature'"),
    (("card", "discovery", "include"), [], ["models/*/card.yaml", "cards/*.json"],
     "card.discovery.include: removed 'models/*/card.yaml'"),
    (("card", "discovery", "exclude"), ["vendor/*", "models/*"], [], "card.discovery.exclude: added 'models/*'"),
    (("card", "governance", "require_license"), False, None, "card.governance.require_license turned off"),
    (("card", "governance", "allowed_licenses"), ["apache-2.0", "mit", "other"], ["mit"],
     "card.governance.allowed_licenses: added 'other'"),
    (("card", "governance", "require_base_model"), False, None, "card.governance.require_base_model turned off"),
    (("card", "governance", "require_dataset_revisions"), False, None,
     "card.governance.require_dataset_revisions turned off"),
    (("provenance", "commit_keys"), ["my_commit"], None,
     "provenance.commit_keys changed from [\"git_commit\"] to [\"my_commit\"]"),
    (("provenance", "branch_keys"), ["b"], None, "provenance.branch_keys changed from [\"git_branch\"] to [\"b\"]"),
    (("provenance", "repo_url_keys"), [], None, "provenance.repo_url_keys changed from [\"git_repo\"] to []"),
    (("provenance", "dirty_keys"), [], None, "provenance.dirty_keys changed from [\"git_dirty\"] to []"),
    (("provenance", "protected_branch"), "feature", None,
     "provenance.protected_branch changed from 'main' to 'feature'"),
    (("provenance", "require_clean_tree"), False, None, "provenance.require_clean_tree turned off"),
    (("provenance", "review", "reviewer_key"), "x", None,
     "provenance.review.reviewer_key changed from 'code_reviewer' to 'x'"),
    (("provenance", "review", "status_key"), "my_status", None,
     "provenance.review.status_key changed from 'review_status' to 'my_status'"),
    (("provenance", "review", "date_key"), "d", None, "provenance.review.date_key changed from 'review_date' to 'd'"),
    (("provenance", "review", "accepted_status"), ["approved", "lgtm", "pending"], ["approved"],
     "provenance.review.accepted_status: added 'pending'"),
    (("metrics", "thresholds"), {"accuracy": {"min": 0.8, "max": 1.0}},
     {**BASE["metrics"]["thresholds"], "f1": {"min": 0.5}}, "metrics.thresholds.drift_score was removed"),
    (("metrics", "thresholds", "accuracy", "min"), 0.7, 0.9, "metrics.thresholds.accuracy.min lowered from 0.8 to 0.7"),
    (("metrics", "thresholds", "accuracy", "max"), 1.5, 0.99, "metrics.thresholds.accuracy.max raised from 1.0 to 1.5"),
    (("metrics", "thresholds", "accuracy", "min"), REMOVE, None,
     "metrics.thresholds.accuracy.min was removed (it was 0.8)"),
    (("metrics", "baseline"), REMOVE, None, "metrics.baseline was removed"),
    (("metrics", "baseline", "alias"), "staging", None, "metrics.baseline.alias changed from 'champion' to 'staging'"),
    (("metrics", "baseline", "metrics"), {}, {**BASELINE["metrics"], "f1": {"greater_is_better": True,
                                                                               "min_absolute_change": 0.1}},
     "metrics.baseline.metrics.accuracy was removed"),
    (("metrics", "baseline", "metrics", "accuracy", "greater_is_better"), False, None,
     "metrics.baseline.metrics.accuracy.greater_is_better changed from True to False"),
    (("metrics", "baseline", "metrics", "accuracy", "min_absolute_change"), 0.001, 0.02,
     "metrics.baseline.metrics.accuracy.min_absolute_change lowered from 0.01 to 0.001"),
    (("metrics", "baseline", "metrics", "accuracy", "min_relative_change"), 0.01, 0.1,
     "metrics.baseline.metrics.accuracy.min_relative_change lowered from 0.05 to 0.01"),
    (("metrics", "card_tolerance"), 0.1, 0.001, "metrics.card_tolerance raised from 0.01 to 0.1"),
    (("evidence", "artifacts"), ["a.txt"], ["a.txt", "b.txt", "c.txt"], "evidence.artifacts: removed 'b.txt'"),
    (("evidence", "requirements"), ["requirements.txt", "model/requirements.txt", "x.txt"], ["requirements.txt"],
     "evidence.requirements: added 'x.txt'"),
    (("evidence", "requirements"), [], None,
     "evidence.requirements was emptied: it no longer restricts anyone or anything"),
    (("evidence", "card_artifact"), "card.yaml", None,
     "evidence.card_artifact changed from 'documentation/model_card.yaml' to 'card.yaml'"),
    (("evidence", "require_description"), False, None, "evidence.require_description turned off"),
    (("evidence", "approval"), "either", "approvals", "evidence.approval weakened from 'description' to 'either'"),
    (("evidence", "run_tags"), [], ["team", "project", "x"], "evidence.run_tags: removed 'team', 'project'"),
    (("evidence", "version_tags"), ["owner"], ["owner", "tier", "x"], "evidence.version_tags: removed 'tier'"),
    (("evidence", "require_semantic_version"), False, None, "evidence.require_semantic_version turned off"),
    (("approval", "required_approvers"), ["head"], ["head", "lead", "cto"],
     "approval.required_approvers: removed 'lead'"),
    (("approval", "min_approvals"), 1, 3, "approval.min_approvals lowered from 2 to 1"),
    (("approval", "allowed_approvers"), ["ann", "bob", "mallory"], ["ann"],
     "approval.allowed_approvers: added 'mallory'"),
    (("approval", "allowed_approvers"), [], None,
     "approval.allowed_approvers was emptied: it no longer restricts anyone or anything"),
    (("approval", "forbid_author"), False, None, "approval.forbid_author turned off"),
    (("approval", "forbid_reviewer"), False, None, "approval.forbid_reviewer turned off"),
    (("approval", "require_signature"), False, None, "approval.require_signature turned off"),
    (("approval", "require_signed_decisions"), False, None, "approval.require_signed_decisions turned off"),
    (("approval", "allowed_signers"), "mine", None,
     "approval.allowed_signers changed from 'allowed_signers' to 'mine'"),
    (("approval", "production_aliases"), ["prod"], ["champion", "prod", "production"],
     "approval.production_aliases: removed 'champion'"),
    (("roles", "members"), {}, None, "roles.members was emptied: it no longer restricts anyone or anything"),
    (("roles", "members", "admin"), ["ann", "mallory"], [], "roles.members.admin: added 'mallory'"),
    (("roles", "members", "viewer"), ["mallory"], None, "roles.members.viewer: added 'mallory'"),
    (("roles", "permissions", "data_scientist"), ["record", "approve"], [],
     "roles.permissions.data_scientist: added 'approve'"),
    (("roles", "permissions", "viewer"), ["waive"], None, "roles.permissions.viewer: added 'waive'"),
    (("waivers",), [WAIVER, {**WAIVER, "check": "card-placeholder"}], [],
     'waivers: added {"approved_by": "ann", "check": "card-placeholder", "expires": "2026-12-01", '
     '"reason": "known dip", "target": "models:/m/1"}'),
    (("waivers",), [{**WAIVER, "expires": "2027-01-01"}], None,
     'waivers: added {"approved_by": "ann", "check": "metrics-threshold", "expires": "2027-01-01", '
     '"reason": "known dip", "target": "models:/m/1"}'),
    (("waiver_max_days",), 90, 7, "waiver_max_days raised from 30 to 90"),
]
NEUTRAL = [(("timeout",), 5), (("timeout",), 600)]


def effective(raw):
    return policy_from_mapping(raw).data


@pytest.mark.parametrize(("path", "looser", "tighter", "message"), CASES,
                         ids=[".".join(c[0]) + f"-{i}" for i, c in enumerate(CASES)])
def test_each_key_loosened_and_tightened(path, looser, tighter, message):
    base = effective(BASE)
    assert list(strictness.loosenings(base, base)) == []
    assert list(strictness.loosenings(base, effective(setting(path, looser)))) == [message]
    if tighter is not None:
        assert list(strictness.loosenings(base, effective(setting(path, tighter)))) == []


def test_the_cases_cover_every_schema_key():
    """Each key of the schema is loosened by some case above (neutral keys: changed harmlessly)."""
    covered = {c[0] for c in CASES} | {n[0] for n in NEUTRAL} | {("version",)}
    covered |= {p[:i] for p in covered for i in range(1, len(p))}
    wanted = set()
    for path, node in schema_keys(strictness.policy_schema()):
        if "[]" in path:
            continue  # a waiver's fields: any change makes it a different (new) waiver, tested above
        wanted.add(tuple("admin" if (k == "*" and path[:2] == ("roles", "members")) else
                         "data_scientist" if (k == "*" and path[0] == "roles") else
                         "accuracy" if k == "*" else k for k in path))
    assert sorted(wanted - covered) == []


@pytest.mark.parametrize(("path", "value"), NEUTRAL)
def test_neutral_changes_never_fail(path, value):
    assert list(strictness.loosenings(effective(BASE), effective(setting(path, value)))) == []


def test_the_defaults_loosen_nothing_of_themselves():
    assert list(strictness.loosenings(DEFAULTS, copy.deepcopy(DEFAULTS))) == []


def test_a_key_without_a_direction_fails_closed():
    schema = {"type": "object", "properties": {"known": {"x-mlgov-stricter": "higher"}, "new_key": {}}}
    found = list(strictness.loosenings({"known": 1, "new_key": "a"}, {"known": 2, "new_key": "b"}, schema))
    assert found == ["new_key changed from 'a' to 'b', and the schema declares no stricter direction for it: "
                     "treated as a possible loosening"]
    assert list(strictness.loosenings({"x": 1}, {"x": 2}, {"type": "object"}))[0].startswith("x changed")


def test_a_value_the_direction_cannot_compare_fails_closed():
    schema = {"properties": {"n": {"x-mlgov-stricter": "higher"}}}
    assert list(strictness.loosenings({"n": 1}, {"n": "1"}, schema)) == [
        "n changed from 1 to '1', which its declared direction 'higher' cannot compare: "
        "treated as a possible loosening"]
