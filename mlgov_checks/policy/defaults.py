"""The policy's defaults (from the source design) and the names the policy file may have."""

from __future__ import annotations

from typing import Any

from mlgov_checks.yamlio import loader as yamldoc

POLICY_NAMES = (".mlgov.yaml", ".mlgov.yml")

CARD_FIELDS = ("purpose", "input_schema", "output_schema", "training_data", "performance_metrics",
               "limitations")

DEFAULTS: dict[str, Any] = {
    "version": 1,
    "targets": [],
    "card": {
        "required_fields": [],
        "placeholders": ["TODO", "TBD", "N/A", "...", "FIXME", "XXX", "lorem ipsum", "<fill me>", ""],
        "max_bytes": yamldoc.DEFAULT_MAX_BYTES,
        "max_depth": yamldoc.DEFAULT_MAX_DEPTH,
        "max_nodes": yamldoc.DEFAULT_MAX_NODES,
        "format": "auto",
        "fields": {},
        "typed_io": "signature",
        "discovery": {"include": [], "exclude": []},
    },
    "provenance": {
        "commit_keys": ["mlflow.source.git.commit", "git_commit"],
        "branch_keys": ["mlflow.source.git.branch", "git_branch", "mlflow.gitBranchName"],
        "repo_url_keys": ["mlflow.source.git.repoURL", "git_repo_url", "mlflow.gitRepoURL"],
        "dirty_keys": ["mlgov.git.dirty", "git_dirty"],
        "protected_branch": "main",
        "require_clean_tree": True,
        "review": {
            "reviewer_key": "code_reviewer",
            "status_key": "review_status",
            "date_key": "review_date",
            "accepted_status": ["approved"],
        },
    },
    "metrics": {
        "thresholds": {"accuracy": {"min": 0.8}, "drift_score": {"max": 0.1}},
        "card_tolerance": 0.005,
    },
    "evidence": {
        "artifacts": ["documentation/model_card.yaml", "validation/report.txt"],
        "requirements": ["requirements.txt", "model/requirements.txt", "dependencies/requirements.txt"],
        "card_artifact": "documentation/model_card.yaml",
        "require_description": True,
        "approval": "either",
        "run_tags": [],
        "version_tags": [],
        "require_semantic_version": False,
    },
    "approval": {
        "required_approvers": [],
        "min_approvals": 1,
        "allowed_approvers": [],
        "forbid_author": True,
        "forbid_reviewer": False,
        "require_signature": False,  # approval.allowed_signers has no default: no trust root unless named
        "require_signed_decisions": False,
        "production_aliases": ["champion", "production", "prod"],
    },
    "model_signature": {"required": False, "public_keys": [], "certificate_chains": []},
    "roles": {
        "members": {},
        "permissions": {
            "admin": ["approve", "promote", "archive", "waive", "record"],
            "data_scientist": ["promote", "record"],
            "viewer": [],
        },
    },
    "waivers": [],
    "waiver_max_days": 90,
    "timeout": 60.0,
}
